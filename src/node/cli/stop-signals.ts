/**
 * Stopping a run cleanly on SIGINT (Ctrl-C) or SIGTERM. The first signal is only recorded, so
 * the training loop can finish its step and save a checkpoint; the handlers are removed at
 * once, so a second signal gets Node's default action and ends the process immediately.
 *
 * Exit codes follow the shell's convention, 128 + the signal number: 130 after SIGINT, 143
 * after SIGTERM, so a script can tell a stopped run from a finished one (0).
 */

/** The signals that stop a run. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

const SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];

/** The exit code of a run stopped by `signal`: 130 or 143. */
export function stopExitCode(signal: StopSignal): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/** Listens for the first SIGINT or SIGTERM until disposed. */
export class StopSignals {
  /** The signal received, or null. */
  received: StopSignal | null = null;
  private readonly handler = (signal: StopSignal) => {
    this.received = signal;
    this.dispose();
    this.onStop(signal);
  };

  /** Starts listening; `onStop` runs once, on the first signal. */
  constructor(private readonly onStop: (signal: StopSignal) => void) {
    for (const s of SIGNALS) process.on(s, this.handler);
  }

  /** Stops listening (Node's default action applies again). */
  dispose(): void {
    for (const s of SIGNALS) process.off(s, this.handler);
  }
}
