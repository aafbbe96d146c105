/**
 * The SDK client side of a backend session: the capabilities we declare (what the host declared, nothing
 * more), the relay of the backend's reverse requests (sampling, elicitation, roots) to the host, and the
 * backend's notifications (list changes, resource updates, log messages, task status) as SessionEvents.
 * The client does `initialize`, the lists and reverse requests; forwarded requests go through the
 * forwarder (forwarder/forwarder.ts), not through it.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ClientCapabilities, LoggingMessageNotification } from '@modelcontextprotocol/client';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  TaskStatusNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { SentinelError } from '../errors.js';
import { VERSION } from '../version.js';
import { RpcCode, RpcFailure } from './forwarder/outcomes.js';
import type { HostBridge, ListKind } from './types.js';

/** What a session reports upward (backend.ts turns these into re-lists and events). */
export interface SessionEvents {
  listChanged(kind: ListKind): void;
  resourceUpdated(uri: string): void;
  log(params: LoggingMessageNotification['params']): void;
  taskStatus(params: Record<string, unknown>): void;
}

/** Reverse requests and the client capability the host must have declared for each. */
const REVERSE_CAPABILITY: Record<string, string> = {
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

/** A refusal the backend sees as the JSON-RPC error it is (not prefixed the way McpError's are). */
function refusal(message: string): RpcFailure {
  return new RpcFailure(
    new SentinelError('BACKEND_ERROR', message, { rpc: { code: RpcCode.MethodNotFound } }),
  );
}

/** A 2025-era SDK client with the reverse-request relay and the notification handlers installed. */
export function createClient(host: HostBridge, events: SessionEvents): Client {
  const capabilities = clientCapabilities(host);
  const client = new Client({ name: 'mcp-sentinel', version: VERSION }, { capabilities });
  const relay =
    (method: string) =>
    async (request: { params?: Record<string, unknown> }, extra: { signal: AbortSignal }) =>
      host.request(method, request.params, extra.signal);
  if (capabilities.sampling)
    client.setRequestHandler(CreateMessageRequestSchema, relay('sampling/createMessage') as never);
  if (capabilities.elicitation)
    client.setRequestHandler(ElicitRequestSchema, relay('elicitation/create') as never);
  if (capabilities.roots) client.setRequestHandler(ListRootsRequestSchema, relay('roots/list') as never);
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
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => events.listChanged('tools'));
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => events.listChanged('resources'));
  client.setNotificationHandler(PromptListChangedNotificationSchema, () => events.listChanged('prompts'));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) =>
    events.resourceUpdated(n.params.uri),
  );
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => events.log(n.params));
  client.setNotificationHandler(TaskStatusNotificationSchema, (n) =>
    events.taskStatus(n.params as Record<string, unknown>),
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
