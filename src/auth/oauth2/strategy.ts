/**
 * The token strategies: a Bearer token on every request of one backend, obtained with the backend's grant
 * (`oauth2`: client credentials; `jwt-bearer`, `token-exchange`, `enterprise`: grants/*.ts). The grant
 * says how one token is requested; this module owns the cache, the token on each request, and what happens
 * on a 401. Where the token endpoint comes from, and who may receive the client secret, is endpoint.ts.
 *
 * On a 401 from the backend: drop the cached token only if it is the one sent, get a fresh one, retry the
 * request once; a second 401 is an AUTH_FAILED error. Another 401-driven refresh within a short window
 * fails at once instead of asking the token endpoint again, so a GET stream that always gets 401 cannot
 * turn into a token-request loop.
 */
import { SentinelError } from '../../errors.js';
import { redactSecret } from '../../log.js';
import type { OAuth2AuthConfig } from '../../config/types.js';
import { defaultBaseFetch, type BaseFetch } from '../base-fetch.js';
import { serverNotice, SignInChangeWatch } from '../sign-in-notices.js';
import {
  isReplayable,
  mergeHeaders,
  sameOrigin,
  type AuthContext,
  type AuthOptions,
  type AuthStrategy,
} from '../strategy.js';
import { clientCredentialsGrant } from './client-credentials.js';
import type { MetadataEnv } from './discovery.js';
import { createEndpointResolver, type Endpoint, type EndpointResolver } from './endpoint.js';
import type { TokenGrant } from './grant.js';
import { TokenError } from './token-client.js';
import { TokenCache, type CachedToken } from './token-cache.js';

export interface OAuth2StrategyInput {
  url: string;
  /** Per-server `headers`, resolved and validated. */
  headers: Record<string, string>;
  auth: OAuth2AuthConfig;
}

let sharedCache: TokenCache | undefined;

/** The process-wide cache with production timings, used when the context brings none. */
export function sharedTokenCache(): TokenCache {
  sharedCache ??= new TokenCache();
  return sharedCache;
}

export function createOAuth2Strategy(input: OAuth2StrategyInput, ctx: TokenStrategyContext): AuthStrategy {
  return createTokenStrategy(input, clientCredentialsGrant(input.auth), ctx);
}

/** What the parts of one backend's token strategy share. */
interface TokenState {
  grant: TokenGrant;
  headers: Record<string, string>;
  origin: string;
  who: string;
  base: BaseFetch;
  cache: TokenCache;
  options: AuthOptions;
  now: () => number;
  endpoints: EndpointResolver;
  /** The token for `endpoint`, from the cache or a new request. */
  token(endpoint: Endpoint, signal?: AbortSignal): Promise<CachedToken>;
  /** The last error a caller saw, for `describe()`. */
  lastError?: SentinelError;
  /** Logouts that drop this backend's tokens (sign-in-notices.ts); looked at before every token is handed out. */
  signInChanges?: SignInChangeWatch;
}

/** What a token strategy needs beyond the common context. */
export type TokenStrategyContext = AuthContext & { tokenCache?: TokenCache; lockDir?: string };

