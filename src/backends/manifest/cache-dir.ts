/**
 * Where mcp-sentinel keeps what it may throw away: the user's cache directory of the OS. `XDG_CACHE_HOME`
 * wins on every OS (tests and users who set it expect it to); then `%LOCALAPPDATA%` on Windows,
 * `~/Library/Caches` on macOS and `~/.cache` elsewhere.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function userCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'mcp-sentinel');
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA ?? join(home, 'AppData', 'Local');
    return join(local, 'mcp-sentinel', 'Cache');
  }
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'mcp-sentinel');
  return join(home, '.cache', 'mcp-sentinel');
}

/** The manifests of backends, one file per launch fingerprint. */
export function manifestDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(userCacheDir(env), 'manifests');
}
