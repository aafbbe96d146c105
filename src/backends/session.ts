/**
 * The SDK client side of a backend session: the capabilities we declare (what the host declared, nothing
 * more), the relay of the backend's reverse requests (sampling, elicitation, roots) to the host, and the
 * backend's notifications (list changes, resource updates, log messages, task status) as SessionEvents.
 * The client does `initialize`, the lists and reverse requests; forwarded requests go through the
 * forwarder (forwarder/forwarder.ts), not through it.
 */
import {
  Client,
  type ClientCapabilities,
  type HandlerResultTypeMap,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/client';
import { SentinelError } from '../errors.js';
import { VERSION } from '../version.js';
import { RpcCode, RpcFailure } from './forwarder/outcomes.js';
import { PASS_THROUGH } from './pass-through.js';
import type { HostBridge, ListKind } from './types.js';

/** What a session reports upward (backend.ts turns these into re-lists and events). */
export interface SessionEvents {
  listChanged(kind: ListKind): void;
  resourceUpdated(uri: string): void;
  log(params: LoggingMessageNotification['params']): void;
  taskStatus(params: Record<string, unknown>): void;
  /** The end of a URL elicitation this backend asked the host for (2025-11-25). */
  elicitationComplete(elicitationId: string): void;
}

/** How many open URL elicitations of one backend are remembered (the oldest is forgotten first). */
const OPEN_URL_ELICITATIONS = 64;

/** Remembers the id of a URL elicitation on its way to the host. */
function rememberUrlElicitation(
  open: Set<string>,
  params: Record<string, unknown> | undefined,
): string | undefined {
  if (params?.mode !== 'url' || typeof params.elicitationId !== 'string') return undefined;
  open.add(params.elicitationId);
  if (open.size > OPEN_URL_ELICITATIONS) open.delete(open.values().next().value!);
  return params.elicitationId;
}

/** Reverse requests and the client capability the host must have declared for each. */
const REVERSE_CAPABILITY: Record<string, keyof ClientCapabilities> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

/** What the backend may ask of the host: what the host declared, nothing more. */
export function clientCapabilities(host: HostBridge): ClientCapabilities {
  const declared = host.capabilities() ?? {};
  const capabilities: ClientCapabilities = {};
  if (declared.sampling) capabilities.sampling = declared.sampling;
  if (declared.elicitation) capabilities.elicitation = declared.elicitation;
  if (declared.roots) capabilities.roots = { listChanged: declared.roots.listChanged ?? false };
  return capabilities;
}

/** A refusal the backend sees as the JSON-RPC error it is: its code, and our words for why. */
function refusal(message: string): RpcFailure {
  return new RpcFailure(
    new SentinelError('BACKEND_ERROR', message, { rpc: { code: RpcCode.MethodNotFound } }),
  );
}

/** The requests a backend may ask of the host, in either era. */
export type RelayedMethod = 'sampling/createMessage' | 'elicitation/create' | 'roots/list';

/** Answers the backend's `method` with what `ask` gets from the host, as it came (the SDK encodes it). */
export function relayRequest<M extends RelayedMethod>(
  client: Client,
  method: M,
  ask: (params: Record<string, unknown> | undefined, signal: AbortSignal) => Promise<Record<string, unknown>>,
): void {
  client.setRequestHandler(method, async (request, ctx) => {
    const answer = await ask(request.params, ctx.mcpReq.signal);
    return answer as HandlerResultTypeMap[M];
  });
}

/** A 2025-era SDK client with the reverse-request relay and the notification handlers installed. */
export function createClient(host: HostBridge, events: SessionEvents): Client {
  const capabilities = clientCapabilities(host);
  const client = new Client({ name: 'mcp-sentinel', version: VERSION }, { capabilities });
  const openUrlElicitations = new Set<string>();
  for (const method of Object.keys(REVERSE_CAPABILITY) as RelayedMethod[]) {
    if (REVERSE_CAPABILITY[method]! in capabilities)
      relayRequest(client, method, async (params, signal) => {
        if (method !== 'elicitation/create') return host.request(method, params, signal);
        const id = rememberUrlElicitation(openUrlElicitations, params);
        const answer = await host.request(method, params, signal);
        // Declined or cancelled: nothing is waiting for its end at the host.
        if (id !== undefined && answer.action !== 'accept') openUrlElicitations.delete(id);
        return answer;
      });
  }
  // Whatever the host did not declare is refused with a reason, not a bare "Method not found".
  client.fallbackRequestHandler = async (request) => {
    const capability = Object.hasOwn(REVERSE_CAPABILITY, request.method)
      ? REVERSE_CAPABILITY[request.method]
      : undefined;
    if (!capability) throw refusal(`mcp-sentinel does not handle ${request.method}`);
    throw refusal(
      `${request.method} refused: the host connected to mcp-sentinel did not declare the "${capability}" capability`,
    );
  };
  client.setNotificationHandler('notifications/tools/list_changed', () => events.listChanged('tools'));
  client.setNotificationHandler('notifications/resources/list_changed', () =>
    events.listChanged('resources'),
  );
  client.setNotificationHandler('notifications/prompts/list_changed', () => events.listChanged('prompts'));
  client.setNotificationHandler('notifications/resources/updated', (n) =>
    events.resourceUpdated(n.params.uri),
  );
  client.setNotificationHandler('notifications/message', (n) => events.log(n.params));
  // Only the end of an elicitation it asked the host for and that was accepted (the ids are the backends'
  // own: two backends that chose the same id would share it at the host).
  client.setNotificationHandler('notifications/elicitation/complete', (n) => {
    const id = n.params.elicitationId;
    if (openUrlElicitations.delete(id)) events.elicitationComplete(id);
  });
  // Task status (2025-11-25) is vocabulary the v2 SDK keeps for the wire only: its params as they came.
  client.setNotificationHandler('notifications/tasks/status', { params: PASS_THROUGH }, (params) =>
    events.taskStatus(params),
  );
  return client;
}

/** A notification of a 2026-07-28 session (modern-session.ts), as the same SessionEvents. */
export function routeNotification(
  events: SessionEvents,
  method: string,
  params: Record<string, unknown> | undefined,
): void {
  if (method === 'notifications/tools/list_changed') events.listChanged('tools');
  else if (method === 'notifications/prompts/list_changed') events.listChanged('prompts');
  else if (method === 'notifications/resources/list_changed') events.listChanged('resources');
  else if (method === 'notifications/resources/updated' && typeof params?.uri === 'string')
    events.resourceUpdated(params.uri);
  else if (method === 'notifications/message' && params)
    events.log(params as LoggingMessageNotification['params']);
}
