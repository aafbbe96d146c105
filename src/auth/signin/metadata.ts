/**
 * Where to sign in, the MCP way (2025-03-26 → 2026-07-28):
 * 1. RFC 9728 protected-resource metadata: the challenge's `resource_metadata`, else the path-suffixed
 *    well-known URL, else the root one. Its `resource` must cover the server URL (else: refused, never
 *    signed in to), and `authorization_servers[0]` is the issuer.
 * 2. RFC 8414 / OpenID Connect metadata of that issuer, tenant paths included; the document's `issuer`
 *    must be exactly the issuer it was fetched for (no normalisation).
 * 3. 2025-03-26 fallbacks when the server publishes no protected-resource metadata: the server's origin is
 *    the issuer; without metadata there, `/authorize`, `/token` and `/register` at the origin.
 *
 * Every URL learned from a peer must be https (or loopback); requests carry no credentials, never follow
 * redirects and have a deadline and a body cap (oauth2/discovery.ts's getJson). An authorization server
 * the backend names, and the token and registration endpoints its metadata names, must also not be at an
 * address the backend could not make us reach itself (urls.ts's learnedTargetProblem: never link-local,
 * private or loopback only for a backend on this machine); a pinned `auth.issuer` is the user's choice.
 */
import type * as oauth from 'oauth4webapi';
import { SentinelError } from '../../errors.js';
import {
  authorizationServerMetadataUrls,
  getJson,
  offOriginProblem,
  protectedResourceMetadataUrls,
  resourceCovers,
  type MetadataEnv,
} from '../oauth2/discovery.js';
import { learnedTargetProblem, secureEndpointProblem } from '../urls.js';

export type { MetadataEnv } from '../oauth2/discovery.js';

export interface ResourceMetadata {
  /** Where it was read. */
  url: string;
  /** The `resource` it names (the server's canonical URL), when present. */
  resource?: string;
  authorizationServers: string[];
  scopesSupported?: string[];
}

export interface Discovery {
  /** Undefined when the server publishes none (2025-03-26 server). */
  resourceMetadata?: ResourceMetadata;
  as: oauth.AuthorizationServer;
  /** How the authorization server was found, for doctor. */
  source: 'protected-resource' | 'pinned' | 'legacy-metadata' | 'legacy-defaults';
}

/** Protected-resource metadata of `serverUrl`, or undefined when none of the locations has it. */
export async function discoverResourceMetadata(
  serverUrl: string,
  advertised: string | undefined,
  env: MetadataEnv,
): Promise<ResourceMetadata | undefined> {
  const who = `backend "${env.backend}"`;
  const candidates = advertised
    ? [new URL(advertised, serverUrl).href, ...protectedResourceMetadataUrls(serverUrl)]
    : protectedResourceMetadataUrls(serverUrl);
  for (const candidate of [...new Set(candidates)]) {
    const problem = secureEndpointProblem(candidate) ?? offOriginProblem(candidate, serverUrl);
    if (problem) throw refused(`${who}: protected-resource metadata URL ${problem}`);
    const json = await getJson(candidate, env, 'protected-resource metadata');
    if (json === undefined) continue;
    const servers = Array.isArray(json.authorization_servers)
      ? json.authorization_servers.filter((s): s is string => typeof s === 'string' && s.length > 0)
      : [];
    const resource = typeof json.resource === 'string' ? json.resource : undefined;
    if (resource !== undefined && !resourceCovers(resource, serverUrl)) {
      throw refused(
        `${who}: its protected-resource metadata is for another resource (${safeOrigin(resource)}), not ${new URL(serverUrl).origin}`,
        'the server may be misconfigured or impersonating another one; nothing was sent to it',
      );
    }
    return {
      url: candidate,
      resource,
      authorizationServers: servers,
      scopesSupported: stringArray(json.scopes_supported),
    };
  }
  return undefined;
}

/**
 * The authorization server metadata of `issuer`. With `legacy`, a missing document is not an error: the
 * 2025-03-26 default endpoints at the issuer (the server's origin) are used.
 */
