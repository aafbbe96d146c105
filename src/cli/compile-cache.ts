/**
 * Node's on-disk compile cache (module.enableCompileCache, Node ≥ 22.1; absent on Node 20, where this
 * does nothing): the compiled code of mcp-sentinel and its dependencies is kept under the user's cache
 * directory, so that the next start does not compile them again. It holds compiled JavaScript only, never
 * configuration, manifests or secrets. Node's own NODE_DISABLE_COMPILE_CACHE=1 turns it off, and
 * NODE_COMPILE_CACHE=DIR puts it elsewhere.
 */
import { mkdirSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import { userCacheDir } from '../backends/manifest/cache-dir.js';

type Enable = (directory?: string) => unknown;

/** The directory it uses (`<user cache>/mcp-sentinel/compile`). */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(userCacheDir(env), 'compile');
}

/** Called by bin/ before the CLI is imported, so that all of it is cached. */
export function enableCompileCache(): void {
  const enable = (module as unknown as { enableCompileCache?: Enable }).enableCompileCache;
  if (typeof enable !== 'function') return;
  try {
    const dir = process.env.NODE_COMPILE_CACHE ?? compileCacheDir();
    // Private like the manifests beside it (Node would make it readable by everyone).
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    enable(dir);
  } catch {
    // A cache that cannot be made is no cache: start as usual.
  }
}
