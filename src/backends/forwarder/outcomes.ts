/**
 * The failures of a forwarded request, as SentinelErrors that also say how the host sees them (`rpc`: the
 * JSON-RPC code and data), and their one rendering for the wire. A backend's own error keeps its code,
 * message and data; no registered secret reaches the host, because everything but a result is redacted
 * where it leaves for the host (src/aggregator/outbound-redaction.ts), not here.
 */
import { SentinelError } from '../../errors.js';

/** The JSON-RPC codes the forwarder answers with itself (the SDK's ErrorCode values). */
export const RpcCode = {
  ConnectionClosed: -32000,
  RequestTimeout: -32001,
  MethodNotFound: -32601,
  InternalError: -32603,
} as const;

/** What a backend answered: passed on as it was sent. */
export function backendError(error: { code: number; message: string; data?: unknown }): SentinelError {
  return new SentinelError('BACKEND_ERROR', error.message, { rpc: { code: error.code, data: error.data } });
}

/** The session the request was sent on is gone ("exited with code 1", "is unreachable (ECONNREFUSED)"). */
export function closedError(backend: string, reason: string): SentinelError {
  return new SentinelError('BACKEND_DOWN', `backend "${backend}" ${reason} during the request`, {
    backend,
    rpc: { code: RpcCode.ConnectionClosed },
  });
}

export function timeoutError(backend: string, timeoutMs: number): SentinelError {
  return new SentinelError('BACKEND_TIMEOUT', `backend "${backend}": Request timed out`, {
    backend,
    rpc: { code: RpcCode.RequestTimeout, data: { timeout: timeoutMs } },
  });
}

/** A failure for the wire: `{ code, message, data }` of a JSON-RPC error response. */
export function jsonRpcError(error: SentinelError): { code: number; message: string; data?: unknown } {
  const code = error.rpc?.code ?? RpcCode.InternalError;
  const data = error.rpc ? error.rpc.data : { code: error.code };
  return { code, message: error.message, ...(data !== undefined && { data }) };
}

/**
 * The error a request handler of the SDK's Protocol throws to answer with `jsonRpcError` as it is: the
 * Protocol reads `code`, `message` and `data` of what is thrown.
 */
export class RpcFailure extends Error {
  readonly code: number;
  readonly data?: unknown;

  constructor(error: SentinelError) {
    const wire = jsonRpcError(error);
    super(wire.message);
    this.name = 'RpcFailure';
    this.code = wire.code;
    this.data = wire.data;
  }
}

/** SentinelErrors that carry a wire form become RpcFailures; anything else is returned unchanged. */
export function forHost(error: unknown): unknown {
  return error instanceof SentinelError && error.rpc ? new RpcFailure(error) : error;
}
