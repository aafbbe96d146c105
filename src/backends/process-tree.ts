/**
 * Ending a stdio backend and everything it started. On POSIX the child leads its own process group, so
 * one signal reaches `npx`'s grandchildren too; on Windows `taskkill /T` walks the tree.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export function signalTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') {
      if (signal === 'SIGKILL')
        spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
      else child.kill(signal);
    } else {
      process.kill(-child.pid, signal);
    }
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
  signalTree(child, 'SIGKILL');
}
