/**
 * The MCP server the host talks to: one low-level SDK `Server` whose handlers answer from the catalog
 * and forward to backends. Results pass through unchanged; errors name the backend and the reason.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { Protocol, type RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  ErrorCode,
  McpError,
  ResultSchema,
  RootsListChangedNotificationSchema,
  type LoggingLevel,
} from '@modelcontextprotocol/sdk/types.js';
import { describeError, SentinelError } from '../errors.js';
import { forHost } from '../backends/forwarder/outcomes.js';
import { redact, type Logger } from '../log.js';
import type { Settings } from '../config/types.js';
import type { BackendManager } from '../backends/manager.js';
import type { Backend, ForwardOptions, ListKind } from '../backends/backend.js';
import type { HostBridge } from '../backends/types.js';
import { INSTRUCTIONS, SERVER_CAPABILITIES, SERVER_INFO } from './identity.js';
import { buildCatalog, createToolFilter, routeResource, type Catalog, type Route } from './catalog.js';
import { looseRequest } from './loose-schema.js';
import { isNotFound, ReturnedResources } from './resource-routes.js';
import { SessionReplay } from './replay.js';
import { TaskRouter } from './tasks.js';
import { advertise, type Advertised } from './advertised.js';
import { OwnRegistry, type OwnCallContext } from './own-tools.js';
import { createStatusBoard, registerStatus, type StatusBoard } from './status.js';
import { KeptResults } from './results/kept-results.js';
import { asDirectCall, createToolSurface, MetaCallError, type ToolSurface } from './surface/index.js';

type Extra = RequestHandlerExtra<never, never>;
type Params = Record<string, unknown> & { _meta?: Record<string, unknown> };

const LOG_SEVERITY: LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

export interface Aggregator {
  server: Server;
  /** Sends reverse requests (sampling, elicitation, roots) of backends to the host. */
  host: Pick<HostBridge, 'request'>;
  catalog(): Catalog;
  /** Waits (at most startupTimeoutMs, once) for backends, then returns the catalog. */
  ready(): Promise<Catalog>;
  /** What the `initialize` answer advertises, once backends have settled (as `ready`). */
  advertised(): Promise<Advertised>;
  /** Notes the resource URIs in a backend's result (for results that bypass the SDK server). */
  recordResult(backend: string, result: unknown): void;
  /** mcp-sentinel's own tools and resources, listed beside the catalog and answered before it. */
  own: OwnRegistry;
  /** The tool list fitted to the host (src/aggregator/surface/). */
  surface: ToolSurface;
  /** What `sentinel://status` and `sentinel__status` show; features add sections (src/aggregator/status.ts). */
  status: StatusBoard;
  /** A tool result as the host can take it: itself, or head + resource_link when oversized (results/). */
  finishToolResult(tool: string, result: Record<string, unknown>): ToolResult | Promise<ToolResult>;
}

type ToolResult = Record<string, unknown>;

