/**
 * What a failed POST of a forwarded request becomes: one SentinelError naming the backend. An error status
 * keeps its code and the short summary http-guard.ts makes of the body (a 512 KB proxy error page becomes
 * `an HTML page ("502 Bad Gateway")`); a 404 to a session means the session is gone and the request never
 * ran (BACKEND_SESSION_EXPIRED, which the forwarder answers by renewing and resending once); a failure below
 * HTTP says the backend is unreachable, with the socket's error code.
 */
import { SentinelError } from '../../errors.js';
import { RpcCode, closedError } from '../forwarder/outcomes.js';
import { summariseBody } from '../http-guard.js';
import { networkCode } from '../network-codes.js';
import { RAW_BODY, type DirectResponse } from './direct-send.js';

/** How much of an error body is read to summarise it; the rest is never read. */
const ERROR_BODY_BYTES = 16 * 1024;

export async function statusError(
  backend: string,
  response: Response,
  expired: boolean,
): Promise<SentinelError> {
  const text = await readHead(response, ERROR_BODY_BYTES);
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (expired) {
    return new SentinelError(
      'BACKEND_SESSION_EXPIRED',
      `backend "${backend}" no longer knows the session (${status})`,
      { backend },
    );
  }
  const line = summariseBody(text, response.headers.get('content-type'));
  const auth = response.status === 401 || response.status === 403;
  return new SentinelError(
    auth ? 'AUTH_FAILED' : 'BACKEND_HTTP_STATUS',
    `backend "${backend}" answered ${status}${line ? `: ${line}` : ''}`,
    {
      backend,
      hint: auth ? 'check the credentials configured for this server' : undefined,
      rpc: { code: RpcCode.InternalError },
    },
  );
}

/** The first `max` bytes of the body as text; the rest is never read (the connection is closed). */
async function readHead(response: Response, max: number): Promise<string> {
  const raw = (response as unknown as Partial<DirectResponse>)[RAW_BODY];
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    const source = (raw ?? response.body ?? []) as AsyncIterable<Uint8Array>;
    for await (const chunk of source) {
      chunks.push(Buffer.from(chunk));
      size += chunk.byteLength;
      if (size >= max) break;
    }
  } catch {
    // what arrived is enough to summarise
  } finally {
    if (raw) raw.on('error', () => undefined).destroy();
    else await response.body?.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

/**
 * A POST that got no response at all: `lost` says why when the server is unreachable (the connection
 * renews its session). An abort is the forwarder's own doing; it and auth failures stay what they were.
 */
export function sendFailure(
  backend: string,
  error: unknown,
  signal: AbortSignal | undefined,
): { error: unknown; lost?: string } {
  if (error instanceof SentinelError || signal?.aborted) return { error };
  const code = networkCode(error);
  if (code) {
    const lost = `is unreachable (${code})`;
    return { error: closedError(backend, lost), lost };
  }
  const why = error instanceof Error ? error.message : String(error);
  return {
    error: new SentinelError('BACKEND_DOWN', `backend "${backend}": ${why}`, {
      backend,
      cause: error,
      rpc: { code: RpcCode.InternalError },
    }),
  };
}
