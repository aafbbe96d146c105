/**
 * The caching hints of the 2026-07-28 revision on list results (`ttlMs`, `cacheScope`; the spec's
 * server/utilities/caching): how long a list may be served from a cache, and whether a cache may share it
 * across authorization contexts. Pure functions over what a backend sent; the list caches (lists.ts) and
 * the manifest cache (manifest/) decide with them.
 *
 * - `ttlMs`: the list is fresh for that many milliseconds after it was received; 0 (or absent on a result
 *   that carries hints) means immediately stale.
 * - `cacheScope`: "public" lists hold nothing user-specific and may be shared; "private" ones (the
 *   default when absent) may be reused only within the same authorization context, so they never go into
 *   the manifest file that outlives the session.
 *
 * A result with neither field comes from a 2025-era server, which gives no hints: its lists are cached as
 * before (until `list_changed`), and nothing here applies to them.
 */
import type { ListKind } from './types.js';

export type CacheScope = 'public' | 'private';

export interface ListHint {
  ttlMs: number;
  scope: CacheScope;
  /** When the list was received, ms since the epoch. */
  fetchedAt: number;
}

export type ListHints = Partial<Record<ListKind, ListHint>>;

/** The hint a list result carries, or undefined when it carries none (a 2025-era result). */
export function hintOf(result: Record<string, unknown>, now: number): ListHint | undefined {
  const { ttlMs, cacheScope } = result;
  if (ttlMs === undefined && cacheScope === undefined) return undefined;
  return {
    ttlMs: typeof ttlMs === 'number' && Number.isFinite(ttlMs) && ttlMs > 0 ? ttlMs : 0,
    scope: cacheScope === 'public' ? 'public' : 'private',
    fetchedAt: now,
  };
}

/**
 * The hint of a list made of several results (pages, or resources with their templates): the shortest
 * freshness wins, and one private part makes the whole private.
 */
export function combineHints(hints: (ListHint | undefined)[]): ListHint | undefined {
  let combined: ListHint | undefined;
  for (const hint of hints) {
    if (!hint) continue;
    if (!combined) {
      combined = { ...hint };
      continue;
    }
    const expiry = Math.min(combined.fetchedAt + combined.ttlMs, hint.fetchedAt + hint.ttlMs);
    combined.fetchedAt = Math.min(combined.fetchedAt, hint.fetchedAt);
    combined.ttlMs = expiry - combined.fetchedAt;
    if (hint.scope === 'private') combined.scope = 'private';
  }
  return combined;
}

/** Whether a list with this hint must be fetched again before it is served. */
export function isExpired(hint: ListHint | undefined, now: number): boolean {
  return hint !== undefined && now >= hint.fetchedAt + hint.ttlMs;
}

/** Whether lists with these hints may go into a file shared across sessions: none of them is private. */
export function isShareable(hints: ListHints | undefined): boolean {
  return !Object.values(hints ?? {}).some((hint) => hint?.scope === 'private');
}

/** Whether every hinted list is still fresh (lists without hints always are). */
export function allFresh(hints: ListHints | undefined, now: number): boolean {
  return !Object.values(hints ?? {}).some((hint) => isExpired(hint, now));
}
