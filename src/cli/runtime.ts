/**
 * The pieces every connecting command needs, built from the command-line options: the config, the
 * environment references resolve against, the secret store, and the backend manager.
 */
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { loadEnvironment } from '../refs/env.js';
import { createSecretStore, type SecretStore } from '../secrets/index.js';
import { BackendManager, type ManagerOptions } from '../backends/manager.js';
import { createBackendDeps, NO_HOST, type BackendDepsOptions } from '../backends/deps.js';
import type { BackendDeps, HostBridge } from '../backends/types.js';
import { log } from '../log.js';

export interface CommonOptions {
  config?: string;
  envFile?: string;
}

export interface Runtime {
  loaded: LoadedConfig;
  env: Record<string, string>;
  secrets: SecretStore;
  /** How backends that need sign-in are signed in (serve: the host); without it they fail at once. */
  onSignIn?: BackendDepsOptions['onSignIn'];
}

export async function loadRuntime(options: CommonOptions): Promise<Runtime> {
  const loaded = await loadConfig({ config: options.config });
  const env = await loadEnvironment({ configPath: loaded.path, envFile: options.envFile });
  const secrets = createSecretStore({ env });
  return { loaded, env, secrets };
}

export function createManager(
  runtime: Runtime,
  host: HostBridge = NO_HOST,
  only?: string[],
  options?: ManagerOptions,
): BackendManager {
  const deps = backendDeps(runtime, host);
  return new BackendManager(runtime.loaded.config, deps, only, options);
}

/** The backend layer's collaborators over one runtime (a reload builds new ones over its new environment). */
export function backendDeps(
  runtime: Runtime,
  host: HostBridge = NO_HOST,
  extra: Pick<BackendDepsOptions, 'onSignIn'> = {},
): BackendDeps {
  return createBackendDeps({
    onSignIn: runtime.onSignIn,
    ...extra,
    settings: runtime.loaded.settings,
    log,
    host,
    env: runtime.env,
    secrets: runtime.secrets,
    servers: runtime.loaded.config.mcpServers,
  });
}
