/**
 * The config's types, derived from its one definition (definition.ts; type-only imports, so nothing here
 * loads zod). `ServerConfig` is an entry as written, references (`$VAR`, `secret:NAME`) and all;
 * `ResolvedServerConfig` is the same entry once they are resolved, just before it connects
 * (src/refs/resolve.ts), the only shape the auth strategies accept.
 */
import type { z } from 'zod';
import type * as definition from './definition.js';
import { DEFAULT_SETTINGS as DEFAULTS } from './defaults.js';

/** The config file as written. */
export type SentinelConfig = z.input<typeof definition.config>;
/** `settings` as written: every key optional. */
export type WrittenSettings = z.input<typeof definition.settings>;
export type RestartSettings = z.output<typeof definition.restart>;
/** `settings` with the defaults filled in (load.ts applyDefaults). */
export type Settings = Omit<z.output<typeof definition.settings>, 'restart'> & { restart: RestartSettings };

/** The hosts whose tool surface mcp-sentinel fits (src/aggregator/surface/hosts.ts). */
export type SurfaceHostId = (typeof definition.surfaceHostIds)[number];
export type SurfaceMode = z.input<typeof definition.surfaceMode>;
export type HostSurfaceSettings = z.input<typeof definition.hostSurface>;
export type StartMode = z.input<typeof definition.startMode>;
export type SigningAlgorithm = z.input<typeof definition.signingAlgorithm>;

export type StdioServerConfig = z.input<typeof definition.stdioServer>;
export type HttpServerConfig = z.input<typeof definition.httpServer>;
export type ServerConfig = StdioServerConfig | HttpServerConfig;
export type ToolFilter = NonNullable<ServerConfig['tools']>;

export type AuthConfig = z.input<typeof definition.auth>;
type AuthOf<T extends AuthConfig['type']> = Extract<AuthConfig, { type: T }>;
export type StaticAuthConfig = AuthOf<'static'>;
/** Machine tokens (client credentials grant); `client-credentials` is the clearer name for `oauth2`. */
export type OAuth2AuthConfig = AuthOf<'oauth2' | 'client-credentials'>;
/** User sign-in (authorization code + PKCE, the MCP authorization spec); every field is optional. */
export type OAuthAuthConfig = AuthOf<'oauth'>;
export type JwtBearerAuthConfig = AuthOf<'jwt-bearer'>;
export type TokenExchangeAuthConfig = AuthOf<'token-exchange'>;
export type EnterpriseAuthConfig = AuthOf<'enterprise'>;
export type IdpConfig = EnterpriseAuthConfig['idp'];
export type GrantAuthConfig = JwtBearerAuthConfig | TokenExchangeAuthConfig | EnterpriseAuthConfig;

declare const resolved: unique symbol;
/**
 * An entry whose references are resolved: same shape, but only src/refs/resolve.ts makes one, so a layer
 * that takes it knows every string is the value that will be sent. Checks of such an entry look only at
 * what resolution can change (a URL or scope built from a variable, an empty secret); the shape itself
 * was checked when the file was loaded.
 */
export type Resolved<T> = T & { readonly [resolved]: true };
export type ResolvedServerConfig = Resolved<StdioServerConfig> | Resolved<HttpServerConfig>;
export type ResolvedHttpServerConfig = Resolved<HttpServerConfig>;

export const DEFAULT_SETTINGS: Settings = DEFAULTS;

export function isStdioServer(server: ServerConfig): server is StdioServerConfig {
  return 'command' in server && typeof server.command === 'string';
}
