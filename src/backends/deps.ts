/**
 * Wires the real collaborators into the backend layer: the reference resolver (environment, `.env`,
 * keychain) and the per-backend auth strategies. Built once per run by the CLI.
 */
import type {
  ResolvedHttpServerConfig,
  ResolvedServerConfig,
  ServerConfig,
  Settings,
} from '../config/types.js';
import { SentinelError } from '../errors.js';
import type { Logger } from '../log.js';
import { resolveServerRefs } from '../refs/resolve.js';
import type { SecretStore } from '../secrets/store.js';
import { isStdioServer } from '../config/types.js';
import type { SignInHandler } from '../auth/signin/strategy.js';
import { createBackendAuth, loadAuth } from './auth.js';
import type { BackendDeps, HostBridge } from './types.js';

export interface BackendDepsOptions {
  settings: Settings;
  log: Logger;
  host: HostBridge;
  env: Record<string, string | undefined>;
  secrets: SecretStore;
  /** The config's entries: a token exchange may take its subject token from another entry's sign-in. */
  servers?: Record<string, ServerConfig>;
  /** Signs in when a backend needs it (login's browser, serve's host); without it the backend fails at once. */
  onSignIn?: SignInHandler;
}

export const NO_HOST: HostBridge = {
  capabilities: () => undefined,
  request: () => Promise.reject(new Error('no host is connected')),
};

export function createBackendDeps(options: BackendDepsOptions): BackendDeps {
  const deps: BackendDeps = {
    settings: options.settings,
    log: options.log,
    host: options.host,
    environment: options.env,
    async resolve(name: string, server: ServerConfig): Promise<ResolvedServerConfig> {
      const path = `mcpServers.${name}`;
      const [result] = await Promise.all([
        resolveServerRefs(server, path, { env: options.env, secrets: options.secrets }),
        isStdioServer(server) ? undefined : loadAuth(),
      ]);
      if (result.server && result.issues.length === 0) return result.server;
      const first = result.issues[0];
      const more = result.issues.length > 1 ? ` (and ${result.issues.length - 1} more)` : '';
      throw new SentinelError(
        'REF_UNRESOLVED',
        `${first ? `${first.path}: ${first.message}` : 'references could not be resolved'}${more}`,
        {
          hint: first?.hint,
          issues: result.issues,
          permanent: true,
        },
      );
    },
    createAuth: (name: string, server: ResolvedHttpServerConfig) =>
      createBackendAuth(name, server, options.log.child(name), {
        clientMetadataUrl: options.settings.clientMetadataUrl,
        onSignIn: options.onSignIn,
        signInEntry: async (entry) => {
          const found = options.servers?.[entry];
          if (!found || isStdioServer(found) || found.auth?.type !== 'oauth') return undefined;
          const resolved = (await deps.resolve(entry, found)) as ResolvedHttpServerConfig;
          return resolved.auth?.type === 'oauth' ? { url: resolved.url, auth: resolved.auth } : undefined;
        },
      }),
  };
  return deps;
}
