/**
 * Results as the 2026-07-28 revision shapes them: every result says its `resultType`, and the results a
 * client may cache (lists, reads, discovery) carry the caching hints `ttlMs` and `cacheScope`. The
 * 2025-era server behind the gateway answers without them; they are added here, never overwritten.
 */
import { MODERN_REVISIONS, SERVER_INFO_KEY } from './envelope.js';

/** The results the revision makes cacheable (CacheableResult). */
const CACHEABLE = new Set([
  'server/discover',
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
]);

/**
 * The catalog can change whenever a backend comes, goes or announces a list change, so the host is told
 * to treat lists as immediately stale (it learns of changes on `subscriptions/listen`), and that they are
 * for its own authorization context only: backends answer per user.
 */
export const CACHE_HINTS = { ttlMs: 0, cacheScope: 'private' } as const;

export function modernResult(
  method: string,
  result: Record<string, unknown>,
  serverInfo: Record<string, unknown>,
): Record<string, unknown> {
  const meta =
    typeof result._meta === 'object' && result._meta !== null
      ? (result._meta as Record<string, unknown>)
      : {};
  const resultType = typeof result.resultType === 'string' ? result.resultType : 'complete';
  return {
    ...result,
    resultType,
    ...(CACHEABLE.has(method) &&
      resultType === 'complete' && {
        ttlMs: typeof result.ttlMs === 'number' ? result.ttlMs : CACHE_HINTS.ttlMs,
        cacheScope: result.cacheScope === 'public' ? 'public' : CACHE_HINTS.cacheScope,
      }),
    _meta: { ...meta, [SERVER_INFO_KEY]: serverInfo },
  };
}

export interface DiscoverParts {
  capabilities: Record<string, unknown>;
  instructions?: string;
}

/**
 * The `server/discover` answer: what the backends offer, merged as for `initialize`, in the revision's
 * vocabulary (tasks are an extension there, not a core capability, and are left out).
 */
export function discoverResult(
  parts: DiscoverParts,
  serverInfo: Record<string, unknown>,
): Record<string, unknown> {
  const { tasks: _tasks, ...capabilities } = parts.capabilities;
  return modernResult(
    'server/discover',
    {
      supportedVersions: MODERN_REVISIONS,
      capabilities,
      serverInfo,
      ...(parts.instructions && { instructions: parts.instructions }),
    },
    serverInfo,
  );
}
