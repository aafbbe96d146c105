/**
 * One token request (RFC 6749 §3.2) against one token endpoint, for any grant (client credentials, JWT
 * bearer, token exchange), and the classification of its outcome. Caching, single-flight and backoff live
 * in token-cache.ts; this module makes exactly one request per call.
 *
 * Why not the SDK's ClientCredentialsProvider: it refreshes only after a 401, has no timeout, follows
 * redirects, skips the RFC 6749 §2.3.1 form-encoding of Basic credentials and has no issuer binding.
 * oauth4webapi builds the request (client authentication in client-auth.ts); the response is validated
 * here so that every failure is a typed error whose message names the backend and endpoint, carries the
 * OAuth `error` / `error_description`, and never contains a token or secret.
 */
import * as oauth from 'oauth4webapi';
import { SentinelError } from '../../errors.js';
import { redact } from '../../log.js';
import { isBodyTooLarge, readBodyCapped, withDeadline, type BaseFetch } from '../base-fetch.js';
import { headerValueProblem } from '../headers.js';
import { isLoopbackUrl } from '../urls.js';
import { clientAuthentication, type ClientAuthentication } from './client-auth.js';

export { formUrlEncode } from './client-auth.js';

export interface ClientCredentials {
  tokenEndpoint: string;
  /** The authorization server's issuer when known (from metadata); informational for the request. */
  issuer?: string;
  clientId: string;
  clientSecret: string;
  authMethod: 'client_secret_basic' | 'client_secret_post';
  scopes?: readonly string[];
  audience?: string;
  resource?: string;
}

/** One grant request: where, who (client authentication), which grant and its parameters. */
export interface GrantRequest {
  tokenEndpoint: string;
  /** The authorization server's issuer when known: the `aud` of a client assertion (else the endpoint URL). */
  issuer?: string;
  clientId?: string;
  auth: ClientAuthentication;
  grantType: string;
  /** Grant parameters other than grant_type and client authentication. */
  parameters: URLSearchParams;
  /** For messages: "client credentials grant", "token exchange", ... */
  grantName: string;
  /** token_type values accepted (lower case); default bearer only. */
  tokenTypes?: readonly string[];
  /** The issued_token_type the response must name (RFC 8693 §2.2.1), when one is required. */
  issuedTokenType?: string;
  /** Hints by OAuth error code, over the generic ones. */
  hints?: Readonly<Record<string, string>>;
}

export interface IssuedToken {
  accessToken: string;
  /** Lifetime from `expires_in`, or the default when absent; capped at one day. */
  lifetimeMs: number;
  scope?: string;
  /** RFC 8693 `issued_token_type`, when the response has one. */
  issuedTokenType?: string;
}

export interface TokenRequestEnv {
  base: BaseFetch;
  backend: string;
  timeoutMs: number;
  maxResponseBytes: number;
  defaultLifetimeMs: number;
  signal?: AbortSignal;
}

/** A failed token request. `permanent` errors wait for the long backoff; the others are retried sooner. */
export class TokenError extends SentinelError {
  /** The authorization server's `Retry-After`, when it sent one. */
  readonly retryAfterMs?: number;
  /** The OAuth `error` code, when the endpoint sent one. */
  readonly oauthError?: string;

  constructor(
    permanent: boolean,
    message: string,
    extra: { hint?: string; retryAfterMs?: number; oauthError?: string; cause?: unknown } = {},
  ) {
    super(permanent ? 'AUTH_FAILED' : 'AUTH_TRANSIENT', message, {
      hint: extra.hint,
      cause: extra.cause,
      permanent,
    });
    this.name = 'TokenError';
    this.retryAfterMs = extra.retryAfterMs;
    this.oauthError = extra.oauthError;
  }
}

const MAX_LIFETIME_MS = 24 * 60 * 60 * 1000;
const MAX_RETRY_AFTER_MS = 10 * 60 * 1000;

