/**
 * The one HTTP client under every outbound request of src/auth: backend requests (through the SDK
 * transports' `fetch` option), token requests and metadata requests.
 *
 * What it guarantees, and why:
 * - `redirect: 'manual'` always, and a 3xx becomes an AUTH_REDIRECT error naming the status and the target
 *   origin. Node's fetch follows cross-origin redirects and forwards custom headers (an `X-Api-Key` reaches
 *   the new origin), so following is never safe for a credentialed request.
 * - Long-lived event streams (GET with `Accept: text/event-stream`) get a dispatcher without a body
 *   timeout: undici's default drops a response body after 300 s without data, which kills idle SSE streams.
 * - Helpers for a total deadline and a capped body read, for token and metadata responses.
 *
 * It uses undici's own `fetch` with its own Agents so that the dispatcher always matches the fetch that
 * uses it, whatever undici the running Node bundles.
 *
 * Not here: which headers are added (strategy.ts, static.ts, oauth2/strategy.ts).
 */
import { Agent, fetch as undiciFetch } from 'undici';
import type { FetchLike } from '@modelcontextprotocol/client';
import { SentinelError } from '../errors.js';
import { originOf } from './urls.js';
import { DIRECT_SEND, type DirectSend } from './direct-send.js';

export interface BaseFetchOptions {
  /** Body idle timeout for event streams; 0 (the default) disables it. A test seam more than a setting. */
  streamBodyTimeoutMs?: number;
  /** TCP/TLS connect timeout. */
  connectTimeoutMs?: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

let sharedDefault: BaseFetch | undefined;

/** The process-wide base fetch with the default options; agents are created once. */
export function defaultBaseFetch(): BaseFetch {
  sharedDefault ??= createBaseFetch();
  return sharedDefault;
}

export interface BaseFetch {
  /** Sends one request: manual redirects, stream-aware dispatcher. `what` names the peer in errors. */
  (url: string | URL, init: RequestInit | undefined, what: string): Promise<Response>;
  close(): Promise<void>;
}

export function createBaseFetch(options: BaseFetchOptions = {}): BaseFetch {
  const connect = { timeout: options.connectTimeoutMs ?? 10_000 };
  const requestAgent = new Agent({ connect });
  const streamAgent = new Agent({ connect, bodyTimeout: options.streamBodyTimeoutMs ?? 0 });

  const send = async (url: string | URL, init: RequestInit | undefined, what: string): Promise<Response> => {
    // A request whose init carries its own sender (the backend layer's keep-alive path) is sent by it, after
    // the strategy has added its headers; the redirect rule below applies to it all the same.
    const direct = (init as { [DIRECT_SEND]?: DirectSend } | undefined)?.[DIRECT_SEND];
    const response = direct
      ? await direct(url, init!)
      : ((await undiciFetch(url, {
          ...(init as object),
          redirect: 'manual',
          dispatcher: isEventStreamRequest(init) ? streamAgent : requestAgent,
        } as Parameters<typeof undiciFetch>[1])) as unknown as Response);
    if (REDIRECT_STATUSES.has(response.status)) {
      await response.body?.cancel().catch(() => undefined);
      throw redirectError(response, url, what);
    }
    return response;
  };
  return Object.assign(send, {
    close: async () => {
      await Promise.allSettled([requestAgent.close(), streamAgent.close()]);
    },
  });
}

/** Adapts a BaseFetch to the SDK's FetchLike for requests to `what`. */
export function asFetchLike(base: BaseFetch, what: string): FetchLike {
  return (url, init) => base(url, init, what);
}

function isEventStreamRequest(init: RequestInit | undefined): boolean {
  const method = (init?.method ?? 'GET').toUpperCase();
  if (method !== 'GET') return false;
  // The strategies pass a Headers object already: read it rather than copying it again.
  const given = init?.headers;
  const accept = (given instanceof Headers ? given : new Headers(given)).get('accept') ?? '';
  return accept.includes('text/event-stream');
}

function redirectError(response: Response, url: string | URL, what: string): SentinelError {
  const location = response.headers.get('location');
  let target = '(no Location header)';
  if (location) {
    try {
      target = new URL(location, url).origin;
    } catch {
      target = '(invalid Location header)';
    }
  }
  return new SentinelError(
    'AUTH_REDIRECT',
    `${what} answered HTTP ${response.status} redirecting to ${target}; redirects are not followed so credentials cannot leak`,
    { hint: `configure the final URL instead of ${originOf(url)} if the move is intended`, permanent: true },
  );
}

/**
 * Runs `run` with a signal that aborts after `timeoutMs` or when `outer` aborts. A timeout surfaces as
 * `onTimeout()`; an outer abort as the outer reason.
 */
export async function withDeadline<T>(
  timeoutMs: number,
  outer: AbortSignal | undefined,
  onTimeout: () => Error,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const timer = new AbortController();
  const handle = setTimeout(() => timer.abort(), timeoutMs);
  const signal = outer ? AbortSignal.any([outer, timer.signal]) : timer.signal;
  try {
    return await run(signal);
  } catch (error) {
    if (timer.signal.aborted && !outer?.aborted) throw onTimeout();
    throw error;
  } finally {
    clearTimeout(handle);
  }
}

function bodyTooLarge(limit: number): SentinelError {
  return new SentinelError('RESPONSE_TOO_LARGE', `response body exceeds ${limit} bytes`);
}

/** Whether `error` is readBodyCapped's refusal of a body over its limit. */
export function isBodyTooLarge(error: unknown): error is SentinelError {
  return error instanceof SentinelError && error.code === 'RESPONSE_TOO_LARGE';
}

/** Reads at most `limit` bytes of the body; past that it cancels the rest and throws (see isBodyTooLarge). */
export async function readBodyCapped(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body.cancel().catch(() => undefined);
    throw bodyTooLarge(limit);
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw bodyTooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
