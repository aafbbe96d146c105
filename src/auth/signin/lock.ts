/**
 * A lock shared by every mcp-sentinel process of the user: hosts start several `serve` instances, and two
 * of them refreshing one token at once would burn a rotating refresh token (the second refresh is refused
 * and the user is asked to sign in again). One lock file per token in the user's runtime directory
 * ($XDG_RUNTIME_DIR, else the cache directory), created with O_EXCL; it holds the owner's pid and time.
 *
 * Stale-lock recovery: a lock whose owner process is gone, or older than `staleMs`, is taken over.
 * Callers re-read the keychain after taking the lock: the previous holder may have refreshed already.
 */
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SentinelError } from '../../errors.js';

export interface LockOptions {
  dir?: string;
  /** A lock older than this is stale whatever its owner. Default 60 s. */
  staleMs?: number;
  /** Give up waiting after this long. Default 90 s. */
  timeoutMs?: number;
  pollMs?: number;
}

/** The directory for lock files: per user, never shared, cleaned by the OS where it can be. */
export function defaultLockDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MCP_SENTINEL_LOCK_DIR) return env.MCP_SENTINEL_LOCK_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'mcp-sentinel');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'mcp-sentinel', 'locks');
  if (process.platform === 'win32' && env.LOCALAPPDATA)
    return join(env.LOCALAPPDATA, 'mcp-sentinel', 'locks');
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mcp-sentinel', 'locks');
}

/** Runs `fn` holding the lock `name` (a file-name-safe string). */
export async function withFileLock<T>(
  name: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const dir = options.dir ?? defaultLockDir();
  const path = join(dir, `${name}.lock`);
  const staleMs = options.staleMs ?? 60_000;
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  const pollMs = options.pollMs ?? 50;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${process.pid} ${Date.now()}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await isStale(path, staleMs)) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new SentinelError(
          'AUTH_TRANSIENT',
          `another mcp-sentinel process holds the sign-in lock ${path}`,
          {
            hint: `if no other mcp-sentinel is running, delete ${path}`,
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs + Math.random() * pollMs));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}

async function isStale(path: string, staleMs: number): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const pid = Number(text.split(' ')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return Date.now() - info.mtimeMs > 1_000;
    return !processAlive(pid);
  } catch {
    // Gone between the failed create and now: not stale, just retry.
    return false;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