/** The client credentials grant (RFC 6749 §4.4) with a client secret. */
export function requestClientCredentialsToken(
  creds: ClientCredentials,
  env: TokenRequestEnv,
): Promise<IssuedToken> {
  const parameters = new URLSearchParams();
  if (creds.scopes && creds.scopes.length > 0) parameters.set('scope', creds.scopes.join(' '));
  if (creds.audience) parameters.set('audience', creds.audience);
  if (creds.resource) parameters.set('resource', creds.resource);
  return requestToken(
    {
      tokenEndpoint: creds.tokenEndpoint,
      issuer: creds.issuer,
      clientId: creds.clientId,
      auth: clientAuthentication({
        clientId: creds.clientId,
        clientSecret: creds.clientSecret,
        method: creds.authMethod,
      }),
      grantType: 'client_credentials',
      parameters,
      grantName: 'client credentials grant',
    },
    env,
  );
}

/** Makes one token request for `grant`; resolves to the issued token or throws a TokenError. */
export async function requestToken(grant: GrantRequest, env: TokenRequestEnv): Promise<IssuedToken> {
  const endpoint = new URL(grant.tokenEndpoint);
  const where = `token endpoint ${endpoint.origin}${endpoint.pathname}`;
  const who = `backend "${env.backend}"`;

  const { response, text } = await withDeadline(
    env.timeoutMs,
    env.signal,
    () =>
      new TokenError(false, `${who}: ${where} did not answer within ${formatSeconds(env.timeoutMs)}`, {
        hint: 'the request is retried automatically with backoff; check that the authorization server is up',
      }),
    async (signal) => {
      const res = await send(grant, endpoint, signal, env, where);
      try {
        return { response: res, text: await readBodyCapped(res, env.maxResponseBytes) };
      } catch (error) {
        if (isBodyTooLarge(error)) {
          throw new TokenError(
            true,
            `${who}: ${where} sent a response larger than ${env.maxResponseBytes} bytes`,
            {
              hint: 'check that tokenUrl points at the token endpoint',
            },
          );
        }
        throw error;
      }
    },
  );

  if (response.status === 200) return parseTokenResponse(text, response, env, `${who}: ${where}`, grant);
  throw classifyFailure(response, text, `${who}: ${where}`, grant);
}

async function send(
  grant: GrantRequest,
  endpoint: URL,
  signal: AbortSignal,
  env: TokenRequestEnv,
  where: string,
): Promise<Response> {
  const as: oauth.AuthorizationServer = {
    issuer: grant.issuer ?? endpoint.origin,
    token_endpoint: endpoint.href,
  };
  // oauth4webapi wants a client_id; a client without one sends none (its ClientAuth adds nothing).
  const client: oauth.Client = { client_id: grant.clientId ?? 'anonymous' };
  const clientAuth = grant.auth.forAudience(grant.issuer ?? endpoint.href);
  try {
    return await oauth.genericTokenEndpointRequest(
      as,
      client,
      clientAuth,
      grant.grantType,
      grant.parameters,
      {
        signal,
        [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<'POST', URLSearchParams>) =>
          env.base(url, init as RequestInit, `${where} of backend "${env.backend}"`),
        [oauth.allowInsecureRequests]: endpoint.protocol === 'http:' && isLoopbackUrl(endpoint),
      },
    );
  } catch (error) {
    if (error instanceof SentinelError || signal.aborted) throw error;
    throw new TokenError(
      false,
      `backend "${env.backend}": could not reach ${where} (${networkReason(error)})`,
      {
        hint: 'the request is retried automatically with backoff; check the URL and that the server is up',
      },
    );
  }
}

