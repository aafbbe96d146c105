/**
 * Where one backend's token endpoint comes from, and who may receive the grant's confidential material
 * (issuer binding): a pinned `tokenUrl` as it is; a pinned `issuer` through its metadata (metadata naming
 * another issuer is refused); neither, MCP discovery from the backend's 401 challenge, whose issuer is
 * used only with `allowDiscoveredIssuer: true` (otherwise a permanent refusal that names the issuer to pin).
 *
 * Resolution is single-flight: the shared discovery ignores the callers' signals, and each caller's
 * `signal` only ends its own wait. After a failure, callers get the same error until a backoff has passed
 * (every 401 would otherwise discover again).
 */
import { SentinelError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { AuthOptions } from '../strategy.js';
import { discoverProtectedResource, fetchAuthorizationServer, type MetadataEnv } from './discovery.js';
import type { GrantTarget, TokenGrant } from './grant.js';
import { abortable, tokenCacheKey } from './token-cache.js';

export interface Endpoint extends GrantTarget {
  /** The token cache key, computed once: it hashes the grant's confidential material. */
  key: string;
}

export interface EndpointResolver {
  /** The endpoint once known (at once for a pinned `tokenUrl`). */
  current(): Endpoint | undefined;
  /** The endpoint, resolving it from the pinned issuer or the backend's 401 `challenge` when needed. */
  resolve(challenge: string | null | undefined, signal?: AbortSignal): Promise<Endpoint>;
  /** The issuer discovery found, pinned or not (for `describe()`). */
  discoveredIssuer(): string | undefined;
  /** Set when discovery found an issuer nobody pinned: a configuration matter, never retried. */
  refusal(): SentinelError | undefined;
}

export interface EndpointContext {
  backendUrl: string;
  metadataEnv: MetadataEnv;
  options: AuthOptions;
  now: () => number;
  log: Logger;
  /** `backend "NAME"`, for messages. */
  who: string;
}

export function createEndpointResolver(grant: TokenGrant, ctx: EndpointContext): EndpointResolver {
  const { options, now } = ctx;
  const withKey = (e: Omit<Endpoint, 'key' | 'backendUrl'>) => keyed(grant, ctx.backendUrl, e);

  let endpoint: Endpoint | undefined = grant.tokenUrl
    ? withKey({
        tokenEndpoint: grant.tokenUrl,
        issuer: grant.issuer,
        source: 'tokenUrl',
        resource: grant.resource,
      })
    : undefined;
  let pending: Promise<Endpoint> | undefined;
  /** The last failed discovery, answered to every caller until `retryAt` instead of discovering again. */
  let failure: { error: unknown; retryAt: number; attempts: number } | undefined;
  let discoveredIssuer: string | undefined;
  let refusal: SentinelError | undefined;

  const discover = async (challenge: string | null | undefined): Promise<Endpoint> => {
    if (grant.issuer) {
      const as = await fetchAuthorizationServer(grant.issuer, ctx.metadataEnv);
      return withKey({
        tokenEndpoint: as.tokenEndpoint,
        issuer: as.issuer,
        source: 'issuer',
        resource: grant.resource,
      });
    }
    const prm = await discoverProtectedResource(ctx.backendUrl, challenge ?? null, ctx.metadataEnv);
    discoveredIssuer = prm.issuer;
    if (grant.allowDiscoveredIssuer !== true) {
      throw (refusal = new SentinelError(
        'AUTH_FAILED',
        `${ctx.who}: discovery found authorization server ${prm.issuer}, which no tokenUrl or issuer pins; it is not sent ${grant.confidential}`,
        {
          hint: `if you trust it, add "issuer": "${prm.issuer}" to this backend's auth settings`,
          permanent: true,
        },
      ));
    }
    const as = await fetchAuthorizationServer(prm.issuer, ctx.metadataEnv);
    ctx.log.info(
      `using authorization server ${as.issuer} found by discovery; pin it with "issuer" in the config`,
    );
    return withKey({
      tokenEndpoint: as.tokenEndpoint,
      issuer: as.issuer,
      source: 'discovery',
      resource: grant.resource ?? prm.resource,
    });
  };

  const resolve = (challenge: string | null | undefined, signal?: AbortSignal): Promise<Endpoint> => {
    if (endpoint) return Promise.resolve(endpoint);
    if (failure && now() < failure.retryAt) return Promise.reject(failure.error);
    if (!pending) {
      pending = (async () => {
        try {
          endpoint = await discover(challenge);
          failure = undefined;
          return endpoint;
        } catch (error) {
          const attempts = (failure?.attempts ?? 0) + 1;
          failure = { error, attempts, retryAt: now() + backoff(options, error, attempts) };
          throw error;
        } finally {
          pending = undefined;
        }
      })();
      // Every waiter may have stopped waiting: a failure nobody awaits is still handled.
      pending.catch(() => undefined);
    }
    return abortable(pending, signal);
  };

  return {
    current: () => endpoint,
    resolve,
    discoveredIssuer: () => discoveredIssuer,
    refusal: () => refusal,
  };
}

/** `e` with the token cache key of `grant`'s tokens from it. */
function keyed(grant: TokenGrant, backendUrl: string, e: Omit<Endpoint, 'key' | 'backendUrl'>): Endpoint {
  return {
    ...e,
    backendUrl,
    key: tokenCacheKey({
      tokenEndpoint: e.tokenEndpoint,
      clientId: `${grant.type} ${grant.identity.clientId ?? ''}`,
      clientSecret: grant.identity.material,
      scopes: grant.identity.scopes,
      audience: grant.identity.audience,
      resource: e.resource,
    }),
  };
}

/** How long to answer a failed discovery's error before discovering again. */
function backoff(options: AuthOptions, error: unknown, attempts: number): number {
  const transient = error instanceof SentinelError && error.code === 'AUTH_TRANSIENT' && !error.permanent;
  if (!transient) return options.permanentBackoffMs ?? 60_000;
  return Math.min(
    options.maxTransientBackoffMs ?? 30_000,
    (options.transientBackoffMs ?? 1_000) * 2 ** (attempts - 1),
  );
}
