/**
 * The pieces of one aggregator that the request handlers share (handlers/*). Built once by
 * createAggregator (server.ts); a handler reads what it needs from here instead of closing over it.
 */
import type { Settings } from '../config/types.js';
import type { BackendManager } from '../backends/manager.js';
import type { LiveCatalog } from './live-catalog.js';
import type { OwnCallContext, OwnRegistry } from './own-tools.js';
import type { ReturnedResources } from './resource-routes.js';
import type { SessionReplay } from './replay.js';
import type { TaskRouter } from './tasks.js';
import type { ToolSurface } from './surface/index.js';
import type { Params, RequestContext, Result } from './forward.js';

export interface AggregatorParts {
  manager: BackendManager;
  settings: Settings;
  live: LiveCatalog;
  own: OwnRegistry;
  replay: SessionReplay;
  returned: ReturnedResources;
  tasks: TaskRouter<RequestContext>;
  surface: ToolSurface;
  /** A tool result as the host can take it: itself, or head + resource_link when oversized (results/). */
  finishToolResult(tool: string, result: Result): Result | Promise<Result>;
}

/** A host request handler: its params (never undefined) and its context. */
export type Handler = (params: Params, context: RequestContext) => Promise<Result>;

/** What an own tool or resource gets of the host's request. */
export function ownContext(params: Params, context: RequestContext): OwnCallContext {
  return { signal: context.signal, meta: params._meta, sendNotification: context.sendNotification };
}
