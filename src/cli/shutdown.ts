/**
 * Leaving cleanly whatever the host does: close stdin (the SDK's stdio server does not notice EOF,
 * typescript-sdk #2002), send SIGTERM/SIGINT/SIGHUP, or die without a word (a parent-PID watchdog).
 * Every path closes all backends, with a hard deadline so a stuck one cannot keep us alive.
 */
import { log } from '../log.js';

const DEADLINE_MS = 6_000;

export function installShutdown(close: () => Promise<void>): void {
  let closing = false;
  const shutdown = (why: string) => {
    if (closing) return;
    closing = true;
    log.debug(`shutting down: ${why}`);
    const deadline = setTimeout(() => process.exit(0), DEADLINE_MS);
    deadline.unref();
    close()
      .catch((error: unknown) => log.error(`while shutting down: ${String(error)}`))
      .finally(() => process.exit(0));
  };
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.stdin.on('close', () => shutdown('stdin closed'));
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => shutdown(signal));

  const parent = process.ppid;
  if (parent <= 1) return; // started by init or a container runtime: nothing to watch
  const watchdog = setInterval(() => {
    if (process.ppid !== parent || !isAlive(parent)) shutdown('the host process is gone');
  }, 2_000);
  watchdog.unref();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
