/**
 * The compiled code of mcp-sentinel, kept under the user's cache directory so that the next start does not
 * compile it again: Node's own compile cache where Node has one (module.enableCompileCache, Node ≥ 22.1),
 * V8's code cache for the bundle's chunks on Node 20 (chunk-code-cache.ts). It holds compiled JavaScript
 * only, never configuration, manifests or secrets. Node's NODE_DISABLE_COMPILE_CACHE=1 turns it off, and
 * NODE_COMPILE_CACHE=DIR puts it elsewhere.
 */
import { mkdirSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import { userCacheDir } from '../backends/manifest/cache-dir.js';
import { cacheChunks } from './chunk-code-cache.js';

type Enable = (directory?: string) => unknown;

/** The directory it uses (`<user cache>/mcp-sentinel/compile`). */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(userCacheDir(env), 'compile');
}

/**
 * Called by bin/ before the CLI is loaded, so that all of it is cached. `chunks` is the bundle's directory
 * (its CommonJS chunks are what Node 20 gets a cache for).
 */
export function enableCompileCache(chunks?: string): void {
  const enable = (module as unknown as { enableCompileCache?: Enable }).enableCompileCache;
  try {
    if (typeof enable !== 'function' && (chunks === undefined || process.env.NODE_DISABLE_COMPILE_CACHE))
      return;
    const dir = process.env.NODE_COMPILE_CACHE || compileCacheDir();
    // Private like the manifests beside it (Node would make it readable by everyone).
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (typeof enable === 'function') enable(dir);
    else cacheChunks(chunks!, join(dir, `v8-${process.version}-${process.arch}`));
  } catch {
    // A cache that cannot be made is no cache: start as usual.
  }
}
