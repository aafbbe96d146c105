/**
 * The contract between a backend's HTTP transport and its outgoing auth: an `AuthStrategy` whose `fetch`
 * the SDK transport uses for every request, plus the header-merging rule all strategies share.
 *
 * The rule: start from the headers the SDK set for the request (content type, accept, session id,
 * protocol version), drop anything that could carry a credential the configuration did not declare
 * (no token passthrough), then add the configured headers. Configured headers go only to the backend's own
 * origin. Reserved names are refused at validation time, so configured headers never clash with the SDK's.
 */
import type { FetchLike } from '@modelcontextprotocol/client';
import type { Logger } from '../log.js';
import type { BaseFetch } from './base-fetch.js';

export interface AuthStrategy {
  readonly type: 'none' | 'static' | 'oauth2' | 'jwt-bearer' | 'token-exchange' | 'enterprise' | 'oauth';
  /**
   * The fetch for EVERY request of this backend's SDK transport (SSE GET and POST, Streamable HTTP
   * POST/GET/DELETE): adds the per-server headers, the static credential headers or the Bearer token;
   * never follows redirects (3xx → AUTH_REDIRECT); on a 401 (oauth2) refreshes the token and retries once.
   */
  readonly fetch: FetchLike;
  /** Obtains a token before the first backend request when a token endpoint or issuer is pinned. */
  prepare(signal?: AbortSignal): Promise<void>;
  /** For `doctor` and logs: names, endpoints and times only, never a token, secret or header value. */
  describe(): Record<string, unknown>;
  close(): void;
}

/** Tunables; the defaults are the production values, tests shorten them. */
export interface AuthOptions {
  /** Total time for one token request. Default 30 s. */
  tokenTimeoutMs?: number;
  /** Total time for one metadata request (RFC 9728 / RFC 8414). Default 10 s. */
  metadataTimeoutMs?: number;
  /** Wait after a permanent token error (invalid_client, ...) before the endpoint is asked again. Default 60 s. */
  permanentBackoffMs?: number;
  /** First wait after a transient token error; doubles per failure, with jitter. Default 1 s. */
  transientBackoffMs?: number;
  /** Longest wait after transient token errors. Default 30 s. */
  maxTransientBackoffMs?: number;
  /** Lifetime assumed when the token response has no `expires_in`. Default 300 s. */
  defaultTokenLifetimeMs?: number;
  /** After one 401-driven token refresh, further 401s within this window fail without a token request. Default 5 s. */
  unauthorizedRefreshIntervalMs?: number;
  /** Largest token or metadata response body. Default 1 MiB. */
  maxResponseBytes?: number;
}

export interface AuthContext {
  /** The backend's name, used in every message. */
  backend: string;
  log: Logger;
  /** Clock in ms since the epoch; injectable for tests. */
  now?: () => number;
  options?: AuthOptions;
  /** The HTTP client; defaults to the process-wide one (see base-fetch.ts). */
  baseFetch?: BaseFetch;
}

/** Headers that carry credentials; only configuration may set them. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

/**
 * The headers to send: the SDK's own for this request, minus credential headers, plus `configured`. The
 * caller passes `configured` only for a request to the backend's own origin (see `sameOrigin`), having
 * checked that once per request.
 */
export function mergeHeaders(
  init: RequestInit | undefined,
  configured: Iterable<readonly [string, string]> | undefined,
): Headers {
  const headers = new Headers(init?.headers);
  for (const name of CREDENTIAL_HEADERS) headers.delete(name);
  if (configured) for (const [name, value] of configured) headers.set(name, value);
  return headers;
}

/** Whether `url` is on `origin` (`scheme://host[:port]`); a URL string that starts with `origin/` is not parsed. */
export function sameOrigin(url: string | URL, origin: string): boolean {
  if (typeof url === 'string' && url.startsWith(origin) && url.charAt(origin.length) === '/') return true;
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** Whether a request body can be sent twice, for the retry after a 401 (the SDK sends strings). */
export function isReplayable(init: RequestInit | undefined): boolean {
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
