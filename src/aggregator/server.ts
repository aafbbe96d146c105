/**
 * One aggregator: the catalog, the request handlers, the notifications toward the host and the SDK
 * server they answer through, put together. Each piece is its own module (live-catalog, handlers/*,
 * host-notifier, host-server, advertised); `serve` connects the result to the host through the message
 * pipeline (pipeline/), the CLI's try commands through an in-memory pair. Results pass through
 * unchanged; errors name the backend and the reason.
 */
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Settings } from '../config/types.js';
import type { BackendManager } from '../backends/manager.js';
import type { HostBridge } from '../backends/types.js';
import type { Catalog } from './catalog.js';
import { initializeResult, SERVER_CAPABILITIES } from './identity.js';
import { ReturnedResources } from './resource-routes.js';
import { SessionReplay } from './replay.js';
import { TaskRouter } from './tasks.js';
import { advertiseBackends, type Advertised } from './advertised.js';
import { OwnRegistry } from './own-tools.js';
import { createStatusBoard, registerStatus, type StatusBoard } from './status.js';
import { KeptResults } from './results/kept-results.js';
import { createToolSurface, type SurfaceDeps, type ToolSurface } from './surface/index.js';
import type { ClientInfo } from './surface/hosts.js';
import { forwardOrExplain, type RequestContext, type Result } from './forward.js';
import { LiveCatalog } from './live-catalog.js';
import { HostNotifier } from './host-notifier.js';
import type { HostEnd, HostServer, HostServerFactory } from './host-side.js';
import { RequestRouter } from './router.js';
import type { AggregatorParts } from './parts.js';
import { toolHandlers } from './handlers/tools.js';
import { promptHandlers } from './handlers/prompts.js';
import { resourceHandlers } from './handlers/resources.js';
import { sessionHandlers } from './handlers/session.js';

export interface Aggregator {
  /** The host side's end, connected to the pipeline's link (serve) or an in-memory pair (try). */
  server: HostEnd;
  /** Sends reverse requests (sampling, elicitation, roots) of backends to the host; `notify` a notification. */
  host: Pick<HostBridge, 'request'> & Pick<HostServer, 'notify'>;
  catalog(): Catalog;
  /** Waits (at most startupTimeoutMs, once) for backends, then returns the catalog. */
  ready(): Promise<Catalog>;
  /** What the `initialize` answer advertises, once backends have settled (as `ready`). */
  advertised(): Promise<Advertised>;
  /** The `initialize` answer: backends are started, and it waits for them as `advertised` does. */
  initialize(protocolVersion: unknown): Promise<Record<string, unknown>>;
  /** Notes the resource URIs in a backend's result (for results of the fast path, which bypasses the handlers). */
  recordResult(backend: string, result: unknown): void;
  /** mcp-sentinel's own tools and resources, listed beside the catalog and answered before it. */
  own: OwnRegistry;
  /** The tool list fitted to the host (src/aggregator/surface/). */
  surface: ToolSurface;
  /** What `sentinel://status` and `sentinel__status` show; features add sections (src/aggregator/status.ts). */
  status: StatusBoard;
  /** A tool result as the host can take it: itself, or head + resource_link when oversized (results/). */
  finishToolResult(tool: string, result: Result): Result | Promise<Result>;
  /** The request methods the handlers answer. */
  router: RequestRouter;
}

/** What the host said of itself (`initialize`'s clientInfo, or a 2026-07-28 host's `_meta`), once it did. */
export type HostClientInfo = () => ClientInfo | undefined;

export function createAggregator(
  manager: BackendManager,
  settings: Settings,
  log: Logger,
  clientInfo: HostClientInfo,
  createHost: HostServerFactory,
): Aggregator {
  const router = new RequestRouter();
  // `initialized` comes from the host once connected, long after the notifier below exists.
  const host = createHost(router, manager, () => notifier.hostInitialized());
  const { parts, status } = createParts(manager, settings, log, clientInfo);
  for (const handlers of [toolHandlers, promptHandlers, resourceHandlers, sessionHandlers])
    router.define(handlers(parts));
  /** The capabilities the host was told of; list changes of other kinds would be a protocol error. */
  let told: Record<string, unknown> = SERVER_CAPABILITIES;
  const notifier = new HostNotifier({ ...parts, send: host.notify, advertised: () => told });
  const advertised = async (): Promise<Advertised> => {
    await parts.live.ready();
    const result = advertiseBackends(manager.backends, settings.separator, parts.own);
    told = result.capabilities;
    return result;
  };
  return {
    server: host.server,
    host: {
      request: (method, params, signal) => host.request(method, params, signal, settings.requestTimeoutMs),
      notify: host.notify,
    },
    catalog: () => parts.live.catalog,
    ready: () => parts.live.ready(),
    advertised,
    initialize: (protocolVersion) => answerInitialize(manager, advertised, log, protocolVersion),
    recordResult: (backend, result) => parts.returned.record(backend, result),
    own: parts.own,
    surface: parts.surface,
    status,
    finishToolResult: parts.finishToolResult,
    router,
  };
}

function createParts(
  manager: BackendManager,
  settings: Settings,
  log: Logger,
  clientInfo: SurfaceDeps['clientInfo'],
): { parts: AggregatorParts; status: StatusBoard } {
  const own = new OwnRegistry();
  const status = createStatusBoard(manager);
  registerStatus(own, status, manager);
  const live = new LiveCatalog(manager, settings, log);
  const surface = createToolSurface({
    own,
    settings,
    catalog: () => live.catalog,
    ready: () => live.ready(),
    backends: () => manager.backends,
    clientInfo,
    announce: (line) => log.info(line),
  });
  const kept = new KeptResults(own);
  const parts: AggregatorParts = {
    manager,
    settings,
    live,
    own,
    replay: new SessionReplay(log),
    returned: new ReturnedResources(),
    tasks: new TaskRouter<RequestContext>(() => manager.backends, forwardOrExplain),
    surface,
    finishToolResult: (tool, result) => kept.fit(tool, result, surface.maxResultTokens()),
  };
  return { parts, status };
}

/** Starts the backends, waits for them as `advertised` does, and answers with what they offer. */
async function answerInitialize(
  manager: BackendManager,
  advertised: () => Promise<Advertised>,
  log: Logger,
  protocolVersion: unknown,
): Promise<Record<string, unknown>> {
  setImmediate(() => void manager.startAll());
  const given = await advertised().catch((error: unknown) => {
    log.warn(`answering initialize with the default capabilities: ${describeError(error)}`);
    return undefined;
  });
  return initializeResult(protocolVersion, given);
}