export function createAggregator(manager: BackendManager, settings: Settings, log: Logger): Aggregator {
  const server = new Server(SERVER_INFO, { capabilities: SERVER_CAPABILITIES, instructions: INSTRUCTIONS });
  const own = new OwnRegistry();
  const status = createStatusBoard(manager);
  registerStatus(own, status, manager);
  const ownContext = (params: Params, extra: Extra): OwnCallContext => ({
    signal: extra.signal,
    meta: params._meta,
    sendNotification: (notification) => extra.sendNotification(notification as never),
  });

  let hostInitialized = false;
  const replay = new SessionReplay(log);
  const returned = new ReturnedResources();
  const tasks = new TaskRouter<Extra>(
    () => manager.backends,
    (backend, method, params, extra) => forwardOrExplain(backend, method, params, extra),
  );
  /** The capabilities the host was told of; list changes of other kinds would be a protocol error. */
  let advertisedCapabilities: Record<string, unknown> = SERVER_CAPABILITIES;
  const warned = new Set<string>();
  const warnOnce = (message: string) => {
    if (warned.has(message)) return;
    warned.add(message);
    log.warn(message);
  };

  // Per Backend object, not per name: a reload replaces a changed backend, and its filter with it.
  const filters = new WeakMap<Backend, (name: string) => boolean>();
  const filterOf = (backend: Backend) => {
    let allowed = filters.get(backend);
    if (!allowed) filters.set(backend, (allowed = createToolFilter(backend.config.tools)));
    return allowed;
  };

  /**
   * What each kind of the catalog is built from, per backend in config order: exported (ready), names
   * reserved (down, with last lists) or nothing, with the version of its lists. Equal signatures, equal lists.
   */
  const signOf = (kind: ListKind): string =>
    manager.backends
      .map((b) => {
        const lists = b.listed ? b.lists : b.lastLists;
        const count = !lists
          ? 0
          : kind === 'resources'
            ? lists.resources.length + lists.resourceTemplates.length
            : lists[kind].length;
        if (count === 0) return '-';
        return `${b.listed ? 'e' : 'r'}${b.listVersions[kind]}`;
      })
      .join(',');
  const signAll = () => ({
    tools: signOf('tools'),
    prompts: signOf('prompts'),
    resources: signOf('resources'),
  });

  let built = signAll();
  let catalog = rebuild();
  let startup: Promise<void> | undefined;
  function rebuild(): Catalog {
    // Backends that are down but were up keep their names reserved: another backend must not take them
    // meanwhile (the host would call the wrong tool), nor be renamed when they come back.
    const sources = manager.backends.flatMap((b) => {
      const ready = b.listed;
      const lists = ready ? b.lists : b.lastLists;
      if (!lists) return [];
      return [
        {
          name: b.name,
          prefix: b.config.prefix ?? b.name,
          allowed: filterOf(b),
          promptFilter: b.config.prompts,
          resourceFilter: b.config.resources,
          lists,
          reserveOnly: !ready,
        },
      ];
    });
    return buildCatalog(sources, settings, warnOnce);
  }

  /** Routes of tools whose backend went away, so calls to them get a reason instead of "unknown tool". */
  const lastKnownTools = new Map<string, Route>();
  const lastKnownPrompts = new Map<string, Route>();
  const rememberRoutes = () => {
    for (const [name, route] of catalog.toolRoutes) lastKnownTools.set(name, route);
    for (const [name, route] of catalog.promptRoutes) lastKnownPrompts.set(name, route);
  };

  /** The signatures of the lists the host was last told about. */
  const signatures = { tools: '', prompts: '', resources: '' };
  let notifyTimer: NodeJS.Timeout | undefined;
  const notifyHostOfChanges = () => {
    if (!hostInitialized) return;
    clearTimeout(notifyTimer);
    notifyTimer = setTimeout(() => {
      const next = { ...built };
      if (!advertisedCapabilities.prompts) next.prompts = signatures.prompts;
      if (!advertisedCapabilities.resources) next.resources = signatures.resources;
      if (next.tools !== signatures.tools) void server.sendToolListChanged().catch(() => undefined);
      if (next.prompts !== signatures.prompts) void server.sendPromptListChanged().catch(() => undefined);
      if (next.resources !== signatures.resources)
        void server.sendResourceListChanged().catch(() => undefined);
      Object.assign(signatures, next);
    }, 20);
  };
  const markSent = () => {
    Object.assign(signatures, built);
  };

  manager.on('change', () => {
    const next = signAll();
    if (next.tools === built.tools && next.prompts === built.prompts && next.resources === built.resources)
      return; // a state change that changes nothing the host sees (starting → restarting, ...)
    built = next;
    catalog = rebuild();
    rememberRoutes();
    notifyHostOfChanges();
  });
  manager.on('change', (backend) => replay.onChange(backend));
  // A reloaded config: backends came or went, or the settings that shape public names changed.
  manager.on('reconfigured', (_diff, renamed) => {
    built = signAll();
    catalog = rebuild();
    rememberRoutes();
    if (renamed) Object.assign(signatures, { tools: '', prompts: '', resources: '' });
    notifyHostOfChanges();
  });
  manager.on('resourceUpdated', (backend, uri) => {
    // Only what the host subscribed to (at that backend): a backend cannot flood the host with updates.
    if (hostInitialized && replay.subscriber(uri) === backend.name)
      void server.sendResourceUpdated({ uri }).catch(() => undefined);
  });
  manager.on('taskStatus', (backend, params) => {
    if (!hostInitialized) return;
    void server
      .notification({
        method: 'notifications/tasks/status',
        params: tasks.statusNotification(backend.name, params),
      })
      .catch(() => undefined);
  });
  manager.on('log', (backend, params) => {
    if (!hostInitialized) return;
    const level = params.level as LoggingLevel;
    const hostLogLevel = replay.level as LoggingLevel | undefined;
    if (hostLogLevel && LOG_SEVERITY.indexOf(level) < LOG_SEVERITY.indexOf(hostLogLevel)) return;
    const logger = typeof params.logger === 'string' ? `${backend.name}/${params.logger}` : backend.name;
    void server
      .notification({ method: 'notifications/message', params: { ...params, logger } })
      .catch(() => undefined);
  });

  server.oninitialized = () => {
    hostInitialized = true;
    // Anything that changed between `initialize` and now is announced once.
    if (startup) notifyHostOfChanges();
  };

  // Backends were told the host has roots; they hear when those change.
  server.setNotificationHandler(RootsListChangedNotificationSchema, () => {
    for (const backend of manager.backends) backend.notify('notifications/roots/list_changed');
  });

  const ready = async (): Promise<Catalog> => {
    startup ??= manager.whenSettled(settings.startupTimeoutMs).then(() => markSent());
    await startup;
    return catalog;
  };

  /** The catalog once every list of `kind` past its `ttlMs` (2026-07-28 backends) has been fetched again. */
  const fresh = async (kind: ListKind): Promise<Catalog> => {
    await ready();
    await manager.refreshExpired(kind);
    return catalog;
  };

  const backendFor = (name: string): Backend => {
    const backend = manager.get(name);
    if (!backend) throw new McpError(ErrorCode.InternalError, `no backend named "${name}"`);
    return backend;
  };

  /** The backend of a remembered route when it is down now; a ready backend that dropped the name: none. */
  const downBackend = (route: Route | undefined): Backend | undefined => {
    const backend = route && manager.get(route.backend);
    return backend && backend.state !== 'ready' ? backend : undefined;
  };

  /** Forwards with the host's cancellation, the backend's timeout, and progress relayed in order. */
  const forward = async (
    backend: Backend,
    method: string,
    params: Params,
    extra: Extra,
  ): Promise<Record<string, unknown>> => {
    const progressToken = params._meta?.progressToken;
    const options: ForwardOptions = { signal: extra.signal };
    let relayed: Promise<unknown> = Promise.resolve();
    if (progressToken !== undefined) {
      options.onprogress = (progress) => {
        relayed = relayed.then(() =>
          extra
            .sendNotification({
              method: 'notifications/progress',
              params: { ...progress, progressToken },
            } as never)
            .catch(() => undefined),
        );
      };
      const { progressToken: _omit, ...meta } = params._meta ?? {};
      params = { ...params, _meta: meta };
    }
    try {
      return await backend.request(method, params, options);
    } catch (error) {
      // A backend's error and a forwarded request's failure reach the host as the JSON-RPC errors they are.
      throw forHost(error);
    } finally {
      await relayed;
    }
  };

  const handle = (
    method: string,
    handler: (params: Params, extra: Extra) => Promise<Record<string, unknown>>,
  ) => {
    server.removeRequestHandler(method);
    Protocol.prototype.setRequestHandler.call(
      server,
      looseRequest(method) as never,
      ((request: { params?: Params }, extra: Extra) => handler(request.params ?? {}, extra)) as never,
    );
  };

  const requireString = (params: Params, key: string): string => {
    const value = params[key];
    if (typeof value !== 'string') throw new McpError(ErrorCode.InvalidParams, `"${key}" must be a string`);
    return value;
  };

  const surface = createToolSurface({
    own,
    settings,
    catalog: () => catalog,
    ready: () => ready(),
    backends: () => manager.backends,
    clientInfo: () => server.getClientVersion(),
    announce: (line) => log.info(line),
  });
  const kept = new KeptResults(own);
  const finishToolResult: Aggregator['finishToolResult'] = (tool, result) =>
    kept.fit(tool, result, surface.maxResultTokens());
  handle('tools/list', async () => {
    await fresh('tools');
    return { tools: (await surface.view()).tools };
  });

  handle('tools/call', async (given, extra) => {
    const params = directCall(given);
    const publicName = requireString(params, 'name');
    if (
      params.arguments !== undefined &&
      (typeof params.arguments !== 'object' || params.arguments === null || Array.isArray(params.arguments))
    ) {
      throw new McpError(ErrorCode.InvalidParams, '"arguments" must be an object');
    }
    const ownTool = own.tool(publicName);
    if (ownTool) return ownTool.call((params.arguments ?? {}) as Params, ownContext(params, extra));
    let route = catalog.toolRoutes.get(publicName);
    if (!route) route = (await ready()).toolRoutes.get(publicName);
    if (!route) {
      const known = downBackend(lastKnownTools.get(publicName));
      if (known) return errorResult(known.unavailableError());
      const filteredBy = catalog.filteredTools.get(publicName);
      if (filteredBy) {
        throw new McpError(
          ErrorCode.InvalidParams,
          `Tool ${publicName} is excluded by mcpServers.${filteredBy}.tools`,
        );
      }
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${publicName}`);
    }
    const backend = backendFor(route.backend);
    if (params.task !== undefined) return tasks.callTool(backend, { ...params, name: route.name }, extra);
    try {
      const result = await forward(backend, 'tools/call', { ...params, name: route.name }, extra);
      returned.record(backend.name, result);
      return await finishToolResult(publicName, result);
    } catch (error) {
      if (error instanceof SentinelError) return errorResult(error);
      throw error;
    }
  });

  handle('prompts/list', async () => ({ prompts: (await fresh('prompts')).prompts }));

  handle('prompts/get', async (params, extra) => {
    const publicName = requireString(params, 'name');
    const route = catalog.promptRoutes.get(publicName) ?? (await ready()).promptRoutes.get(publicName);
    if (!route) {
      const known = downBackend(lastKnownPrompts.get(publicName));
      if (known) throw toMcpError(known.unavailableError());
      throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${publicName}`);
    }
    const result = await forwardOrExplain(
      backendFor(route.backend),
      'prompts/get',
      { ...params, name: route.name },
      extra,
    );
    returned.record(route.backend, result);
    return result;
  });

  handle('resources/list', async () => ({
    resources: [...own.listedResources(), ...(await fresh('resources')).resources],
  }));
  handle('resources/templates/list', async () => ({
    resourceTemplates: (await fresh('resources')).resourceTemplates,
  }));

  /** The backend of a URI: listed or templated, else returned by a backend earlier. */
  const ownerOf = async (uri: string) =>
    routeResource(catalog, uri) ?? returned.owner(uri) ?? routeResource(await ready(), uri);

  /**
   * A URI nobody listed or returned: the ready backends that serve resources are asked in config order,
   * and the first that has it answers (remembered for the next time).
   */
  const fromAnyOwner = async (method: string, params: Params, extra: Extra, uri: string) => {
    const candidates = manager.backends.filter(
      (b) =>
        (b.state === 'ready' || b.state === 'idle') &&
        b.serverCapabilities?.resources &&
        (method === 'resources/read' || b.serverCapabilities.resources.subscribe),
    );
    for (const backend of candidates) {
      try {
        const result = await forwardOrExplain(backend, method, params, extra);
        returned.record(backend.name, { contents: [{ uri }] });
        return { result, backend };
      } catch (error) {
        if (!isNotFound(error) || extra.signal.aborted) throw error;
      }
    }
    throw new McpError(ErrorCode.InvalidParams, `Resource not found: ${uri}`, { uri });
  };

  handle('resources/read', async (params, extra) => {
    const uri = requireString(params, 'uri');
    const ownResource = own.resource(uri);
    if (ownResource) return ownResource.read(uri, ownContext(params, extra));
    const owner = await ownerOf(uri);
    if (!owner) return (await fromAnyOwner('resources/read', params, extra, uri)).result;
    const result = await forwardOrExplain(backendFor(owner), 'resources/read', params, extra);
    returned.record(owner, result);
    return result;
  });
  handle('resources/subscribe', async (params, extra) => {
    const uri = requireString(params, 'uri');
    const owner = await ownerOf(uri);
    if (!owner) {
      const { result, backend } = await fromAnyOwner('resources/subscribe', params, extra, uri);
      replay.subscribed(uri, backend.name);
      return result;
    }
    const result = await forwardOrExplain(backendFor(owner), 'resources/subscribe', params, extra);
    replay.subscribed(uri, owner);
    return result;
  });
  handle('resources/unsubscribe', async (params, extra) => {
    const uri = requireString(params, 'uri');
    const owner = replay.subscriber(uri) ?? (await ownerOf(uri));
    replay.unsubscribed(uri);
    if (!owner) throw new McpError(ErrorCode.InvalidParams, `Resource not found: ${uri}`, { uri });
    return forwardOrExplain(backendFor(owner), 'resources/unsubscribe', params, extra);
  });

  handle('completion/complete', async (params, extra) => {
    const ref = params.ref as { type?: string; name?: string; uri?: string } | undefined;
    const empty = { completion: { values: [], hasMore: false } };
    await ready();
    // A backend without completions has none to offer for its prompts and templates: empty, not an error.
    const completes = (name: string) => !!manager.get(name)?.serverCapabilities?.completions;
    if (ref?.type === 'ref/prompt' && typeof ref.name === 'string') {
      const route = catalog.promptRoutes.get(ref.name);
      if (!route) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${ref.name}`);
      if (!completes(route.backend)) return empty;
      return forwardOrExplain(
        backendFor(route.backend),
        'completion/complete',
        { ...params, ref: { ...ref, name: route.name } },
        extra,
      );
    }
    if (ref?.type === 'ref/resource' && typeof ref.uri === 'string') {
      const owner =
        catalog.templateRoutes.find((t) => t.template.toString() === ref.uri)?.backend ??
        routeResource(catalog, ref.uri);
      if (!owner) throw new McpError(ErrorCode.InvalidParams, `Unknown resource template: ${ref.uri}`);
      if (!completes(owner)) return empty;
      return forwardOrExplain(backendFor(owner), 'completion/complete', params, extra);
    }
    throw new McpError(
      ErrorCode.InvalidParams,
      'completion/complete needs a ref of type ref/prompt or ref/resource',
    );
  });

  handle('tasks/get', (params, extra) => tasks.get(params, extra));
  handle('tasks/result', async (params, extra) => tasks.result(params, extra));
  handle('tasks/cancel', (params, extra) => tasks.cancel(params, extra));
  handle('tasks/list', (params, extra) => tasks.list(params, extra));

  handle('logging/setLevel', async (params) => {
    const level = requireString(params, 'level') as LoggingLevel;
    if (!LOG_SEVERITY.includes(level))
      throw new McpError(ErrorCode.InvalidParams, `unknown log level "${level}"`);
    await replay.setLevel(level, manager.backends);
    return {};
  });

  const forwardOrExplain = async (backend: Backend, method: string, params: Params, extra: Extra) => {
    try {
      return await forward(backend, method, params, extra);
    } catch (error) {
      throw error instanceof SentinelError ? toMcpError(error) : error;
    }
  };

  const host: Aggregator['host'] = {
    request: async (method, params, signal) => {
      const result = await server.request({ method, params } as never, ResultSchema, {
        signal,
        timeout: settings.requestTimeoutMs,
      });
      return result as Record<string, unknown>;
    },
  };

  const advertised = async (): Promise<Advertised> => {
    await ready();
    const sources = manager.backends
      .filter((b) => b.state !== 'disabled')
      .map((b) => ({
        name: b.name,
        prefix: b.config.prefix ?? b.name,
        instructions: b.instructions,
        capabilities: b.serverCapabilities,
        pending: b.state === 'starting' && b.serverCapabilities === undefined,
      }));
    const result = advertise(sources, settings.separator, { resources: own.hasResources() });
    advertisedCapabilities = result.capabilities;
    return result;
  };

  return {
    server,
    host,
    catalog: () => catalog,
    ready,
    advertised,
    recordResult: (backend, result) => returned.record(backend, result),
    own,
    surface,
    status,
    finishToolResult,
  };
}

/** A `sentinel__call_tool` call as the direct call it stands for (surface/meta-tools.ts). */
function directCall(params: Params): Params {
  try {
    return asDirectCall(params);
  } catch (error) {
    if (error instanceof MetaCallError) throw new McpError(ErrorCode.InvalidParams, error.message);
    throw error;
  }
}

/** Errors for the host pass through the redactor, as log lines do. */
function errorResult(error: SentinelError): Record<string, unknown> {
  const text = error.hint ? `${error.message} (${error.hint})` : error.message;
  return {
    content: [{ type: 'text', text: redact(text) }],
    isError: true,
  };
}

function toMcpError(error: SentinelError): McpError {
  return new McpError(ErrorCode.InternalError, redact(describeError(error)), { code: error.code });
}
