/**
 * Ending a stdio backend and everything it started. On POSIX the child leads its own process group, so
 * one signal reaches `npx`'s grandchildren too; on Windows `taskkill /T` walks the tree, which it can only
 * do while the leader is alive (the tree is found through parent pids).
 */
import { spawn, type ChildProcess } from 'node:child_process';

const isWindows = process.platform === 'win32';

export function signalTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  if (isWindows) {
    // No signals to speak of on Windows: child.kill would end the leader alone and orphan its tree.
    if (hasExited(child)) return;
    spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on(
      'error',
      () => undefined,
    );
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves when the child has exited, or after `ms`. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/**
 * Polite first, then firm: close stdin (most servers exit on EOF), then SIGTERM the group, then SIGKILL it.
 * The group is signalled even after the leader exits, so that grandchildren that ignored EOF die too.
 */
export async function terminateTree(child: ChildProcess, graceMs: number): Promise<void> {
  child.stdin?.end();
  if (!(await waitForExit(child, graceMs))) {
    signalTree(child, 'SIGTERM');
    if (!(await waitForExit(child, graceMs))) signalTree(child, 'SIGKILL');
  }
  if (!isWindows) signalTree(child, 'SIGKILL');
}

/**
 * The leader exited on its own (a crash): what it started may still run in its group. SIGTERM the group now
 * and SIGKILL whatever is left after `graceMs`, without making the caller wait. (On Windows the tree can no
 * longer be found once the leader is gone.)
 */
export function reapGroup(child: ChildProcess, graceMs: number): void {
  if (isWindows || child.pid === undefined || !groupExists(child.pid)) return;
  signalTree(child, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  const poll = setInterval(
    () => {
      if (!groupExists(child.pid!)) clearInterval(poll);
      else if (Date.now() >= deadline) {
        clearInterval(poll);
        signalTree(child, 'SIGKILL');
      }
    },
    Math.min(100, graceMs),
  );
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
