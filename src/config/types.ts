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
  /** Client ID Metadata Document URL used as client_id by every `oauth` backend without its own. */
  clientMetadataUrl?: string;
  /** Which host to fit the tool surface to, instead of the one `initialize` names. */
  host?: SurfaceHostId;
  /** How tools are shown to the host (default `auto`); see src/aggregator/surface/. */
  surface?: SurfaceMode;
  /** Per-host overrides of the surface and its limits. */
  hosts?: Partial<Record<SurfaceHostId, HostSurfaceSettings>>;
  /** Results larger than this many tokens are kept as a resource and returned as head + link. */
  maxResultTokens?: number;
  /** `lazy`: a backend with a cached manifest starts on its first request; `eager`: every backend at once. */
  start: StartMode;
  /** Stop a backend after this long without traffic (it starts again on the next request); 0 = never. */
  idleTimeoutMs: number;
}

/** The hosts whose tool surface mcp-sentinel fits (src/aggregator/surface/hosts.ts). */
export type SurfaceHostId = 'claude-desktop' | 'claude-code' | 'vscode' | 'copilot-cli' | 'cursor' | 'other';
export type SurfaceMode = 'auto' | 'all' | 'search';

export interface HostSurfaceSettings {
  surface?: SurfaceMode;
  /** Most tools the host takes; `auto` switches to `search` above it. */
  maxTools?: number;
  /** Most tokens the tool list may cost; `auto` switches to `search` above it. */
  toolTokenBudget?: number;
  maxResultTokens?: number;
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

/** Machine tokens (client credentials grant); `client-credentials` is the clearer name for `oauth2`. */
export interface OAuth2AuthConfig {
  type: 'oauth2' | 'client-credentials';
  tokenUrl?: string;
  issuer?: string;
  clientId: string;
  /** Required unless `tokenEndpointAuthMethod` is `private_key_jwt`. */
  clientSecret?: string;
  scopes?: string[];
  audience?: string;
  resource?: string;
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  /** PEM private key for `private_key_jwt` (normally `secret:NAME`). */
  privateKey?: string;
  /** JWS algorithm of the client assertion; defaults from the key (RS256, ES256/384/512, EdDSA). */
  signingAlgorithm?: SigningAlgorithm;
  /** Accept a token endpoint found by discovery that no `tokenUrl`/`issuer` pinned. */
  allowDiscoveredIssuer?: boolean;
}

/** User sign-in (authorization code + PKCE, the MCP authorization spec); every field is optional. */
export interface OAuthAuthConfig {
  type: 'oauth';
  /** A client registered in advance; without it, CIMD or dynamic registration. */
  clientId?: string;
  clientSecret?: string;
  /** Client ID Metadata Document URL, used as client_id where the authorization server supports it. */
  clientMetadataUrl?: string;
  scopes?: string[];
  /** Pins the authorization server. */
  issuer?: string;
  /** Fixed loopback port of the redirect URI; ephemeral otherwise. */
  redirectPort?: number;
  /** RFC 8707 resource; `false` omits the parameter (for servers that reject it). */
  resource?: string | false;
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'none';
  /** Send the client secret to an authorization server that discovery found and nobody pinned. */
  allowDiscoveredIssuer?: boolean;
}

export type SigningAlgorithm =
  'ES256' | 'ES384' | 'ES512' | 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'EdDSA';

/** Where a machine-credential grant gets its tokens, and how the client authenticates there. */
interface GrantEndpointConfig {
  tokenUrl?: string;
  issuer?: string;
  clientId?: string;
  clientSecret?: string;
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  privateKey?: string;
  signingAlgorithm?: SigningAlgorithm;
  scopes?: string[];
  audience?: string;
  resource?: string;
  allowDiscoveredIssuer?: boolean;
}

/** RFC 7523 §2.1 JWT-bearer grant: a workload's JWT (workload identity federation). */
export interface JwtBearerAuthConfig extends GrantEndpointConfig {
  type: 'jwt-bearer';
  /** The JWT itself (normally a reference); or `assertionFile`. */
  assertion?: string;
  /** A file holding the JWT, read again for every token request (projected tokens rotate). */
  assertionFile?: string;
}

/** RFC 8693 token exchange: one exchanged token per backend. */
export interface TokenExchangeAuthConfig extends GrantEndpointConfig {
  type: 'token-exchange';
  /** The token itself (normally `secret:NAME`), or `{ "signIn": "<entry>" }`: that `oauth` entry's signed-in token. */
  subjectToken: string | { signIn: string };
  subjectTokenType: string;
  actorToken?: string;
  actorTokenType?: string;
  requestedTokenType?: string;
}

/** The identity provider of enterprise-managed authorization. */
export interface IdpConfig {
  issuer: string;
  /** Found from the issuer's metadata when omitted. */
  tokenEndpoint?: string;
  clientId: string;
  /** Client authentication at the identity provider (client_secret_basic); optional. */
  clientSecret?: string;
  /** The user's ID token (normally `secret:NAME`); without it the user signs in (`mcp-sentinel login`). */
  idToken?: string;
  /** Scopes asked for at sign-in beside `openid` (and `offline_access` when the provider lists it). */
  scopes?: string[];
  /** Fixed loopback port of the sign-in redirect URI; ephemeral otherwise. */
  redirectPort?: number;
}

/** SEP-990 enterprise-managed authorization: ID token → ID-JAG at the IdP → access token at the AS. */
export interface EnterpriseAuthConfig extends GrantEndpointConfig {
  type: 'enterprise';
  clientId: string;
  idp: IdpConfig;
}

export type GrantAuthConfig = JwtBearerAuthConfig | TokenExchangeAuthConfig | EnterpriseAuthConfig;

export type AuthConfig =
  { type: 'none' } | StaticAuthConfig | OAuth2AuthConfig | GrantAuthConfig | OAuthAuthConfig;

interface CommonServerConfig {
  /** Public names become `<prefix><separator><name>`; defaults to the server's key; "" exports names as they are. */
  prefix?: string;
  tools?: ToolFilter;
  /** Globs on the backend's prompt names: filtered prompts are not listed. */
  prompts?: ToolFilter;
  /** Globs on the backend's resource URIs and URI templates (`**` crosses `/`): filtered ones are not listed. */
  resources?: ToolFilter;
  /** Per-request timeout for this backend, overriding settings.requestTimeoutMs. */
  timeoutMs?: number;
  disabled?: boolean;
  description?: string;
  /** Tools always listed directly, by the backend's own names (`true`: all of this server's tools). */
  pin?: true | string[];
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
  /** The revision to speak (stdio: asked with `server/discover` unless "2025-11-25"): see the JSON Schema. */
  protocol?: '2026-07-28' | '2025-11-25';
}

export interface HttpServerConfig extends CommonServerConfig {
  type: 'sse' | 'streamable-http' | 'http';
  url: string;
  headers?: Record<string, string>;
  auth?: AuthConfig;
  /** The revision to speak first (Streamable HTTP): see schemas/config.schema.json. */
  protocol?: '2026-07-28' | '2025-11-25';
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