function parseTokenResponse(
  text: string,
  response: Response,
  env: TokenRequestEnv,
  prefix: string,
  grant: GrantRequest,
): IssuedToken {
  const invalid = (what: string): TokenError =>
    new TokenError(true, `${prefix} sent an invalid token response: ${what}`, {
      hint: 'check that tokenUrl points at the OAuth token endpoint of the authorization server',
    });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const type = response.headers.get('content-type')?.split(';')[0] ?? 'no content type';
    throw invalid(`the body is not JSON (${printable(type, 60)})`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('the body is not a JSON object');
  const json = body as Record<string, unknown>;
  if (typeof json.access_token !== 'string' || json.access_token.length === 0) {
    throw invalid('access_token is missing or empty');
  }
  if (headerValueProblem(`Bearer ${json.access_token}`) !== undefined) {
    throw invalid('access_token contains characters that cannot be sent in a header');
  }
  if (typeof json.token_type !== 'string') throw invalid('token_type is missing');
  const tokenTypes = grant.tokenTypes ?? ['bearer'];
  if (!tokenTypes.includes(json.token_type.toLowerCase())) {
    throw invalid(
      `token_type "${printable(json.token_type, 20)}" is not supported (only ${tokenTypes.join(', ')})`,
    );
  }
  const issuedTokenType = typeof json.issued_token_type === 'string' ? json.issued_token_type : undefined;
  if (grant.issuedTokenType !== undefined && issuedTokenType !== grant.issuedTokenType) {
    throw invalid(
      `issued_token_type is ${issuedTokenType === undefined ? 'missing' : `"${printable(issuedTokenType, 80)}"`}, expected ${grant.issuedTokenType}`,
    );
  }
  let lifetimeMs = env.defaultLifetimeMs;
  if (json.expires_in !== undefined && json.expires_in !== null) {
    const seconds = typeof json.expires_in === 'string' ? Number(json.expires_in) : json.expires_in;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
      throw invalid('expires_in is not a positive number of seconds');
    }
    lifetimeMs = Math.min(seconds * 1000, MAX_LIFETIME_MS);
  }
  return {
    accessToken: json.access_token,
    lifetimeMs,
    scope: typeof json.scope === 'string' ? json.scope : undefined,
    issuedTokenType,
  };
}

function classifyFailure(response: Response, text: string, prefix: string, grant: GrantRequest): TokenError {
  const status = response.status;
  if (status >= 500 || status === 429 || status === 408) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    return new TokenError(false, `${prefix} answered HTTP ${status}`, {
      retryAfterMs,
      hint: 'the request is retried automatically with backoff',
    });
  }
  const { error, description } = parseOAuthError(text);
  const detail = error ? `${error}${description ? ` (${description})` : ''}` : `HTTP ${status}`;
  // What is left is a refusal (4xx other than 408 and 429) or a status a token endpoint should never send:
  // whatever the OAuth error code, asking again soon cannot help, so it waits for the long backoff.
  return new TokenError(true, `${prefix} refused the ${grant.grantName}: ${detail}`, {
    oauthError: error,
    hint: (error !== undefined ? grant.hints?.[error] : undefined) ?? hintFor(error, status),
  });
}

function hintFor(error: string | undefined, status: number): string {
  switch (error) {
    case 'invalid_client':
      return 'check auth.clientId and auth.clientSecret (or auth.privateKey), and auth.tokenEndpointAuthMethod';
    case 'unauthorized_client':
      return 'the authorization server does not allow this client the client_credentials grant';
    case 'invalid_scope':
      return 'check auth.scopes against what the authorization server grants this client';
    case 'invalid_target':
      return 'check auth.resource and auth.audience';
    case 'unsupported_grant_type':
      return 'the authorization server does not support client_credentials for this client';
    default:
      return status === 401 || status === 403
        ? 'check auth.clientId and auth.clientSecret'
        : 'check the oauth2 settings of this backend';
  }
}

function parseOAuthError(text: string): { error?: string; description?: string } {
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const error = typeof json.error === 'string' ? printable(json.error, 80) : undefined;
    const description =
      typeof json.error_description === 'string' ? redact(printable(json.error_description, 300)) : undefined;
    return { error, description };
  } catch {
    return {};
  }
}

/** Seconds or an HTTP date, as milliseconds from now; capped. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** Visible ASCII only, shortened: peer-supplied text goes into messages. */
function printable(text: string, max: number): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error && error.name !== 'Error' ? error.name : 'network error';
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
