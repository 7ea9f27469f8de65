/**
 * A run folder is locked while a process writes into it (`train`, `train --resume`, `compare`),
 * so that two processes never interleave one run's history or overwrite its checkpoints.
 *
 * The lock is the file `run.lock` in the folder, created exclusively ('wx'), holding the
 * owner's pid, host and process start time. A second process finding it is refused with a
 * {@link RunBusyError} (exit code 75) naming the owner. A lock whose owner is gone (killed with
 * SIGKILL, a power cut) is stale and taken over: on the same host its pid no longer runs, or
 * runs a process that started at another time (the pid was reused; the start time is read from
 * /proc, where there is one). A lock written on another host cannot be checked, so it is
 * reported, naming the file to delete once that run is known to be over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, rmdirSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { RecurrentError } from '../../tensor/errors.js';

/** The lock file's name inside a run folder. */
export const LOCK_FILE = 'run.lock';

/** Another process holds the run folder: the CLI exits with 75 (EX_TEMPFAIL: try again later). */
export class RunBusyError extends RecurrentError {
  constructor(command: string, message: string) {
    super(command, message, 'state');
    this.name = 'RunBusyError';
  }
}

/** What a lock file records about its owner. */
interface Owner {
  pid: number;
  host: string;
  /** The process's start time in clock ticks since boot (Linux /proc), or null where unknown. */
  started: string | null;
}

/** The start time of process `pid` from /proc/PID/stat (field 22), or null without /proc. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the owner of a lock still runs (true when that cannot be known: another host). */
function alive(owner: Owner): boolean {
  if (owner.host !== hostname()) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: no such process
  }
  const started = startTime(owner.pid);
  return owner.started === null || started === null || started === owner.started;
}

/** The owner a lock file names, or null when it holds no owner (cut short by a crash while being written). */
function readOwner(path: string): Owner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as Owner;
    return Number.isSafeInteger(owner?.pid) && owner.pid > 0 && typeof owner.host === 'string' ? owner : null;
  } catch {
    return null;
  }
}

/**
 * Locks the run folder `dir` (created if missing) for this process and returns the function
 * that releases it (which also removes the folder again if it created it and it stayed
 * empty). Throws a RunBusyError while another live process holds it.
 */
export function lockRun(command: string, dir: string): () => void {
  let created: string | undefined;
  try {
    created = mkdirSync(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EEXIST' ? 'it is a file' : code === 'ENOTDIR' ? 'a part of the path is a file, not a folder' : (error as Error).message;
    throw new RecurrentError(command, `cannot create the run folder '${dir}': ${reason}`);
  }
  const path = join(dir, LOCK_FILE);
  const me: Owner = { pid: process.pid, host: hostname(), started: startTime(process.pid) };
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new RecurrentError(command, `cannot lock the run folder '${dir}': ${(error as Error).message}`);
      const owner = readOwner(path);
      if (attempt < 3 && (owner === null ? staleEmptyLock(path) : !alive(owner))) {
        rmSync(path, { force: true });
        continue;
      }
      const who = owner === null ? 'another process' : `process ${owner.pid}${owner.host === me.host ? '' : ` on ${owner.host}`}`;
      throw new RunBusyError(command, `the run folder '${dir}' is in use by ${who}; wait for it to finish or stop it (if no such process runs, delete '${path}')`);
    }
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
    break;
  }
  return () => {
    const owner = readOwner(path);
    if (owner !== null && owner.pid === me.pid && owner.started === me.started && owner.host === me.host) rmSync(path, { force: true });
    // Folders this call created, from the run folder up, while empty (a refused run leaves none).
    for (let d = resolve(dir); created !== undefined; d = dirname(d)) {
      try {
        rmdirSync(d);
      } catch {
        break; // not empty
      }
      if (d === resolve(created)) break;
    }
  };
}

/**
 * Whether a lock file holding no owner is left over: an owner writes it within moments of
 * creating it, so an empty or unreadable one older than a few seconds was cut short by a crash.
 */
function staleEmptyLock(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > 5000;
  } catch {
    return true; // gone meanwhile
  }
}
