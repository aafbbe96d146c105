/**
 * The token strategies: a Bearer token on every request of one backend, obtained with the backend's grant
 * (`oauth2`: client credentials; `jwt-bearer`, `token-exchange`, `enterprise`: grants/*.ts). The grant
 * says how one token is requested; this module owns where the token endpoint comes from, the cache, and
 * what happens on a 401.
 *
 * Where the token endpoint comes from, and who may receive the client secret (issuer binding):
 * - `tokenUrl` pinned: that endpoint, nothing else; the token is fetched in `prepare()`.
 * - `issuer` pinned: that issuer's metadata gives the endpoint; metadata naming another issuer is refused.
 * - neither: the backend's first 401 starts MCP discovery (discovery.ts). The issuer found that way gets
 *   the secret only with `allowDiscoveredIssuer: true`; otherwise the request fails with a hint showing
 *   the issuer to pin, and `describe()` shows it for `doctor`.
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
import { mergeHeaders, sameOrigin, type AuthContext, type AuthStrategy } from '../strategy.js';
import { clientCredentialsGrant } from './client-credentials.js';
import { discoverProtectedResource, fetchAuthorizationServer, type MetadataEnv } from './discovery.js';
import { TokenError } from './token-client.js';
import { abortable, TokenCache, tokenCacheKey, type CachedToken } from './token-cache.js';
import type { GrantTarget, TokenGrant } from './grant.js';

export interface OAuth2StrategyInput {
  url: string;
  /** Per-server `headers`, resolved and validated. */
  headers: Record<string, string>;
  auth: OAuth2AuthConfig;
}

interface Endpoint extends GrantTarget {
  /** The token cache key, computed once: it hashes the grant's confidential material. */
  key: string;
}

let sharedCache: TokenCache | undefined;

/** The process-wide cache with production timings, used when the context brings none. */
export function sharedTokenCache(): TokenCache {
  sharedCache ??= new TokenCache();
  return sharedCache;
}

export function createOAuth2Strategy(
  input: OAuth2StrategyInput,
  ctx: AuthContext & { tokenCache?: TokenCache },
): AuthStrategy {
  return createTokenStrategy(input, clientCredentialsGrant(input.auth), ctx);
}

