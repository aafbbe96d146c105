/**
 * A session with a backend that speaks the 2026-07-28 revision (no `initialize`: it answers
 * `server/discover`, and every request carries version and capabilities in `_meta`), through the v2 SDK
 * Client: over Streamable HTTP, or over the stdio child mcp-sentinel runs, whose `server/discover` answer
 * (stdio-era.ts) the client adopts without asking again. A Backend uses it exactly as it uses the Client of a 2025-era session (the members in
 * BackendSession), so everything above it (catalog, routing, errors) is the same in both eras.
 *
 * What the 2026-07-28 wire changes, the v2 Client handles: a backend that needs the user's input answers
 * `input_required` (elicitation, sampling, roots) instead of sending a request; the client fulfils it
 * through the handlers registered here, which relay to the host as 2025-era requests, and retries the call
 * with the answers and the server's `requestState`. List changes arrive through `subscriptions/listen`.
 * Errors are the SDK's own (ProtocolError with the backend's code, message and data; SdkError), as in the
 * 2025 era.
 */
import type {
  CacheableRequestOptions,
  CallToolRequest,
  CallToolRequestOptions,
  Client,
  ClientCapabilities,
  DiscoverResult,
  FetchLike,
  ListToolsRequest,
  Notification,
  PriorDiscovery,
  Request,
  RequestOptions,
  SubscriptionFilter,
  Transport,
} from '@modelcontextprotocol/client';
import { VERSION } from '../version.js';
import { ModernRequests } from './modern-requests.js';
import { reconnection } from './remote-errors.js';
import { cutOffAtBudget } from './request-scope.js';
import { tolerantLists } from './tolerant-lists.js';
import { relayRequest } from './session.js';

/** The part of the SDK Client that a Backend uses once a session is open, in either era. */
export type BackendSession = Pick<
  Client,
  'request' | 'notification' | 'close' | 'getServerCapabilities' | 'getServerVersion' | 'getInstructions'
> & {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** Progress of a request sent with the forwarder's own token (session-channel.ts), as it arrives. */
  onprogress?: (params: Record<string, unknown>) => void;
};

export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/** The era a negotiated protocol version belongs to (undefined: none negotiated yet). */
export function eraOf(version: string | undefined): 'modern' | 'legacy' | undefined {
  if (!version) return undefined;
  return version === MODERN_PROTOCOL_VERSION ? 'modern' : 'legacy';
}

/** The host-side requests a modern backend can ask for through `input_required`. */
const RELAYED = ['sampling/createMessage', 'elicitation/create', 'roots/list'] as const;

/** A started stdio transport whose child answered `server/discover` (stdio-era.ts), and that answer. */
export interface ModernStdio {
  transport: Transport;
  discover: DiscoverResult;
}

