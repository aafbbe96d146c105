/**
 * What the backend layer needs from the layers around it, as narrow interfaces. The composition root
 * (src/cli/) wires in the real reference resolver, auth strategies and the host bridge.
 */
import type {
  ClientCapabilities,
  FetchLike,
  LoggingMessageNotification,
  Prompt,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  Tool,
} from '@modelcontextprotocol/client';
import type {
  ResolvedHttpServerConfig,
  ResolvedServerConfig,
  ServerConfig,
  Settings,
} from '../config/types.js';
import type { Logger } from '../log.js';
import type { RestartStrategy } from './restart-policy.js';

/** Outgoing authentication of one remote backend (src/auth implements it). */
export interface BackendAuth {
  readonly type: string;
  /** Used for every HTTP request of the backend's transport. */
  fetch: FetchLike;
  /** Obtains credentials before the first request, where that is possible. */
  prepare(signal?: AbortSignal): Promise<void>;
  describe(): Record<string, unknown>;
  close(): void;
}

/** The host side, for requests a backend sends back (sampling, elicitation, roots). */
export interface HostBridge {
  /** The host's capabilities, once it has initialized; undefined when there is no host (e.g. `tools`). */
  capabilities(): ClientCapabilities | undefined;
  request(
    method: string,
    params: Record<string, unknown> | undefined,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>>;
}

export interface BackendDeps {
  settings: Settings;
  log: Logger;
  host: HostBridge;
  /** Resolves `$VAR` and `secret:` references of the entry; throws a SentinelError naming every unresolved one. */
  resolve(name: string, server: ServerConfig): Promise<ResolvedServerConfig>;
  /** Validates and builds the auth strategy of a remote backend; throws a SentinelError on bad input. */
  createAuth(name: string, server: ResolvedHttpServerConfig): BackendAuth;
  /** Extra environment variables for stdio children (values by name), from `inheritEnv`. */
  environment: Record<string, string | undefined>;
  /** The restart strategy of each backend; exponential backoff from `settings.restart` when unset. */
  restartStrategy?: () => RestartStrategy;
}

/** What a Backend emits. */
export interface BackendEvents {
  /** State or lists changed: the catalog must be rebuilt. */
  change: [];
  resourceUpdated: [uri: string];
  log: [params: LoggingMessageNotification['params']];
  /** `notifications/tasks/status` of a task this backend runs (tasks.ts maps its id for the host). */
  taskStatus: [params: Record<string, unknown>];
  /** `notifications/elicitation/complete` of a URL elicitation this backend asked the host for. */
  elicitationComplete: [elicitationId: string];
}

/** `idle`: not running, its lists known (from the manifest cache, or from before an idle stop). */
export type BackendState = 'idle' | 'starting' | 'ready' | 'restarting' | 'failed' | 'disabled' | 'stopped';

export type ListKind = 'tools' | 'resources' | 'prompts';

/** What a backend offers, as its last successful listing returned it. */
export interface BackendLists {
  tools: Tool[];
  resources: Resource[];
  resourceTemplates: ResourceTemplate[];
  prompts: Prompt[];
}