/** The strategy for one backend whose tokens come from `grant`. */
export function createTokenStrategy(
  input: { url: string; headers: Record<string, string> },
  grant: TokenGrant,
  ctx: TokenStrategyContext,
): AuthStrategy {
  const options = ctx.options ?? {};
  const now = ctx.now ?? Date.now;
  const base: BaseFetch = ctx.baseFetch ?? defaultBaseFetch();
  const who = `backend "${ctx.backend}"`;
  // No caller's signal: discovery is shared by every waiter, and its requests have their own deadline.
  const metadataEnv: MetadataEnv = {
    base,
    backend: ctx.backend,
    timeoutMs: options.metadataTimeoutMs ?? 10_000,
    maxResponseBytes: options.maxResponseBytes ?? 1024 * 1024,
  };
  const endpoints = createEndpointResolver(grant, {
    backendUrl: input.url,
    metadataEnv,
    options,
    now,
    log: ctx.log,
    who,
  });
  const state: TokenState = {
    grant,
    headers: input.headers,
    origin: new URL(input.url).origin,
    who,
    base,
    cache: ctx.tokenCache ?? sharedTokenCache(),
    options,
    now,
    endpoints,
    token: tokenSource(grant, ctx, base, options, () => state),
  };
  // `logout` of this server, or of a sign-in its tokens derive from, drops them here at once.
  state.signInChanges = new SignInChangeWatch(() => {
    const key = endpoints.current()?.key;
    if (key) state.cache.forget(key);
    grant.forget?.();
    state.lastError = undefined;
  }, ctx.lockDir);
  state.signInChanges.add(serverNotice(input.url));
  grant.signInChanges?.((subject) => state.signInChanges?.add(subject));
  return {
    type: grant.type,
    fetch: tokenFetch(state),
    prepare: (signal) => prepare(state, signal),
    describe: () => describe(state),
    close: () => undefined,
  };
}

/** Tokens from the cache, requested with the grant when needed; each new one replaces the last in the redactor. */
function tokenSource(
  grant: TokenGrant,
  ctx: TokenStrategyContext,
  base: BaseFetch,
  options: AuthOptions,
  state: () => TokenState,
): TokenState['token'] {
  /** Takes the current access token out of the log redactor once a newer one replaces it. */
  let unregisterToken: () => void = () => undefined;
  return async (e, signal) => {
    try {
      await state().signInChanges?.check();
      const cached = await state().cache.get(
        e.key,
        async () => {
          const issued = await grant.request(e, {
            base,
            backend: ctx.backend,
            timeoutMs: options.tokenTimeoutMs ?? 30_000,
            maxResponseBytes: options.maxResponseBytes ?? 1024 * 1024,
            defaultLifetimeMs: options.defaultTokenLifetimeMs ?? 300_000,
          });
          // The replaced token is taken out of the redactor: a long serve must not collect every token.
          const unregister = redactSecret(issued.accessToken);
          unregisterToken();
          unregisterToken = unregister;
          ctx.log.debug(
            `obtained an access token from ${new URL(e.tokenEndpoint).origin} (valid ${Math.round(issued.lifetimeMs / 1000)} s)`,
          );
          return issued;
        },
        signal,
      );
      state().lastError = undefined;
      return cached;
    } catch (error) {
      if (error instanceof SentinelError) state().lastError = error;
      throw error;
    }
  };
}

/**
 * The backend's requests with its headers and a Bearer token; on a 401, one retry with a fresh token
 * (the cached one dropped only if it is the one sent), and a 401-driven refresh at most once per window.
 */
function tokenFetch(state: TokenState): AuthStrategy['fetch'] {
  const { base, who, cache, endpoints, options, now } = state;
  const plainHeaders = Object.entries(state.headers);
  let lastUnauthorizedRefresh = Number.NEGATIVE_INFINITY;

  /** Sends to the backend's own origin with its headers and `bearer` (when there is one). */
  const send = (url: string | URL, init: RequestInit | undefined, bearer: string | undefined) => {
    const credentials: [string, string][] = [...plainHeaders];
    if (bearer !== undefined) credentials.push(['authorization', `Bearer ${bearer}`]);
    return base(url, { ...init, headers: mergeHeaders(init, credentials) }, who);
  };

  const unauthorized = (response: Response, detail: string): SentinelError => {
    const challenge = /error="?([a-z_]+)/i.exec(response.headers.get('www-authenticate') ?? '')?.[1];
    const error = new SentinelError(
      'AUTH_FAILED',
      `${who} answered HTTP 401${challenge ? ` (${challenge})` : ''} ${detail}`,
      { hint: 'check that the token fits this backend: auth.resource, auth.audience and auth.scopes' },
    );
    state.lastError = error;
    return error;
  };

  return async (url, init) => {
    // Another origin gets neither the configured headers nor the token.
    if (!sameOrigin(url, state.origin))
      return base(url, { ...init, headers: mergeHeaders(init, undefined) }, who);
    const refusal = endpoints.refusal();
    if (refusal) throw refusal;
    const signal = init?.signal ?? undefined;
    const known = endpoints.current();
    const sent = known ? await state.token(known, signal) : undefined;
    const first = await send(url, init, sent?.value);
    if (first.status !== 401) return first;
    await first.body?.cancel().catch(() => undefined);
    if (!isReplayable(init)) throw unauthorized(first, 'and the request cannot be repeated');

    let target = known;
    if (!target || !sent) {
      target = await endpoints.resolve(first.headers.get('www-authenticate'), signal);
    } else if (cache.peek(target.key)?.value === sent.value) {
      if (now() - lastUnauthorizedRefresh < (options.unauthorizedRefreshIntervalMs ?? 5_000)) {
        throw unauthorized(first, 'again right after a token refresh; not asking for another token yet');
      }
      lastUnauthorizedRefresh = now();
      cache.invalidate(target.key, sent.value);
    }
    const fresh = await state.token(target, signal);
    const second = await send(url, init, fresh.value);
    if (second.status === 401) {
      await second.body?.cancel().catch(() => undefined);
      throw unauthorized(second, 'to a freshly obtained access token');
    }
    return second;
  };
}

