/**
 * Finding a backend's token endpoint the MCP way when no `tokenUrl` is configured:
 * 401 `WWW-Authenticate: Bearer resource_metadata="..."` → RFC 9728 protected-resource metadata →
 * its `authorization_servers[0]` → RFC 8414 (or OpenID) authorization-server metadata → `token_endpoint`.
 *
 * These requests carry no credentials and are plain GETs through the base fetch (no redirects, capped
 * bodies, a deadline). Every URL learned from a peer must be https (or loopback). Whether a discovered
 * issuer may receive the client secret is decided by the caller (oauth2/strategy.ts): this module only
 * reports what it found.
 */
import { SentinelError } from '../../errors.js';
import { isBodyTooLarge, readBodyCapped, withDeadline, type BaseFetch } from '../base-fetch.js';
import { learnedTargetProblem, secureEndpointProblem } from '../urls.js';

export interface MetadataEnv {
  base: BaseFetch;
  backend: string;
  timeoutMs: number;
  maxResponseBytes: number;
  signal?: AbortSignal;
}

export interface ProtectedResourceInfo {
  /** Where the metadata came from. */
  metadataUrl: string;
  /** The `resource` the metadata names (the backend's canonical URL), when present. */
  resource?: string;
  /** The first of `authorization_servers`. */
  issuer: string;
}

export interface AuthorizationServerInfo {
  issuer: string;
  tokenEndpoint: string;
  authMethods?: string[];
}

/** The `resource_metadata` parameter of a Bearer challenge, if any (RFC 9728 §5.1). */
export function resourceMetadataFromChallenge(header: string | null): string | undefined {
  if (!header) return undefined;
  const match = /(?:^|[\s,])resource_metadata\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/i.exec(header);
  const value = match?.[1]?.replace(/\\(.)/g, '$1') ?? match?.[2];
  return value || undefined;
}

/** Well-known protected-resource metadata URLs for `resourceUrl`: path-aware first, then the root. */
export function protectedResourceMetadataUrls(resourceUrl: string): string[] {
  const url = new URL(resourceUrl);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const urls = [`${url.origin}/.well-known/oauth-protected-resource${path}`];
  if (path) urls.push(`${url.origin}/.well-known/oauth-protected-resource`);
  return urls;
}

/** Candidate metadata URLs for `issuer`: RFC 8414 first, then OpenID Connect Discovery (both placements). */
export function authorizationServerMetadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const urls = [`${url.origin}/.well-known/oauth-authorization-server${path}`];
  urls.push(`${url.origin}${path}/.well-known/openid-configuration`);
  if (path) urls.push(`${url.origin}/.well-known/openid-configuration${path}`);
  return urls;
}

/**
 * Reads the backend's protected-resource metadata, from the challenge's `resource_metadata` when given,
 * otherwise from the well-known locations.
 */
export async function discoverProtectedResource(
  backendUrl: string,
  challenge: string | null,
  env: MetadataEnv,
): Promise<ProtectedResourceInfo> {
  const who = `backend "${env.backend}"`;
  const advertised = resourceMetadataFromChallenge(challenge);
  const candidates = advertised
    ? [new URL(advertised, backendUrl).href]
    : protectedResourceMetadataUrls(backendUrl);
  for (const candidate of candidates) {
    const problem = secureEndpointProblem(candidate) ?? offOriginProblem(candidate, backendUrl);
    if (problem) {
      throw new SentinelError('AUTH_FAILED', `${who}: protected-resource metadata URL ${problem}`, {
        hint: 'set auth.tokenUrl (or auth.issuer) for this backend instead of relying on discovery',
        permanent: true,
      });
    }
    const json = await getJson(candidate, env, 'protected-resource metadata');
    if (json === undefined) continue;
    const servers = json.authorization_servers;
    const issuer = Array.isArray(servers) && typeof servers[0] === 'string' ? servers[0] : undefined;
    if (!issuer) {
      throw new SentinelError(
        'AUTH_FAILED',
        `${who}: protected-resource metadata names no authorization server`,
        {
          hint: 'set auth.tokenUrl for this backend',
        },
      );
    }
    const issuerProblem = secureEndpointProblem(issuer) ?? (await learnedTargetProblem(issuer, backendUrl));
    if (issuerProblem) {
      throw new SentinelError(
        'AUTH_FAILED',
        `${who}: the authorization server its metadata names ${issuerProblem}`,
        {
          hint: 'set auth.tokenUrl for this backend',
        },
      );
    }
    const resource = typeof json.resource === 'string' ? json.resource : undefined;
    if (resource !== undefined && !resourceCovers(resource, backendUrl)) {
      throw new SentinelError(
        'AUTH_FAILED',
        `${who}: protected-resource metadata is for another resource (${safeOrigin(resource)}), not ${new URL(backendUrl).origin}`,
        {
          hint: 'the backend may be misconfigured or impersonating another server; set auth.tokenUrl if it is trusted',
        },
      );
    }
    return { metadataUrl: candidate, resource, issuer };
  }
  throw new SentinelError(
    'AUTH_FAILED',
    `${who}: answered 401 but publishes no protected-resource metadata`,
    {
      hint: 'set auth.tokenUrl (and auth.resource or auth.audience if needed) for this backend',
    },
  );
}