export interface ModernSessionOptions {
  /** The Streamable HTTP endpoint; or `stdio`. */
  url?: URL;
  fetch?: FetchLike;
  stdio?: ModernStdio;
  /** The client capabilities the host has (what the backend may ask of it). */
  capabilities: ClientCapabilities;
  timeoutMs: number;
  /** Sends a host-side request (sampling, elicitation, roots) to the host and returns its answer. */
  relay(
    method: string,
    params: Record<string, unknown> | undefined,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>>;
  /** A notification from the backend (list changes, resource updates, log messages). */
  onNotification(method: string, params: Record<string, unknown> | undefined): void;
  /** A listed item was malformed and dropped (tolerant-lists.ts). */
  warn(message: string): void;
}

/** Results are passed on as the backend sent them: no schema of ours trims or rejects anything. */
const PASS_THROUGH = {
  '~standard': {
    version: 1 as const,
    vendor: 'mcp-sentinel',
    validate: (value: unknown) => ({ value }),
  },
};

const NOTIFICATIONS = [
  'notifications/tools/list_changed',
  'notifications/prompts/list_changed',
  'notifications/resources/list_changed',
  'notifications/resources/updated',
  'notifications/message',
] as const;

/**
 * Opens a 2026-07-28 session, or rejects when the server does not speak that revision (or cannot be
 * reached): the caller then reports the error of its 2025-era attempt.
 */
export async function openModernSession(options: ModernSessionOptions): Promise<BackendSession> {
  const { Client, ProtocolError, StreamableHTTPClientTransport } =
    await import('@modelcontextprotocol/client');
  const client = new Client(
    { name: 'mcp-sentinel', version: VERSION },
    {
      capabilities: options.capabilities,
      versionNegotiation: { mode: { pin: MODERN_PROTOCOL_VERSION }, probe: { timeoutMs: options.timeoutMs } },
    },
  );
  for (const method of RELAYED) {
    const capability = method === 'sampling/createMessage' ? 'sampling' : method.split('/')[0]!;
    if (!(capability in options.capabilities)) continue;
    relayRequest(client, method, (params, signal) => options.relay(method, params, signal));
  }
  for (const method of NOTIFICATIONS) {
    client.setNotificationHandler(method, (notification) =>
      options.onNotification(method, notification.params as Record<string, unknown> | undefined),
    );
  }
  const { stdio } = options;
  const channel: Transport = stdio
    ? stdio.transport
    : new StreamableHTTPClientTransport(options.url!, {
        fetch: options.fetch,
        ...reconnection((error) => channel.onerror?.(error)),
      });
  // One malformed listed item is dropped alone, not the whole list (the client's schemas are strict).
  const transport = tolerantLists(channel, options.warn);
  const prior: PriorDiscovery | undefined = stdio && { kind: 'modern', discover: stdio.discover };
  try {
    await client.connect(transport, { timeout: options.timeoutMs, ...(prior && { prior }) });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  await listenForChanges(client);
  return adapt(client, new ModernRequests(client, (message) => new ProtocolError(-32602, message)));
}

type ModernClient = InstanceType<(typeof import('@modelcontextprotocol/client'))['Client']>;

/** List changes come on a `subscriptions/listen` stream in this revision; none is a loss, not a failure. */
async function listenForChanges(client: ModernClient): Promise<void> {
  const caps = client.getServerCapabilities() as Record<string, { listChanged?: boolean } | undefined>;
  const filter: SubscriptionFilter = {
    ...(caps.tools?.listChanged && { toolsListChanged: true }),
    ...(caps.prompts?.listChanged && { promptsListChanged: true }),
    ...(caps.resources?.listChanged && { resourcesListChanged: true }),
  };
  if (Object.keys(filter).length === 0) return;
  await client.listen(filter).catch(() => undefined);
}

/**
 * Sends one request through the client. tools/list and tools/call go through the client's own verbs: it
 * drops tools whose x-mcp-header annotations are invalid and mirrors the annotated arguments into
 * Mcp-Param-* headers (SEP-2243).
 */
async function send(
  client: ModernClient,
  extras: ModernRequests,
  request: { method: string; params?: Record<string, unknown> },
  options: Record<string, unknown>,
): Promise<unknown> {
  const { params } = request;
  if (request.method === 'tools/list') {
    const listed = await client.listTools(params as ListToolsRequest['params'], {
      ...(options as CacheableRequestOptions),
      cacheMode: 'refresh',
    });
    extras.listed(listed, params?.cursor);
    return listed;
  }
  if (request.method === 'tools/call')
    return await client.callTool(params as CallToolRequest['params'], options as CallToolRequestOptions);
  return await client.request(request as Request, PASS_THROUGH, options as RequestOptions);
}

function adapt(client: ModernClient, extras: ModernRequests): BackendSession {
  const session: BackendSession = {
    request: (async (
      request: { method: string; params?: Record<string, unknown> },
      _schema: unknown,
      given?: Record<string, unknown>,
    ) => {
      const local = extras.answer(request.method, request.params);
      if (local) return await local;
      const { params, options } = extras.prepare(request.method, request.params, given);
      // A reply cut at settings.maxResponseBytes fails the request with that error (request-scope.ts).
      return await cutOffAtBudget(options?.signal as AbortSignal | undefined, (signal) =>
        send(client, extras, { ...request, params }, { ...options, signal }),
      );
    }) as unknown as Client['request'],
    notification: (async (notification: { method: string; params?: Record<string, unknown> }) => {
      await client.notification(notification as Notification);
    }) as unknown as Client['notification'],
    close: () => client.close(),
    getServerCapabilities: () => client.getServerCapabilities(),
    getServerVersion: () => client.getServerVersion(),
    getInstructions: () => client.getInstructions(),
  };
  // Progress goes to the session's hook as it arrives: the client's own progress dispatch runs a
  // microtask later, when a response read in the same chunk has removed its handler, and drops it.
  client.setNotificationHandler('notifications/progress', (notification) =>
    session.onprogress?.(notification.params),
  );
  client.onclose = () => session.onclose?.();
  client.onerror = (error) => session.onerror?.(error);
  return session;
}
