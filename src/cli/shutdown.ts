/**
 * Leaving cleanly whatever the host does: close stdin (the SDK's stdio server does not notice EOF,
 * typescript-sdk #2002), send SIGTERM/SIGINT/SIGHUP, or die without a word (a parent-PID watchdog).
 * Every path closes all backends, with a hard deadline so a stuck one cannot keep us alive.
 */
import { DEFAULT_SETTINGS } from '../config/defaults.js';
import { log } from '../log.js';

/**
 * Backends get stdin EOF, then SIGTERM, then SIGKILL, a grace period apart (settings.stopGraceMs,
 * process-tree.ts); the deadline is both grace periods and this much more.
 */
const DEADLINE_MARGIN_MS = 2_000;
const WATCHDOG_INTERVAL_MS = 1_000;

export interface ShutdownOptions {
  /** Runs once, whatever triggered the shutdown; `why` is for the log. */
  close(why: string): Promise<void>;
  /** Runs last, even when `close` overran the deadline: flush what the host is owed. */
  flush?(): Promise<void>;
  /** The backends' grace period when the shutdown starts (settings.stopGraceMs, which a reload may change). */
  graceMs?(): number;
}

/** Returns the shutdown trigger itself, for causes only the caller can see (a host that stopped reading). */
export function installShutdown(options: ShutdownOptions): (why: string, code?: number) => void {
  let closing = false;
  let exitCode = 0;
  const exit = () => {
    const flushed = options.flush?.() ?? Promise.resolve();
    void flushed.finally(() => process.exit(exitCode));
  };
  const shutdown = (why: string, code = 0) => {
    exitCode = Math.max(exitCode, code);
    if (closing) return;
    closing = true;
    log.debug(`shutting down: ${why}`);
    const deadlineMs = 2 * (options.graceMs?.() ?? DEFAULT_SETTINGS.stopGraceMs) + DEADLINE_MARGIN_MS;
    const deadline = setTimeout(() => {
      log.warn(`shutdown took longer than ${deadlineMs} ms; exiting anyway`);
      exit();
    }, deadlineMs);
    deadline.unref();
    options
      .close(why)
      .catch((error: unknown) => log.error(`while shutting down: ${String(error)}`))
      .finally(exit);
  };
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.stdin.on('close', () => shutdown('stdin closed'));
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => shutdown(signal));
  // A bug must not leave backends running: say what happened on stderr and shut down as usual, exit code 1.
  process.on('uncaughtException', (error) => {
    log.error(`internal error: ${error?.stack ?? String(error)}`);
    shutdown('internal error', 1);
  });
  process.on('unhandledRejection', (reason) => {
    log.error(`internal error (unhandled rejection): ${(reason as Error)?.stack ?? String(reason)}`);
    shutdown('internal error', 1);
  });
  // Writing to a host that is gone: leave instead of crashing on EPIPE.
  process.stdout.on('error', () => shutdown('stdout closed'));

  const parent = process.ppid;
  if (parent <= 1) return shutdown; // started by init or a container runtime: nothing to watch
  const watchdog = setInterval(() => {
    if (process.ppid !== parent || !isAlive(parent)) shutdown('the host process is gone');
  }, WATCHDOG_INTERVAL_MS);
  watchdog.unref();
  return shutdown;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
