/**
 * In-memory access tokens, one per (token endpoint, client, secret, scopes, audience, resource).
 *
 * - Refresh ahead of expiry: once a token is within min(60 s, 10 % of its lifetime) of expiring, the next
 *   caller starts a refresh in the background and still gets the current token; an expired token is never
 *   handed out.
 * - Single-flight: concurrent callers of one key share one token request and its result or error.
 * - Compare-and-invalidate: a 401 drops the cached token only if it is the one that was sent, so a burst
 *   of stale 401s makes one token request, not fifty.
 * - Backoff: after a failure the endpoint is not asked again until a delay has passed (long for permanent
 *   errors such as invalid_client, exponential with jitter and Retry-After for transient ones); callers
 *   during that window get the same error at once.
 *
 * Nothing is written to disk. Making the token request is the caller's `fetcher` (token-client.ts).
 */
import { createHash } from 'node:crypto';
import { SentinelError } from '../../errors.js';
import { TokenError, type IssuedToken } from './token-client.js';

export interface CachedToken {
  readonly value: string;
  readonly obtainedAt: number;
  readonly refreshAt: number;
  readonly expiresAt: number;
}

export interface TokenCacheOptions {
  now?: () => number;
  permanentBackoffMs?: number;
  transientBackoffMs?: number;
  maxTransientBackoffMs?: number;
  /** In [0, 1); for jitter. */
  random?: () => number;
}

export interface TokenKeyParts {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  scopes?: readonly string[];
  audience?: string;
  resource?: string;
}

/** The cache key; the secret enters only as a hash, so two configs of one client with different secrets never share. */
export function tokenCacheKey(parts: TokenKeyParts): string {
  const secretHash = createHash('sha256').update(parts.clientSecret).digest('hex').slice(0, 16);
  const scopes = [...(parts.scopes ?? [])].sort();
  return JSON.stringify([
    parts.tokenEndpoint,
    parts.clientId,
    secretHash,
    scopes,
    parts.audience ?? null,
    parts.resource ?? null,
  ]);
}

interface Failure {
  error: unknown;
  retryAt: number;
  attempts: number;
}

interface Entry {
  token?: CachedToken;
  inflight?: Promise<CachedToken>;
  failure?: Failure;
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly permanentBackoffMs: number;
  private readonly transientBackoffMs: number;
  private readonly maxTransientBackoffMs: number;
  private readonly random: () => number;

  constructor(options: TokenCacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.permanentBackoffMs = options.permanentBackoffMs ?? 60_000;
    this.transientBackoffMs = options.transientBackoffMs ?? 1_000;
    this.maxTransientBackoffMs = options.maxTransientBackoffMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  /** A usable token for `key`, fetching one with `fetcher` when needed. `signal` only stops this caller's wait. */
  async get(key: string, fetcher: () => Promise<IssuedToken>, signal?: AbortSignal): Promise<CachedToken> {
    const entry = this.entry(key);
    const now = this.now();
    const token = entry.token;
    if (token && now < token.refreshAt) return token;
    const backingOff = entry.failure !== undefined && now < entry.failure.retryAt;
    if (token && now < token.expiresAt) {
      if (!entry.inflight && !backingOff) this.refresh(entry, fetcher).catch(() => undefined);
      return token;
    }
    if (entry.inflight) return abortable(entry.inflight, signal);
    if (backingOff) throw entry.failure?.error;
    return abortable(this.refresh(entry, fetcher), signal);
  }

  /** Drops the cached token of `key` if it is `sent`; true when it did. */
  invalidate(key: string, sent: string): boolean {
    const entry = this.entries.get(key);
    if (!entry?.token || entry.token.value !== sent) return false;
    entry.token = undefined;
    return true;
  }

  /** Forgets everything about `key` (token, backoff): after a logout, the next caller asks again. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  /** The cached token, valid or not, for describing; undefined when none. */
  peek(key: string): CachedToken | undefined {
    return this.entries.get(key)?.token;
  }

  /** The last failure of `key` and when the endpoint may be asked again, if it is still backing off. */
  failure(key: string): { error: unknown; retryAt: number } | undefined {
    const failure = this.entries.get(key)?.failure;
    return failure && this.now() < failure.retryAt
      ? { error: failure.error, retryAt: failure.retryAt }
      : undefined;
  }

  private entry(key: string): Entry {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {};
      this.entries.set(key, entry);
    }
    return entry;
  }

  private refresh(entry: Entry, fetcher: () => Promise<IssuedToken>): Promise<CachedToken> {
    const run = async (): Promise<CachedToken> => {
      try {
        const issued = await fetcher();
        const obtainedAt = this.now();
        const ahead = Math.min(60_000, issued.lifetimeMs * 0.1);
        const token: CachedToken = {
          value: issued.accessToken,
          obtainedAt,
          refreshAt: obtainedAt + issued.lifetimeMs - ahead,
          expiresAt: obtainedAt + issued.lifetimeMs,
        };
        entry.token = token;
        entry.failure = undefined;
        return token;
      } catch (error) {
        const attempts = (entry.failure?.attempts ?? 0) + 1;
        entry.failure = { error, attempts, retryAt: this.now() + this.backoff(error, attempts) };
        throw error;
      } finally {
        entry.inflight = undefined;
      }
    };
    const promise = run();
    entry.inflight = promise;
    return promise;
  }

  private backoff(error: unknown, attempts: number): number {
    const permanent = error instanceof SentinelError && (error.permanent || error.code !== 'AUTH_TRANSIENT');
    if (permanent) return this.permanentBackoffMs;
    const exponential = Math.min(this.maxTransientBackoffMs, this.transientBackoffMs * 2 ** (attempts - 1));
    const jittered = exponential / 2 + (this.random() * exponential) / 2;
    const retryAfter = error instanceof TokenError ? (error.retryAfterMs ?? 0) : 0;
    return Math.max(jittered, retryAfter);
  }
}

/** `promise`, or the abort reason as soon as `signal` aborts: stops one caller's wait, not the work. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
