/**
 * The command starts from a checkout it cannot write to: the bundled CLI then goes to the temp
 * folder instead of .cache/cli. Simulated with a copy of bin/ whose root has a file where the
 * .cache folder would be (a root user can write into a read-only folder, a file in the way it
 * cannot get past), over this checkout's src/ and node_modules/.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const copy = mkdtempSync(join(tmpdir(), 'recurrent-unwritable-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe('a checkout the CLI cannot write to', () => {
  it('still runs the command', () => {
    mkdirSync(join(copy, 'bin'));
    copyFileSync(join(root, 'bin', 'recurrent.mjs'), join(copy, 'bin', 'recurrent.mjs'));
    copyFileSync(join(root, 'package.json'), join(copy, 'package.json'));
    for (const dir of ['src', 'node_modules']) symlinkSync(join(root, dir), join(copy, dir));
    writeFileSync(join(copy, '.cache'), 'in the way');
    const r = spawnSync(process.execPath, [join(copy, 'bin', 'recurrent.mjs'), 'train', '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: recurrent train/);
  });
});
