/**
 * The SDK `Server` the CLI's try commands talk to over an in-memory pair (`serve` has its own, lighter
 * end of the pipeline, pipeline/host-peer.ts, and never loads the SDK's server package). It is used
 * through its public seams only: notifications go out through `notification`, reverse requests of
 * backends (sampling, elicitation, roots) through `request`, and the host's answers to those come back
 * through it; it answers `ping`, and every other request reaches the router through
 * `fallbackRequestHandler`. It can also sit behind the pipeline's link (pipeline/sdk-link.ts), never
 * seeing `initialize` there: with no version negotiated it speaks the 2025 wire, and the client
 * capabilities it would record are read only by push APIs mcp-sentinel does not use.
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
import type { HostServer } from './host-side.js';

export function createHostServer(
  router: RequestRouter,
  manager: BackendManager,
  onInitialized: () => void,
): HostServer & { server: Server } {
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
