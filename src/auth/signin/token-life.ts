/** When a signed-in token is due for refresh, and when it is of no use any more. */
import type { TokenRecord } from './store.js';

/** Refresh when less than this much lifetime is left (or a tenth of the lifetime, whichever is larger). */
const REFRESH_MARGIN_MS = 60_000;

export function expiring(token: TokenRecord, now: number): boolean {
  if (token.expiresAt === undefined) return false;
  const lifetime = token.expiresAt - token.obtainedAt;
  return token.expiresAt - now < Math.max(Math.min(REFRESH_MARGIN_MS, lifetime / 2), lifetime / 10);
}

export function expired(token: TokenRecord, now: number): boolean {
  return token.expiresAt !== undefined && token.expiresAt <= now;
}
