/**
 * The caching hints of 2026-07-28 list results (cache-hints.ts): what a result says, how the hints of
 * several results combine, and when a list is stale or may not be shared.
 */
import { describe, expect, it } from 'vitest';
import { allFresh, combineHints, hintOf, isExpired, isShareable } from '../../src/backends/cache-hints.js';

describe('caching hints of list results', () => {
  it.each<[string, Record<string, unknown>, ReturnType<typeof hintOf>]>([
    ['none on a 2025-era result', { tools: [] }, undefined],
    [
      'ttl and scope as sent',
      { ttlMs: 5000, cacheScope: 'public' },
      { ttlMs: 5000, scope: 'public', fetchedAt: 1 },
    ],
    ['private when the scope is absent', { ttlMs: 5000 }, { ttlMs: 5000, scope: 'private', fetchedAt: 1 }],
    [
      'immediately stale when the ttl is absent',
      { cacheScope: 'public' },
      { ttlMs: 0, scope: 'public', fetchedAt: 1 },
    ],
    [
      'immediately stale for a nonsensical ttl',
      { ttlMs: -3, cacheScope: 'x' },
      { ttlMs: 0, scope: 'private', fetchedAt: 1 },
    ],
  ])('reads %s', (_what, result, expected) => {
    expect(hintOf(result, 1)).toEqual(expected);
  });

  it('combines pages: the earliest expiry wins and one private page makes the list private', () => {
    expect(
      combineHints([
        { ttlMs: 10_000, scope: 'public', fetchedAt: 1_000 },
        undefined,
        { ttlMs: 2_000, scope: 'private', fetchedAt: 1_500 },
      ]),
    ).toEqual({ ttlMs: 2_500, scope: 'private', fetchedAt: 1_000 });
    expect(combineHints([undefined, undefined])).toBeUndefined();
  });

  it('is stale once the ttl has passed, and shareable only when nothing is private', () => {
    const hint = { ttlMs: 1_000, scope: 'public' as const, fetchedAt: 10_000 };
    expect(isExpired(hint, 10_999)).toBe(false);
    expect(isExpired(hint, 11_000)).toBe(true);
    expect(isExpired(undefined, Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(allFresh({ tools: hint, prompts: { ...hint, ttlMs: 0 } }, 10_500)).toBe(false);
    expect(allFresh(undefined, 0)).toBe(true);
    expect(isShareable({ tools: hint })).toBe(true);
    expect(isShareable({ tools: hint, resources: { ...hint, scope: 'private' } })).toBe(false);
    expect(isShareable(undefined)).toBe(true);
  });
});
