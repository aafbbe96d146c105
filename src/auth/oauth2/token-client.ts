/**
 * One OAuth2 client-credentials grant (RFC 6749 §4.4) against one token endpoint, and the classification
 * of its outcome. Caching, single-flight and backoff live in token-cache.ts; this module makes exactly one
 * request per call.
 *
 * Why not the SDK's ClientCredentialsProvider: it refreshes only after a 401, has no timeout, follows
 * redirects, skips the RFC 6749 §2.3.1 form-encoding of Basic credentials and has no issuer binding.
 * oauth4webapi builds the request (form-encoded Basic or client_secret_post); the response is validated
 * here so that every failure is a typed error whose message names the backend and endpoint, carries the
 * OAuth `error` / `error_description`, and never contains a token or secret.
 */
import * as oauth from 'oauth4webapi';
import { SentinelError } from '../../errors.js';
import { redact } from '../../log.js';
import { BodyTooLargeError, readBodyCapped, withDeadline, type BaseFetch } from '../base-fetch.js';
import { headerValueProblem } from '../headers.js';
import { isLoopbackUrl } from '../urls.js';

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

export interface IssuedToken {
  accessToken: string;
  /** Lifetime from `expires_in`, or the default when absent; capped at one day. */
  lifetimeMs: number;
  scope?: string;
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

export async function requestClientCredentialsToken(
  creds: ClientCredentials,
  env: TokenRequestEnv,
): Promise<IssuedToken> {
  const endpoint = new URL(creds.tokenEndpoint);
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
      const res = await send(creds, endpoint, signal, env, where);
      try {
        return { response: res, text: await readBodyCapped(res, env.maxResponseBytes) };
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          throw new TokenError(true, `${who}: ${where} sent a response larger than ${error.limit} bytes`, {
            hint: 'check that tokenUrl points at the token endpoint',
          });
        }
        throw error;
      }
    },
  );

  if (response.status === 200) return parseTokenResponse(text, response, env, `${who}: ${where}`);
  throw classifyFailure(response, text, `${who}: ${where}`);
}

async function send(
  creds: ClientCredentials,
  endpoint: URL,
  signal: AbortSignal,
  env: TokenRequestEnv,
  where: string,
): Promise<Response> {
  const as: oauth.AuthorizationServer = {
    issuer: creds.issuer ?? endpoint.origin,
    token_endpoint: endpoint.href,
  };
  const client: oauth.Client = { client_id: creds.clientId };
  const clientAuth =
    creds.authMethod === 'client_secret_post'
      ? oauth.ClientSecretPost(creds.clientSecret)
      : clientSecretBasic(creds.clientSecret);
  const parameters = new URLSearchParams();
  if (creds.scopes && creds.scopes.length > 0) parameters.set('scope', creds.scopes.join(' '));
  if (creds.audience) parameters.set('audience', creds.audience);
  if (creds.resource) parameters.set('resource', creds.resource);
  try {
    return await oauth.clientCredentialsGrantRequest(as, client, clientAuth, parameters, {
      signal,
      [oauth.customFetch]: (url: string, init: oauth.CustomFetchOptions<'POST', URLSearchParams>) =>
        env.base(url, init as RequestInit, `${where} of backend "${env.backend}"`),
      [oauth.allowInsecureRequests]: endpoint.protocol === 'http:' && isLoopbackUrl(endpoint),
    });
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

/**
 * client_secret_basic with RFC 6749 §2.3.1: id and secret are application/x-www-form-urlencoded, then
 * joined with ":" and base64-encoded. The WHATWG serializer (URLSearchParams) leaves `*-._` and
 * alphanumerics as they are, so ordinary ids and secrets look the same encoded or not, which keeps servers
 * that skip the decoding working (oauth4webapi's encoder also escapes `-`, `_`, `.` and `~`).
 */
export function clientSecretBasic(clientSecret: string): oauth.ClientAuth {
  return (_as, client, _body, headers) => {
    const credentials = `${formUrlEncode(client.client_id)}:${formUrlEncode(clientSecret)}`;
    headers.set('authorization', `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`);
  };
}

export function formUrlEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function parseTokenResponse(
  text: string,
  response: Response,
  env: TokenRequestEnv,
  prefix: string,
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
  if (json.token_type.toLowerCase() !== 'bearer') {
    throw invalid(`token_type "${printable(json.token_type, 20)}" is not supported (only bearer)`);
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
  };
}

function classifyFailure(response: Response, text: string, prefix: string): TokenError {
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
  return new TokenError(true, `${prefix} refused the client credentials grant: ${detail}`, {
    oauthError: error,
    hint: hintFor(error, status),
  });
}

function hintFor(error: string | undefined, status: number): string {
  switch (error) {
    case 'invalid_client':
      return 'check auth.clientId and auth.clientSecret, and auth.tokenEndpointAuthMethod (client_secret_basic or client_secret_post)';
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
