/**
 * `doctor` as a pure check: loads the config, then checks references, the keychain, literal credentials,
 * every backend (in parallel, each with its own timeout) and the exported catalog against each host, and
 * returns one report object. It prints nothing; src/cli/commands/doctor.ts renders the report.
 *
 * Whatever happens, every process and connection it started is stopped before it returns.
 */
import { buildCatalog } from '../aggregator/catalog.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { closestMatch } from '../config/suggest.js';
import { isStdioServer, type ServerConfig } from '../config/types.js';
import { SentinelError } from '../errors.js';
import type { HostId } from '../hosts.js';
import { loadEnvironment } from '../refs/env.js';
import { createSecretStore, memoizeSecretStore, type SecretStore } from '../secrets/index.js';
import { VERSION } from '../version.js';
import { probeBackends } from './backends.js';
import { checkCache, type CacheInfo } from './cache.js';
import { checkCommand } from './command.js';
import { checkConfigCredentials } from './credentials.js';
import { checkHost } from './hosts.js';
import { hostSurfaces } from './surface.js';
import { checkKeychain, checkServerReferences } from './references.js';
import {
  summarize,
  worst,
  type BackendResult,
  type DoctorReport,
  type HostResult,
  type NamedCheck,
  type ReferenceResult,
} from './report.js';

export type { DoctorReport } from './report.js';

export const DEFAULT_DOCTOR_TIMEOUT_MS = 10_000;

export interface DoctorOptions {
  config?: string;
  envFile?: string;
  /** Hosts to check the catalog against. */
  hosts: HostId[];
  /** Only these servers (all when empty). */
  servers: string[];
  /** The sentinel's key in the hosts' configs (install --name). */
  serverKey: string;
  /** Per-backend startup timeout; defaults to settings.startupTimeoutMs. */
  timeoutMs?: number;
  /** The real environment; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Replaces the OS keychain (tests). */
  keychain?: SecretStore;
  /** A check of the host's own config file (the CLI passes install's duplicate-entry check). */
  hostFileCheck?: (host: HostId, servers: Record<string, ServerConfig>) => Promise<NamedCheck | undefined>;
  onBackendsStarting?: (names: string[]) => void;
  onBackendSettled?: (name: string, ok: boolean) => void;
}

const CONFIG_ERRORS = new Set(['CONFIG_NOT_FOUND', 'CONFIG_UNREADABLE', 'CONFIG_PARSE', 'CONFIG_INVALID']);

function configFailure(error: SentinelError): DoctorReport {
  const partial: Omit<DoctorReport, 'summary'> = {
    reportVersion: 1,
    sentinelVersion: VERSION,
    config: {
      path: error.file,
      status: 'fail',
      reason: error.message,
      hint: error.hint,
      issues: error.issues,
      servers: 0,
      credentials: { status: 'skip', reason: 'the config could not be read', findings: [] },
    },
    keychain: {
      store: '',
      needed: false,
      status: 'skip',
      reason: 'not checked: the config could not be read',
    },
    references: [],
    backends: [],
    hosts: [],
  };
  return { ...partial, summary: summarize(partial, true) };
}

function selectServers(loaded: LoadedConfig, names: string[]): [string, ServerConfig][] {
  const all = Object.entries(loaded.config.mcpServers);
  if (names.length === 0) return all;
  const known = all.map(([name]) => name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    const suggestion = closestMatch(unknown[0]!, known);
    throw new SentinelError(
      'USAGE',
      `no server named ${unknown.map((n) => `"${n}"`).join(', ')} in ${loaded.path}`,
      {
        hint: suggestion ? `did you mean "${suggestion}"?` : `servers: ${known.join(', ') || '(none)'}`,
      },
    );
  }
  return all.filter(([name]) => names.includes(name));
}

/** Merges the command check into the backend's result; the backend's status is its worst check. */
function withCommandCheck(result: BackendResult, command: NamedCheck | undefined): BackendResult {
  if (!command) return result;
  const checks = [command, ...result.checks];
  // "not found" from spawn says less than the PATH check about why.
  const spawnFailed =
    command.status === 'fail' && result.status === 'fail' && result.checks.some((c) => c.id === 'connect');
  const status = worst(checks.map((c) => c.status));
  if (spawnFailed || (status === 'warn' && result.status === 'ok')) {
    return { ...result, checks, status, reason: command.reason, hint: command.hint };
  }
  return { ...result, checks, status };
}

/** The host's result with the surface it would get (none when there is no catalog to fit). */
function withSurface(result: HostResult, surface: HostResult['surface']): HostResult {
  return result.status === 'skip' || !surface ? result : { ...result, surface };
}

/** The cache is information, not a check: it never changes the backend's status. */
function withCacheCheck(result: BackendResult, cache: CacheInfo | undefined): BackendResult {
  return cache ? { ...result, cache } : result;
}

/** With servers named on the command line, the host totals cover those only: say so. */
function withScope(result: HostResult, servers: string[]): HostResult {
  if (servers.length === 0 || result.status === 'skip') return result;
  const named = servers.map((s) => `"${s}"`).join(', ');
  return { ...result, reason: `${result.reason} (counting only ${named}, as named)` };
}