export async function discoverAuthorizationServer(
  issuer: string,
  env: MetadataEnv,
  legacy = false,
  learnedFrom?: string,
): Promise<{ as: oauth.AuthorizationServer; defaults: boolean }> {
  const who = `backend "${env.backend}"`;
  const problem =
    secureEndpointProblem(issuer) ?? (learnedFrom && (await learnedTargetProblem(issuer, learnedFrom)));
  if (problem) throw refused(`${who}: the authorization server ${safeOrigin(issuer)} ${problem}`);
  for (const candidate of authorizationServerMetadataUrls(issuer)) {
    const json = await getJson(candidate, env, 'authorization-server metadata');
    if (json === undefined) continue;
    if (json.issuer !== issuer) {
      throw refused(
        `${who}: the authorization-server metadata at ${candidate} names issuer ${printable(json.issuer)}, not ${issuer}`,
        'metadata whose issuer differs from where it was fetched is never used; check auth.issuer',
      );
    }
    const as = json as unknown as oauth.AuthorizationServer;
    for (const key of ['authorization_endpoint', 'token_endpoint', 'registration_endpoint'] as const) {
      const value = as[key];
      if (value === undefined) continue;
      const endpointProblem = typeof value === 'string' ? secureEndpointProblem(value) : 'is not a URL';
      if (endpointProblem) throw refused(`${who}: the ${key} of ${issuer} ${endpointProblem}`);
      // The authorization endpoint is opened in the user's browser, never fetched by mcp-sentinel.
      const fetched = key !== 'authorization_endpoint' && learnedFrom && typeof value === 'string';
      const addressProblem = fetched ? await learnedTargetProblem(value, learnedFrom) : undefined;
      if (addressProblem) throw refused(`${who}: the ${key} of ${issuer} ${addressProblem}`);
    }
    if (typeof as.authorization_endpoint !== 'string' || typeof as.token_endpoint !== 'string') {
      throw refused(`${who}: authorization server ${issuer} publishes no authorization or token endpoint`);
    }
    return { as, defaults: false };
  }
  if (!legacy) {
    throw refused(
      `${who}: authorization server ${issuer} publishes no metadata`,
      'check auth.issuer, or the server’s protected-resource metadata',
    );
  }
  const base = issuer.replace(/\/$/, '');
  return {
    as: {
      issuer,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/token`,
      registration_endpoint: `${base}/register`,
    },
    defaults: true,
  };
}

/** The whole discovery from a 401 (or from nothing, when `login` starts it). */
export async function discover(
  serverUrl: string,
  options: { challengeMetadataUrl?: string; pinnedIssuer?: string },
  env: MetadataEnv,
): Promise<Discovery> {
  const resourceMetadata = await discoverResourceMetadata(serverUrl, options.challengeMetadataUrl, env);
  if (options.pinnedIssuer) {
    const { as } = await discoverAuthorizationServer(options.pinnedIssuer, env);
    return { resourceMetadata, as, source: 'pinned' };
  }
  if (resourceMetadata) {
    const issuer = resourceMetadata.authorizationServers[0];
    if (!issuer) {
      throw refused(
        `backend "${env.backend}": its protected-resource metadata names no authorization server`,
      );
    }
    const { as } = await discoverAuthorizationServer(issuer, env, false, serverUrl);
    return { resourceMetadata, as, source: 'protected-resource' };
  }
  const origin = new URL(serverUrl).origin;
  const { as, defaults } = await discoverAuthorizationServer(origin, env, true, serverUrl);
  return { as, source: defaults ? 'legacy-defaults' : 'legacy-metadata' };
}

function refused(
  message: string,
  hint = 'check the server URL; set auth.issuer to pin the authorization server',
): SentinelError {
  return new SentinelError('AUTH_FAILED', message, { hint, permanent: true });
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

function safeOrigin(raw: string): string {
  try {
    return new URL(raw).origin;
  } catch {
    return 'an invalid URL';
  }
}

function printable(value: unknown): string {
  if (typeof value !== 'string') return '(none)';
  const clean = value.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 120 ? `${clean.slice(0, 120)}...` : clean;
}
