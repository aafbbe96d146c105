/**
 * The config as the user writes it. A backend's entry keeps this shape when its references (`$VAR`,
 * `secret:NAME`) are resolved, just before it connects (BackendDeps.resolve in src/backends/types.ts).
 */

export interface Settings {
  /** Between a backend's prefix and its tool or prompt name. */
  separator: string;
  /** Longest public tool or prompt name emitted; hosts reject or truncate longer ones. */
  maxToolNameLength: number;
  /** How long the first list request waits for backends to come up. */
  startupTimeoutMs: number;
  /** Default per-request timeout toward a backend (reset by progress). */
  requestTimeoutMs: number;
  /** Largest response body read from a remote backend; a longer one is cut off and its request fails. */
  maxResponseBytes: number;
  /** How long the host may leave our output unread before it counts as gone (we shut down). */
  hostStallTimeoutMs: number;
  /** Restart policy for backends that exit or drop their connection. */
  restart: RestartSettings;
  /** `lazy`: a backend with a cached manifest starts on its first request; `eager`: every backend at once. */
  start: StartMode;
  /** Stop a backend after this long without traffic (it starts again on the next request); 0 = never. */
  idleTimeoutMs: number;
}

export type StartMode = 'lazy' | 'eager';

export interface RestartSettings {
  /** First delay before a restart; doubles each time, with jitter. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Give up after this many restarts within `windowMs`. */
  maxRestarts: number;
  windowMs: number;
}

export interface ToolFilter {
  include?: string[];
  exclude?: string[];
}

export interface StaticAuthConfig {
  type: 'static';
  headers: Record<string, string>;
}

export interface OAuth2AuthConfig {
  type: 'oauth2';
  tokenUrl?: string;
  issuer?: string;
  clientId: string;
  clientSecret: string;
  scopes?: string[];
  audience?: string;
  resource?: string;
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /** Accept a token endpoint found by discovery that no `tokenUrl`/`issuer` pinned. */
  allowDiscoveredIssuer?: boolean;
}

export type AuthConfig = { type: 'none' } | StaticAuthConfig | OAuth2AuthConfig;

interface CommonServerConfig {
  /** Public names become `<prefix><separator><name>`; defaults to the server's key; "" exports names as they are. */
  prefix?: string;
  tools?: ToolFilter;
  /** Per-request timeout for this backend, overriding settings.requestTimeoutMs. */
  timeoutMs?: number;
  disabled?: boolean;
  description?: string;
  /** Overrides settings.start for this backend. */
  start?: StartMode;
  /** Overrides settings.idleTimeoutMs for this backend. */
  idleTimeoutMs?: number;
}

export interface StdioServerConfig extends CommonServerConfig {
  type?: 'stdio';
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Allow `secret:` references in args (visible to other local users through the process list). */
  allowSecretsInArgs?: boolean;
  /** Extra variables of sentinel's own environment to pass to the child, by name. */
  inheritEnv?: string[];
}

export interface HttpServerConfig extends CommonServerConfig {
  type: 'sse' | 'streamable-http' | 'http';
  url: string;
  headers?: Record<string, string>;
  auth?: AuthConfig;
}

export type ServerConfig = StdioServerConfig | HttpServerConfig;

export interface SentinelConfig {
  $schema?: string;
  settings?: Partial<Omit<Settings, 'restart'>> & { restart?: Partial<RestartSettings> };
  mcpServers: Record<string, ServerConfig>;
}

export const DEFAULT_SETTINGS: Settings = {
  separator: '__',
  maxToolNameLength: 64,
  startupTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  maxResponseBytes: 32 * 1024 * 1024,
  hostStallTimeoutMs: 60_000,
  restart: { initialDelayMs: 1_000, maxDelayMs: 30_000, maxRestarts: 5, windowMs: 300_000 },
  start: 'lazy',
  idleTimeoutMs: 0,
};

export function isStdioServer(server: ServerConfig): server is StdioServerConfig {
  return 'command' in server && typeof server.command === 'string';
}