/** The strategy for one backend whose tokens come from `grant`. */
export function createTokenStrategy(
  input: { url: string; headers: Record<string, string> },
  grant: TokenGrant,
  ctx: AuthContext & { tokenCache?: TokenCache },
): AuthStrategy {
  const options = ctx.options ?? {};
  const now = ctx.now ?? Date.now;
  const base: BaseFetch = ctx.baseFetch ?? defaultBaseFetch();
  const cache = ctx.tokenCache ?? sharedTokenCache();
  const origin = new URL(input.url).origin;
  const who = `backend "${ctx.backend}"`;
  const plainHeaders = Object.entries(input.headers);
  const log = ctx.log;

  // No caller's signal: discovery is shared by every waiter, and its requests have their own deadline.
  const metadataEnv: MetadataEnv = {
    base,
    backend: ctx.backend,
    timeoutMs: options.metadataTimeoutMs ?? 10_000,
    maxResponseBytes: options.maxResponseBytes ?? 1024 * 1024,
  };

  const withKey = (e: Omit<Endpoint, 'key' | 'backendUrl'>): Endpoint => ({
    ...e,
    backendUrl: input.url,
    key: tokenCacheKey({
      tokenEndpoint: e.tokenEndpoint,
      clientId: `${grant.type} ${grant.identity.clientId ?? ''}`,
      clientSecret: grant.identity.material,
      scopes: grant.identity.scopes,
      audience: grant.identity.audience,
      resource: e.resource,
    }),
  });

  let endpoint: Endpoint | undefined = grant.tokenUrl
    ? withKey({
        tokenEndpoint: grant.tokenUrl,
        issuer: grant.issuer,
        source: 'tokenUrl',
        resource: grant.resource,
      })
    : undefined;
  let endpointPending: Promise<Endpoint> | undefined;
  /** The last failed discovery, answered to every caller until `retryAt` instead of discovering again. */
  let discoveryFailure: { error: unknown; retryAt: number; attempts: number } | undefined;
  let discoveredIssuer: string | undefined;
  let lastUnauthorizedRefresh = Number.NEGATIVE_INFINITY;
  let lastError: SentinelError | undefined;
  /** Takes the current access token out of the log redactor once a newer one replaces it. */
  let unregisterToken: () => void = () => undefined;
  /** Set when discovery found an issuer nobody pinned: a configuration matter, so it is not retried. */
  let refusal: SentinelError | undefined;

  /**
   * Single-flight resolution of the endpoint from a pinned issuer, or from a 401 challenge. The shared
   * discovery ignores the callers' signals; each caller's `signal` only ends its own wait. After a failure,
   * callers get the same error until a backoff has passed (every 401 would otherwise discover again).
   */
  const resolveEndpoint = (challenge: string | null | undefined, signal?: AbortSignal): Promise<Endpoint> => {
    if (endpoint) return Promise.resolve(endpoint);
    if (discoveryFailure && now() < discoveryFailure.retryAt) return Promise.reject(discoveryFailure.error);
    if (!endpointPending) {
      endpointPending = (async () => {
        try {
          if (grant.issuer) {
            const as = await fetchAuthorizationServer(grant.issuer, metadataEnv);
            endpoint = withKey({
              tokenEndpoint: as.tokenEndpoint,
              issuer: as.issuer,
              source: 'issuer',
              resource: grant.resource,
            });
            discoveryFailure = undefined;
            return endpoint;
          }
          const prm = await discoverProtectedResource(input.url, challenge ?? null, metadataEnv);
          discoveredIssuer = prm.issuer;
          if (grant.allowDiscoveredIssuer !== true) {
            throw (refusal = new SentinelError(
              'AUTH_FAILED',
              `${who}: discovery found authorization server ${prm.issuer}, which no tokenUrl or issuer pins; it is not sent ${grant.confidential}`,
              {
                hint: `if you trust it, add "issuer": "${prm.issuer}" to this backend's auth settings`,
                permanent: true,
              },
            ));
          }
          const as = await fetchAuthorizationServer(prm.issuer, metadataEnv);
          log.info(
            `using authorization server ${as.issuer} found by discovery; pin it with "issuer" in the config`,
          );
          endpoint = withKey({
            tokenEndpoint: as.tokenEndpoint,
            issuer: as.issuer,
            source: 'discovery',
            resource: grant.resource ?? prm.resource,
          });
          discoveryFailure = undefined;
          return endpoint;
        } catch (error) {
          const attempts = (discoveryFailure?.attempts ?? 0) + 1;
          const transient =
            error instanceof SentinelError && error.code === 'AUTH_TRANSIENT' && !error.permanent;
          const wait = transient
            ? Math.min(
                options.maxTransientBackoffMs ?? 30_000,
                (options.transientBackoffMs ?? 1_000) * 2 ** (attempts - 1),
              )
            : (options.permanentBackoffMs ?? 60_000);
          discoveryFailure = { error, attempts, retryAt: now() + wait };
          throw error;
        } finally {
          endpointPending = undefined;
        }
      })();
      // Every waiter may have stopped waiting: a failure nobody awaits is still handled.
      endpointPending.catch(() => undefined);
    }
    return abortable(endpointPending, signal);
  };

  const token = async (e: Endpoint, signal?: AbortSignal): Promise<CachedToken> => {
    try {
      const cached = await cache.get(
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
          log.debug(
            `obtained an access token from ${new URL(e.tokenEndpoint).origin} (valid ${Math.round(issued.lifetimeMs / 1000)} s)`,
          );
          return issued;
        },
        signal,
      );
      lastError = undefined;
      return cached;
    } catch (error) {
      if (error instanceof SentinelError) lastError = error;
      throw error;
    }
  };

  /** Sends to the backend's own origin with its headers and `bearer` (when there is one). */
  const send = (
    url: string | URL,
    init: RequestInit | undefined,
    bearer: string | undefined,
  ): Promise<Response> => {
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
    lastError = error;
    return error;
  };

  const fetch = async (url: string | URL, init?: RequestInit): Promise<Response> => {
    // Another origin gets neither the configured headers nor the token.
    if (!sameOrigin(url, origin)) return base(url, { ...init, headers: mergeHeaders(init, undefined) }, who);
    if (refusal) throw refusal;
    const signal = init?.signal ?? undefined;
    const sent = endpoint ? await token(endpoint, signal) : undefined;
    const first = await send(url, init, sent?.value);
    if (first.status !== 401) return first;
    await first.body?.cancel().catch(() => undefined);
    if (!isReplayable(init)) throw unauthorized(first, 'and the request cannot be repeated');

    let target = endpoint;
    if (!target || !sent) {
      target = await resolveEndpoint(first.headers.get('www-authenticate'), signal);
    } else if (cache.peek(target.key)?.value === sent.value) {
      if (now() - lastUnauthorizedRefresh < (options.unauthorizedRefreshIntervalMs ?? 5_000)) {
        throw unauthorized(first, 'again right after a token refresh; not asking for another token yet');
      }
      lastUnauthorizedRefresh = now();
      cache.invalidate(target.key, sent.value);
    }
    const fresh = await token(target, signal);
    const second = await send(url, init, fresh.value);
    if (second.status === 401) {
      await second.body?.cancel().catch(() => undefined);
      throw unauthorized(second, 'to a freshly obtained access token');
    }
    return second;
  };

  return {
    type: grant.type,
    fetch,
    prepare: async (signal) => {
      if (!grant.tokenUrl && !grant.issuer) return;
      const started = now();
      let waitingFor = grant.tokenUrl
        ? `token endpoint ${withoutQuery(grant.tokenUrl)}`
        : `the metadata of authorization server ${grant.issuer}`;
      try {
        const e = await resolveEndpoint(undefined, signal);
        waitingFor = `token endpoint ${withoutQuery(e.tokenEndpoint)}`;
        await token(e, signal);
      } catch (error) {
        // The caller's deadline (the backend's startup timeout) ran out first: say what it was waiting for.
        const reason: unknown = signal?.aborted ? signal.reason : undefined;
        if (reason !== undefined && error === reason && (reason as Error).name === 'TimeoutError') {
          throw new TokenError(
            false,
            `${who}: ${waitingFor} did not answer within ${Math.round((now() - started) / 100) / 10} s`,
            {
              hint: 'check that the authorization server is up; it is asked again when the backend restarts',
            },
          );
        }
        throw error;
      }
    },
    describe: () => {
      const cached = endpoint ? cache.peek(endpoint.key) : undefined;
      const failure = endpoint ? cache.failure(endpoint.key) : undefined;
      const shownError =
        lastError ?? refusal ?? (failure?.error instanceof SentinelError ? failure.error : undefined);
      return {
        type: grant.type,
        ...grant.describe(),
        // Without its query: a token endpoint URL may carry a key there.
        tokenEndpoint: endpoint ? withoutQuery(endpoint.tokenEndpoint) : undefined,
        issuer: endpoint?.issuer ?? grant.issuer,
        endpointSource: endpoint?.source ?? (grant.issuer ? 'issuer' : 'discovery'),
        ...(discoveredIssuer !== undefined
          ? {
              discoveredIssuer,
              pinHint: `add "issuer": "${discoveredIssuer}" to this backend's auth settings`,
            }
          : {}),
        resource: endpoint?.resource ?? grant.resource,
        expiresAt: cached ? new Date(cached.expiresAt).toISOString() : undefined,
        retryAt: failure ? new Date(failure.retryAt).toISOString() : undefined,
        lastError: shownError ? { code: shownError.code, message: shownError.message } : undefined,
        headers: Object.keys(input.headers),
      };
    },
    close: () => undefined,
  };
}

/** Whether a request body can be sent twice (the SDK sends strings). */
function isReplayable(init: RequestInit | undefined): boolean {
  const body = init?.body;
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof Blob
  );
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