/** Reads `issuer`'s metadata and checks that it names itself as `issuer` (RFC 8414 §3.3). */
export async function fetchAuthorizationServer(
  issuer: string,
  env: MetadataEnv,
): Promise<AuthorizationServerInfo> {
  const who = `backend "${env.backend}"`;
  for (const candidate of authorizationServerMetadataUrls(issuer)) {
    const json = await getJson(candidate, env, 'authorization-server metadata');
    if (json === undefined) continue;
    if (json.issuer !== issuer) {
      throw new SentinelError(
        'AUTH_FAILED',
        `${who}: authorization-server metadata at ${new URL(candidate).origin} names a different issuer than ${issuer}`,
        { hint: 'check auth.issuer; it must be exactly the issuer the server publishes' },
      );
    }
    const tokenEndpoint = json.token_endpoint;
    if (typeof tokenEndpoint !== 'string') {
      throw new SentinelError(
        'AUTH_FAILED',
        `${who}: authorization server ${issuer} publishes no token_endpoint`,
        {
          hint: 'set auth.tokenUrl for this backend',
        },
      );
    }
    const problem = secureEndpointProblem(tokenEndpoint);
    if (problem) {
      throw new SentinelError('AUTH_FAILED', `${who}: the token_endpoint of ${issuer} ${problem}`, {
        hint: 'set auth.tokenUrl for this backend',
      });
    }
    const methods = json.token_endpoint_auth_methods_supported;
    return {
      issuer,
      tokenEndpoint,
      authMethods: Array.isArray(methods)
        ? methods.filter((m): m is string => typeof m === 'string')
        : undefined,
    };
  }
  throw new SentinelError('AUTH_FAILED', `${who}: authorization server ${issuer} publishes no metadata`, {
    hint: 'set auth.tokenUrl for this backend',
  });
}

/** GETs a JSON object; undefined on 404 (try the next location), typed errors otherwise. */
export async function getJson(
  url: string,
  env: MetadataEnv,
  what: string,
): Promise<Record<string, unknown> | undefined> {
  const at = new URL(url);
  const where = `${what} at ${at.origin}${at.pathname}`;
  const who = `backend "${env.backend}"`;
  const text = await withDeadline(
    env.timeoutMs,
    env.signal,
    () => new SentinelError('AUTH_TRANSIENT', `${who}: ${where} did not answer within ${env.timeoutMs} ms`),
    async (signal) => {
      let response: Response;
      try {
        response = await env.base(
          url,
          { method: 'GET', headers: { accept: 'application/json' }, signal },
          where,
        );
      } catch (error) {
        if (error instanceof SentinelError || signal.aborted) throw error;
        const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
        throw new SentinelError(
          'AUTH_TRANSIENT',
          `${who}: could not reach ${where}${typeof code === 'string' ? ` (${code})` : ''}`,
        );
      }
      if (response.status === 404) {
        await response.body?.cancel().catch(() => undefined);
        return undefined;
      }
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        throw new SentinelError(
          response.status >= 500 ? 'AUTH_TRANSIENT' : 'AUTH_FAILED',
          `${who}: ${where} answered HTTP ${response.status}`,
        );
      }
      try {
        return await readBodyCapped(response, env.maxResponseBytes);
      } catch (error) {
        if (isBodyTooLarge(error)) {
          throw new SentinelError(
            'AUTH_FAILED',
            `${who}: ${where} is larger than ${env.maxResponseBytes} bytes`,
          );
        }
        throw error;
      }
    },
  );
  if (text === undefined) return undefined;
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json === 'object' && json !== null && !Array.isArray(json))
      return json as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new SentinelError('AUTH_FAILED', `${who}: ${where} is not a JSON object`);
}

/** Whether metadata for `resource` may describe `backendUrl`: same origin, and a path prefix at a segment boundary. */
export function resourceCovers(resource: string, backendUrl: string): boolean {
  try {
    const r = new URL(resource);
    const b = new URL(backendUrl);
    if (r.origin !== b.origin) return false;
    const rp = r.pathname.replace(/\/$/, '');
    const bp = b.pathname.replace(/\/$/, '');
    return rp === '' || bp === rp || bp.startsWith(`${rp}/`);
  } catch {
    return false;
  }
}

function safeOrigin(raw: string): string {
  try {
    return new URL(raw).origin;
  } catch {
    return 'an invalid URL';
  }
}

/**
 * Why a metadata URL a backend advertised may not be followed: discovery reads only the backend's own
 * origin, so a 401 cannot make us fetch an arbitrary address (169.254.169.254, an intranet host, ...).
 */
export function offOriginProblem(candidate: string, backendUrl: string): string | undefined {
  const origin = safeOrigin(candidate);
  const own = new URL(backendUrl).origin;
  return origin === own
    ? undefined
    : `${origin} is not on the backend's origin ${own}; discovery follows no other`;
}
