/**
 * Transport and SDK failures of a backend, classified and turned into the one SentinelError (src/errors.ts)
 * with `code`, `backend`, `stage` and `cause`. Classification goes by error types and codes only: the SDK's
 * ProtocolError (the backend's JSON-RPC error) and SdkError codes (connection closed, request timeout), the
 * HTTP status of its transports' errors and of ours (remote-errors.ts), socket error codes.
 */
import { ProtocolError, SdkError, SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import { SEE_DOCTOR_HINT, SentinelError, describeError } from '../errors.js';
import { isStdioServer, type ServerConfig } from '../config/types.js';
import { describeRemoteFailure, tellingLine } from './failure-text.js';
import { FIRST_START_MS, packageRunner } from './package-runner.js';
import { networkCode } from './network-codes.js';
import { EventStreamGaveUp, PostStatusError } from './remote-errors.js';
import { RpcCode, closedError } from './forwarder/outcomes.js';

/** The SDK's "Connection closed": the transport ended while a request (initialize, a list) waited. */
export function isConnectionClosed(error: unknown): boolean {
  return error instanceof SdkError && error.code === SdkErrorCode.ConnectionClosed;
}

export function isRequestTimeout(error: unknown): boolean {
  return error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout;
}

/** A 404 to a request that carried a session id (Streamable HTTP) or went to a session endpoint (SSE). */
export function isSessionExpired(error: unknown): boolean {
  return (error instanceof SdkHttpError || error instanceof PostStatusError) && error.status === 404;
}

/**
 * fetch failed below HTTP: the server is down or the connection broke. A known socket error code on the
 * error or its causes, or fetch's TypeError with the system error that made it as its cause (a DNS or TLS
 * failure, whose codes are too many to list).
 */
export function isConnectionLost(error: unknown): boolean {
  if (networkCode(error) !== undefined) return true;
  return (
    error instanceof TypeError && typeof (error.cause as { code?: unknown } | undefined)?.code === 'string'
  );
}

/** The Streamable HTTP transport gave up reopening its event stream (remote-errors.ts). */
export function isReconnectGiveUp(error: Error): boolean {
  return error instanceof EventStreamGaveUp;
}

export function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? describeError(error);
}

/** Statuses that say nothing about the revision (auth walls, a wrong URL, rate limits). */
const AUTH_OR_GONE = new Set([401, 403, 404, 429]);

/**
 * Refusals of `initialize` that a 2026-07-28-only server gives (an error answer, an HTTP 4xx); a timeout
 * or a network failure is no sign of a revision, and asking again would only double the wait.
 */
export function mayBeModernOnly(error: unknown): boolean {
  if (error instanceof ProtocolError) return true;
  if (error instanceof SdkHttpError)
    return error.status >= 400 && error.status < 500 && !AUTH_OR_GONE.has(error.status);
  return false;
}

/**
 * A failed send of a forwarded message on a remote transport: an expired session (the request never ran,
 * the forwarder resends it), a lost connection, or anything else that ended the request.
 */
export function sendFailure(backend: string, error: unknown): SentinelError {
  if (error instanceof SentinelError) return error;
  if (isSessionExpired(error))
    return new SentinelError('BACKEND_SESSION_EXPIRED', `backend "${backend}" no longer knows our session`, {
      backend,
      cause: error,
    });
  if (isConnectionLost(error)) return closedError(backend, `is unreachable (${describeCause(error)})`);
  return new SentinelError('BACKEND_DOWN', `backend "${backend}": ${describeError(error)}`, {
    backend,
    rpc: { code: RpcCode.InternalError },
    cause: error,
  });
}

/** Why a start failed: what the connection said, the child's last words, or the startup timeout. */
export function startFailure(
  name: string,
  error: unknown,
  startupTimeoutMs: number,
  config: ServerConfig,
  stderr: string[] = [],
): SentinelError {
  if (error instanceof SentinelError) return error;
  const plain = isStdioServer(config) ? undefined : describeRemoteFailure(error, config);
  if (plain) {
    return new SentinelError('BACKEND_CONNECT', `backend "${name}" could not connect: ${plain.message}`, {
      hint: plain.hint,
      backend: name,
      stage: 'connect',
      cause: error,
    });
  }
  const said = isStdioServer(config) && isConnectionClosed(error) ? tellingLine(stderr) : undefined;
  if (said) {
    return new SentinelError(
      'BACKEND_CONNECT',
      `backend "${name}" exited before answering initialize: ${said}`,
      {
        hint: SEE_DOCTOR_HINT,
        backend: name,
        stage: 'initialize',
        cause: error,
      },
    );
  }
  if (isRequestTimeout(error)) {
    const runner = isStdioServer(config) ? packageRunner(config.command, config.args) : undefined;
    return new SentinelError(
      'BACKEND_TIMEOUT',
      `backend "${name}" did not answer within ${startupTimeoutMs} ms while starting`,
      {
        hint: runner
          ? `it runs through ${runner}, which downloads the package on its first start (given ${FIRST_START_MS / 1000} s): check your network and the package name, or install the package and run it directly`
          : 'raise settings.startupTimeoutMs if it is just slow, or run `mcp-sentinel doctor`',
        backend: name,
        stage: 'initialize',
      },
    );
  }
  // The connection closed before the handshake was done: a stdio backend's process exited.
  return new SentinelError(
    'BACKEND_CONNECT',
    `backend "${name}" could not connect: ${describeError(error)}`,
    {
      hint: SEE_DOCTOR_HINT,
      backend: name,
      stage: isConnectionClosed(error) ? 'initialize' : 'connect',
      cause: error,
    },
  );
}

/** The reason a backend is not available for a request right now. */
export function unavailable(name: string, state: string, error: SentinelError | undefined): SentinelError {
  if (error) {
    const reason = error.message.startsWith(`backend "${name}"`)
      ? error.message
      : `backend "${name}" is unavailable: ${error.message}`;
    return new SentinelError(error.code, reason, { hint: error.hint, issues: error.issues, backend: name });
  }
  return new SentinelError(
    'BACKEND_DOWN',
    `backend "${name}" is ${state === 'starting' ? 'still starting' : state}`,
    {
      backend: name,
      hint:
        state === 'starting'
          ? 'try again in a moment'
          : 'it is being restarted; run `mcp-sentinel doctor` if this persists',
    },
  );
}
