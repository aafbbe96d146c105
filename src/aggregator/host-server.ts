/**
 * The SDK `Server` the host talks to, used through its public seams only: notifications go out through
 * `notification`, reverse requests of backends (sampling, elicitation, roots) through `request`, and the
 * host's answers to those come back through it; it answers `ping`. It is connected to whatever Transport
 * the caller gives it: the host pipeline's link in `serve` (pipeline/), an in-memory pair in the CLI's
 * try commands. In `serve` the requests mcp-sentinel answers are answered before they reach it
 * (pipeline/dispatch.ts); where there is no pipeline they reach the same router through
 * `fallbackRequestHandler`.
 *
 * In `serve` the SDK never sees `initialize` (the pipeline answers it: pipeline/early-initialize.ts), and
 * it does not need to: with no version negotiated it speaks the 2025 wire every 2025-era host speaks (a
 * 2026-07-28 host is translated to it by modern-host/), and the client capabilities it would record are
 * read only by push APIs mcp-sentinel does not use (reverse requests go through `request`, which checks
 * none). What the host said of itself is kept by the pipeline's front.
 */
import {
  ProtocolError,
  SdkError,
  SdkErrorCode,
  Server,
  type JSONRPCRequest,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { BackendManager } from '../backends/manager.js';
import { RpcCode } from '../backends/forwarder/outcomes.js';
import { PASS_THROUGH } from '../backends/pass-through.js';
import { INSTRUCTIONS, SERVER_CAPABILITIES, SERVER_INFO } from './identity.js';
import type { Params } from './forward.js';
import type { RequestRouter } from './router.js';

export interface HostServer {
  server: Server;
  /** Sends a notification to the host; a failure to send is not the caller's problem. */
  notify(method: string, params?: Record<string, unknown>): void;
  /** Sends a request of a backend to the host, with the host's answer as result. */
  request(
    method: string,
    params: Record<string, unknown> | undefined,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<Record<string, unknown>>;
}

export function createHostServer(
  router: RequestRouter,
  manager: BackendManager,
  onInitialized: () => void,
): HostServer {
  const server = new Server(SERVER_INFO, { capabilities: SERVER_CAPABILITIES, instructions: INSTRUCTIONS });
  // The SDK's own logging/setLevel only records the level per session; ours forwards it (handlers/session.ts).
  server.removeRequestHandler('logging/setLevel');
  server.fallbackRequestHandler = (request, ctx) =>
    router.dispatch(request.method, paramsAsSent(request, ctx), {
      signal: ctx.mcpReq.signal,
      sendNotification: (notification) => ctx.mcpReq.notify(notification),
    });
  server.oninitialized = onInitialized;
  // Backends were told the host has roots; they hear when those change.
  server.setNotificationHandler('notifications/roots/list_changed', () => {
    for (const backend of manager.backends) backend.notify('notifications/roots/list_changed');
  });
  return {
    server,
    notify: (method, params) => void server.notification({ method, params }).catch(() => undefined),
    request: async (method, params, signal, timeout) => {
      try {
        // The host's answer as it came, unchecked but for being an object: the backend judges it.
        return await server.request({ method, params }, PASS_THROUGH, { signal, timeout });
      } catch (error) {
        throw asRpcError(error);
      }
    },
  };
}

/**
 * The params as the host sent them: the SDK lifts the 2026-07-28 envelope keys out of `_meta` and the
 * multi round-trip fields out of the params before a handler runs; they are put back for the backend.
 */
function paramsAsSent(request: JSONRPCRequest, ctx: ServerContext): Params | undefined {
  const { envelope, inputResponses } = ctx.mcpReq;
  const requestState = ctx.mcpReq.requestState<unknown>();
  const params = request.params as Params | undefined;
  if (!envelope && inputResponses === undefined && requestState === undefined) return params;
  return {
    ...params,
    ...(envelope && { _meta: { ...envelope, ...params?._meta } }),
    ...(inputResponses !== undefined && { inputResponses }),
    ...(requestState !== undefined && { requestState }),
  };
}

/** The SDK's own failures of a reverse request, as the JSON-RPC errors the backend is answered with. */
function asRpcError(error: unknown): unknown {
  if (!(error instanceof SdkError)) return error;
  if (error.code === SdkErrorCode.RequestTimeout)
    return new ProtocolError(RpcCode.RequestTimeout, error.message, error.data);
  if (error.code === SdkErrorCode.ConnectionClosed || error.code === SdkErrorCode.NotConnected)
    return new ProtocolError(RpcCode.ConnectionClosed, error.message);
  return new ProtocolError(RpcCode.InternalError, error.message);
}
