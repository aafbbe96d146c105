/**
 * The SDK `Server` the host talks to, used through its public seams only: requests mcp-sentinel answers
 * reach the router through `fallbackRequestHandler` (the SDK keeps `initialize` and `ping`), notifications
 * go out through `notification`, reverse requests of backends (sampling, elicitation, roots) through
 * `request`. It is connected to whatever Transport the caller gives it: the host pipeline's link in
 * `serve` (pipeline/), an in-memory pair in the CLI's try commands.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Result } from '@modelcontextprotocol/server';
import { ResultSchema, RootsListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { BackendManager } from '../backends/manager.js';
import { INSTRUCTIONS, SERVER_CAPABILITIES, SERVER_INFO } from './identity.js';
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
  server.fallbackRequestHandler = async (request, extra) =>
    (await router.dispatch(request.method, request.params, {
      signal: extra.signal,
      sendNotification: (notification) => extra.sendNotification(notification),
    })) as Result;
  server.oninitialized = onInitialized;
  // Backends were told the host has roots; they hear when those change.
  server.setNotificationHandler(RootsListChangedNotificationSchema, () => {
    for (const backend of manager.backends) backend.notify('notifications/roots/list_changed');
  });
  return {
    server,
    notify: (method, params) => void server.notification({ method, params }).catch(() => undefined),
    request: async (method, params, signal, timeout) =>
      (await server.request({ method, params }, ResultSchema, { signal, timeout })) as Record<
        string,
        unknown
      >,
  };
}
