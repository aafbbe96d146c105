/**
 * `serve`'s warm start. When every backend would start lazily and has a cached manifest, `initialize`
 * and the lists are answered from the manifests (aggregator/warm-answers.ts) while the SDK, the backend
 * layer and the config watcher have not loaded yet: they load once the host has its lists, or at once
 * when it asks anything else, which then waits for them. Every message is then handed to the full server
 * in order, the early-answered ones included (its answers to those are dropped as duplicates by the host
 * transport), so that it stands where it would had it answered everything itself.
 *
 * Nothing here imports the SDK, zod, Ajv, the backend layer or the auth layer at runtime.
 */
import type { LoadedConfig } from '../config/load.js';
import type { ServerConfig } from '../config/types.js';
import { manifestDir } from '../backends/manifest/cache-dir.js';
import { createManifestStore } from '../backends/manifest/store.js';
import { findWarmSet, type WarmBackend } from '../backends/manifest/warm-set.js';
import { createWarmAnswers } from '../aggregator/warm-answers.js';
import type { Logger } from '../log.js';
import { resolveServerRefs } from '../refs/resolve.js';
import type { SecretStore } from '../secrets/store.js';

type Message = { method?: unknown; id?: unknown; params?: unknown };
type Send = (message: Record<string, unknown>) => Promise<void>;

/** How long after `initialize` the full server waits for a host that asks nothing more before loading. */
const IDLE_LOAD_MS = 100;

export interface WarmStart {
  /** The backends and the manifests they are to be seeded with (warm-set.ts primedStore). */
  backends: WarmBackend[];
  /** Answers `message` when the manifests can; true when it did (or is doing so). */
  handle(message: Message, send: Send): boolean;
  /** Resolves when the full server should load: the lists are answered, or a request needs it. */
  needed: Promise<void>;
  /** Loads the full server now (for what only it answers). */
  load(): void;
}

/** The warm start of this config, or undefined when some backend has to start at once. */
export async function findWarmStart(
  loaded: LoadedConfig,
  env: Record<string, string>,
  secrets: SecretStore,
  log: Logger,
): Promise<WarmStart | undefined> {
  const resolve = async (name: string, server: ServerConfig) => {
    const result = await resolveServerRefs(server, `mcpServers.${name}`, { env, secrets });
    if (!result.server || result.issues.length > 0) throw new Error('unresolved references');
    return result.server;
  };
  const store = createManifestStore(manifestDir(), log.child('cache'));
  const deps = { settings: loaded.settings, environment: env, resolve };
  const backends = await findWarmSet(loaded.config.mcpServers, deps, store).catch(() => undefined);
  if (!backends) return undefined;
  const answers = createWarmAnswers(backends, loaded.settings);

  let load!: () => void;
  const needed = new Promise<void>((resolve) => (load = resolve));
  const handle = (message: Message, send: Send): boolean => {
    const method = typeof message.method === 'string' ? message.method : undefined;
    const isRequest = message.id !== undefined && message.id !== null;
    const pending = method && isRequest ? answers.answer(method, message.params as never) : undefined;
    if (!pending) {
      // A notification waits harmlessly (notifications/initialized); anything else needs the full server.
      if (isRequest || method === undefined) load();
      // A tool call's backend is spawned now, while the full server loads (backends/prespawn.ts).
      if (isRequest && method === 'tools/call') void prespawn(message.params).catch(() => undefined);
      return false;
    }
    void pending.then(
      (result) => send({ jsonrpc: '2.0', id: message.id, result }),
      () => load(), // not answered here: the full server will answer it
    );
    if (method === 'tools/list') setImmediate(load);
    else if (method === 'initialize') setTimeout(load, IDLE_LOAD_MS).unref();
    return true;
  };
  // One child per backend at most: a second call to it during the warm start waits for the same one.
  const prespawned = new Set<string>();
  const prespawn = async (params: unknown) => {
    const tool = (params as { name?: unknown } | undefined)?.name;
    const name = typeof tool === 'string' ? answers.backendOfTool(tool) : undefined;
    const server = name === undefined ? undefined : loaded.config.mcpServers[name];
    if (!name || !server || !('command' in server) || server.disabled || prespawned.has(name)) return;
    prespawned.add(name);
    const resolved = await resolve(name, server);
    if (!('command' in resolved)) return;
    const [{ childEnvironment }, { ChildStdioTransport }, { launchSpec, offerChild }] = await Promise.all([
      import('../backends/transports.js'),
      import('../backends/stdio-transport.js'),
      import('../backends/prespawn.js'),
    ]);
    const childEnv = childEnvironment(resolved, env);
    const { command, args = [], cwd } = resolved;
    const transport = new ChildStdioTransport({
      command,
      args,
      env: childEnv,
      cwd,
      log: log.child(name),
      graceMs: loaded.settings.stopGraceMs,
    });
    offerChild(name, transport, launchSpec(resolved, childEnv));
  };
  return { backends, handle, needed, load };
}