/** The host's result with a check of its file added (it counts even when the catalog check was skipped). */
function withDuplicateCheck(result: HostResult, check: NamedCheck | undefined): HostResult {
  if (!check) return result;
  const checks = [...result.checks, check];
  const status = worst([result.status === 'skip' ? 'ok' : result.status, check.status]);
  const quiet = result.status === 'ok' || result.status === 'skip';
  const reason = quiet ? check.reason : `${result.reason}; ${check.reason}`;
  return { ...result, checks, status, reason, hint: result.hint ?? check.hint };
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig({ config: options.config, env: options.env });
  } catch (error) {
    if (error instanceof SentinelError && CONFIG_ERRORS.has(error.code)) return configFailure(error);
    throw error;
  }
  const selected = selectServers(loaded, options.servers);
  const active = selected.filter(([, server]) => !server.disabled);
  const env = await loadEnvironment({ configPath: loaded.path, envFile: options.envFile, env: options.env });
  // The reference check and the backend probe resolve the same secrets at the same time: read each once.
  const secrets = memoizeSecretStore(createSecretStore({ env, keychain: options.keychain }));
  const timeoutMs = options.timeoutMs ?? loaded.settings.startupTimeoutMs ?? DEFAULT_DOCTOR_TIMEOUT_MS;

  options.onBackendsStarting?.(active.map(([name]) => name));
  const probing = probeBackends({
    config: { ...loaded.config, mcpServers: Object.fromEntries(selected) },
    settings: loaded.settings,
    names: selected.map(([name]) => name),
    env,
    secrets,
    timeoutMs,
    onSettled: options.onBackendSettled,
  });
  try {
    const perServer = checkEachServer(active, loaded, env, secrets, options.env);
    const [keychain, credentials, servers, probe] = await Promise.all([
      checkKeychain(secrets, active, env),
      checkConfigCredentials(loaded.path, loaded.config),
      perServer,
      probing,
    ]);

    const references: ReferenceResult[] = servers.flatMap((s) => s.references);
    const backends = probe.results().map((result) => {
      const server = servers.find((s) => s.name === result.name);
      return withCacheCheck(withCommandCheck(result, server?.command), server?.cache);
    });

    const hosts = await checkHosts(options, loaded, probe, backends, active.length);

    const partial: Omit<DoctorReport, 'summary'> = {
      reportVersion: 1,
      sentinelVersion: VERSION,
      config: {
        path: loaded.path,
        status: 'ok',
        reason: `${loaded.path} is valid (${selected.length} of ${Object.keys(loaded.config.mcpServers).length} servers checked)`,
        issues: [],
        servers: Object.keys(loaded.config.mcpServers).length,
        credentials,
      },
      keychain,
      references,
      backends,
      hosts,
    };
    return { ...partial, summary: summarize(partial, false) };
  } finally {
    await (await probing.catch(() => undefined))?.stop();
  }
}

type Env = Record<string, string | undefined>;

/** Each active server's references, its command (stdio) and its manifest cache entry. */
function checkEachServer(
  active: [string, ServerConfig][],
  loaded: LoadedConfig,
  env: Env,
  secrets: SecretStore,
  processEnv: DoctorOptions['env'],
) {
  return Promise.all(
    active.map(async ([name, server]) => {
      const refs = await checkServerReferences(name, server, env, secrets);
      // The command is checked even when another value's reference fails, as long as it has none itself.
      const base = `mcpServers.${name}`;
      const commandRefs = refs.results.some((r) => r.path === `${base}.command` || r.path === `${base}.cwd`);
      const source = refs.resolved ?? (commandRefs ? undefined : server);
      const command =
        source && isStdioServer(source)
          ? await checkCommand({ command: source.command, cwd: source.cwd, env })
          : undefined;
      const cache = await checkCache(server, refs.resolved, loaded.settings, env, processEnv);
      return { name, references: refs.results, command, cache };
    }),
  );
}

/** The catalog the ready backends make, against each host: names, counts, surface and the host's file. */
async function checkHosts(
  options: DoctorOptions,
  loaded: LoadedConfig,
  probe: Awaited<ReturnType<typeof probeBackends>>,
  backends: BackendResult[],
  totalBackends: number,
): Promise<HostResult[]> {
  const collisions: string[] = [];
  const catalog = buildCatalog(probe.sources(), loaded.settings, (message) => collisions.push(message));
  const summaryInput = {
    tools: catalog.tools.map((tool) => tool.name),
    collisions,
    readyBackends: probe.sources().length,
    totalBackends,
  };
  const titles = new Map(backends.map((b) => [b.name, b.server?.name]));
  const surfaces = await hostSurfaces(
    options.hosts,
    catalog,
    loaded.config.mcpServers,
    titles,
    loaded.settings,
  );
  return Promise.all(
    options.hosts.map(async (host, index) =>
      withDuplicateCheck(
        withSurface(
          withScope(
            checkHost(host, options.serverKey, {
              ...summaryInput,
              listedTools: surfaces.get(host)?.listedTools,
              firstHost: index === 0,
            }),
            options.servers,
          ),
          surfaces.get(host),
        ),
        await options.hostFileCheck?.(host, loaded.config.mcpServers),
      ),
    ),
  );
}
