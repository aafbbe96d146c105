/**
 * The keep-alive HTTP path under forwarded requests to remote backends: one undici Pool per origin, its
 * connections reused across requests, and `request()` instead of `fetch()`, so that a forwarded call pays
 * for no WHATWG Request, Response or stream. It plugs in below the backend's auth strategy (DIRECT_SEND in
 * src/auth/base-fetch.ts), so headers, tokens, 401 refreshes and the redirect rule stay the strategy's.
 *
 * What it hands back is a `Response` in the shape the strategies read (status, headers, body.cancel), with
 * the raw body stream under RAW_BODY for the channel (reply-reader.ts).
 *
 * Not here: what is sent (channel.ts), how the reply is read (reply-reader.ts).
 */
import { STATUS_CODES } from 'node:http';
import type { Dispatcher, Pool } from 'undici';
import { DIRECT_SEND, type DirectSend } from '../../auth/direct-send.js';

export { DIRECT_SEND };

/** The raw body of a response from `directSend`; absent on a real fetch Response (then read `.body`). */
export const RAW_BODY = Symbol('mcp-sentinel.raw-body');

export type RawBody = Dispatcher.ResponseData['body'];

export interface DirectResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: Headers;
  readonly body: { cancel(reason?: unknown): Promise<void> };
  readonly [RAW_BODY]: RawBody;
}

const pools = new Map<string, Pool>();
/** undici is loaded with the first forwarded request: a config of stdio servers never pays for it. */
let PoolClass: typeof Pool | undefined;
let loading: Promise<typeof Pool> | undefined;

/**
 * The pool of `origin`. Timeouts are the forwarder's (each request carries its abort signal): undici's own
 * 300 s body timeout would cut a long tool call that sends nothing meanwhile. Idle sockets keep nothing
 * alive (undici unrefs them) and close after undici's keep-alive timeout.
 */
async function poolOf(origin: string): Promise<Pool> {
  let pool = pools.get(origin);
  if (pool) return pool;
  PoolClass ??= await (loading ??= import('undici').then((undici) => undici.Pool));
  pool = pools.get(origin);
  if (!pool) {
    pool = new PoolClass(origin, { connect: { timeout: 10_000 }, headersTimeout: 0, bodyTimeout: 0 });
    pools.set(origin, pool);
  }
  return pool;
}

function flatHeaders(given: RequestInit['headers']): string[] {
  const out: string[] = [];
  const headers = given instanceof Headers ? given : new Headers(given);
  headers.forEach((value, name) => out.push(name, value));
  return out;
}

function responseHeaders(raw: Dispatcher.ResponseData['headers']): Headers {
  const headers = new Headers();
  for (const name in raw) {
    const value = raw[name];
    if (Array.isArray(value)) for (const one of value) headers.append(name, one);
    else if (value !== undefined) headers.append(name, value);
  }
  return headers;
}

/** Sends `init` (a string or bytes body) to `url` over the origin's pool. */
export const directSend: DirectSend = async (url, init) => {
  const target = typeof url === 'string' ? new URL(url) : url;
  const data = await (
    await poolOf(target.origin)
  ).request({
    path: target.pathname + target.search,
    method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
    headers: flatHeaders(init.headers),
    body: init.body as string | Buffer | undefined,
    signal: init.signal ?? undefined,
  });
  const body = data.body;
  const response: DirectResponse = {
    status: data.statusCode,
    statusText: STATUS_CODES[data.statusCode] ?? '',
    ok: data.statusCode >= 200 && data.statusCode < 300,
    headers: responseHeaders(data.headers),
    body: {
      // Read to its end and let go, so the connection goes back to the pool (a 202's empty body).
      cancel: () =>
        body.dump().then(
          () => undefined,
          () => undefined,
        ),
    },
    [RAW_BODY]: body,
  };
  return response as unknown as Response;
};