/** With a pinned endpoint or issuer, the first token before the backend connects. */
async function prepare(state: TokenState, signal: AbortSignal | undefined): Promise<void> {
  const { grant, now } = state;
  if (!grant.tokenUrl && !grant.issuer) return;
  const started = now();
  let waitingFor = grant.tokenUrl
    ? `token endpoint ${withoutQuery(grant.tokenUrl)}`
    : `the metadata of authorization server ${grant.issuer}`;
  try {
    const e = await state.endpoints.resolve(undefined, signal);
    waitingFor = `token endpoint ${withoutQuery(e.tokenEndpoint)}`;
    await state.token(e, signal);
  } catch (error) {
    // The caller's deadline (the backend's startup timeout) ran out first: say what it was waiting for.
    const reason: unknown = signal?.aborted ? signal.reason : undefined;
    if (reason !== undefined && error === reason && (reason as Error).name === 'TimeoutError') {
      throw new TokenError(
        false,
        `${state.who}: ${waitingFor} did not answer within ${Math.round((now() - started) / 100) / 10} s`,
        { hint: 'check that the authorization server is up; it is asked again when the backend restarts' },
      );
    }
    throw error;
  }
}

/** Names, endpoints, expiry and the last error: never a token or a secret. */
function describe(state: TokenState): Record<string, unknown> {
  const { grant, cache, endpoints } = state;
  const endpoint = endpoints.current();
  const cached = endpoint ? cache.peek(endpoint.key) : undefined;
  const failure = endpoint ? cache.failure(endpoint.key) : undefined;
  const shownError =
    state.lastError ??
    endpoints.refusal() ??
    (failure?.error instanceof SentinelError ? failure.error : undefined);
  const discoveredIssuer = endpoints.discoveredIssuer();
  return {
    type: grant.type,
    ...grant.describe(),
    // Without its query: a token endpoint URL may carry a key there.
    tokenEndpoint: endpoint ? withoutQuery(endpoint.tokenEndpoint) : undefined,
    issuer: endpoint?.issuer ?? grant.issuer,
    endpointSource: endpoint?.source ?? (grant.issuer ? 'issuer' : 'discovery'),
    ...(discoveredIssuer !== undefined
      ? { discoveredIssuer, pinHint: `add "issuer": "${discoveredIssuer}" to this backend's auth settings` }
      : {}),
    resource: endpoint?.resource ?? grant.resource,
    expiresAt: cached ? new Date(cached.expiresAt).toISOString() : undefined,
    retryAt: failure ? new Date(failure.retryAt).toISOString() : undefined,
    lastError: shownError ? { code: shownError.code, message: shownError.message } : undefined,
    headers: Object.keys(state.headers),
  };
}

/** `url` without its query and fragment, for display. */
function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url.split(/[?#]/)[0] ?? url;
  }
}
