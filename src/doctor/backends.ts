/**
 * Starts the checked backends the way `serve` does (the same BackendManager, resolver and auth), all in
 * parallel, each with its own startup timeout and no automatic restart, and reports each one: what it
 * offers, its auth and sign-in state, or why it failed (in words by failure-words.ts, from what its HTTP
 * traffic showed, http-observation.ts).
 *
 * The caller must call `stop()` (in a finally): it ends every process and connection this started.
 */
import { NEVER_RESTART } from '../backends/restart-policy.js';
import type { CatalogSource } from '../aggregator/catalog.js';
import type { Backend } from '../backends/backend.js';
import { createBackendDeps, NO_HOST } from '../backends/deps.js';
import { BackendManager } from '../backends/manager.js';
import { isStdioServer, type SentinelConfig, type Settings } from '../config/types.js';
import type { Logger } from '../log.js';
import type { SecretStore } from '../secrets/store.js';
import type { BackendResult, NamedCheck } from './report.js';
import { explainFailure, stripQuery, TOKEN_AUTH } from './failure-words.js';
import { observe, type HttpObservation } from './http-observation.js';
import { idpSignInCheck, signInCheck } from './sign-in.js';

/** A Logger that keeps each backend's lines (its stderr included) instead of printing them. */
class CollectingLogger implements Logger {
  constructor(
    private readonly lines: Map<string, string[]>,
    private readonly scope = '',
  ) {}
  private add(message: string): void {
    const key = this.scope.split(':')[0] ?? '';
    const list = this.lines.get(key) ?? [];
    list.push(message);
    if (list.length > 50) list.shift();
    this.lines.set(key, list);
  }
  debug(): void {}
  info(message: string): void {
    this.add(message);
  }
  warn(message: string): void {
    this.add(message);
  }
  error(message: string): void {
    this.add(message);
  }
  child(scope: string): Logger {
    return new CollectingLogger(this.lines, this.scope ? `${this.scope}:${scope}` : scope);
  }
}

export interface BackendProbeOptions {
  config: SentinelConfig;
  settings: Settings;
  names: string[];
  env: Record<string, string | undefined>;
  secrets: SecretStore;
  timeoutMs: number;
  /** Called as each backend settles, for live progress. */
  onSettled?: (name: string, ok: boolean) => void;
}

export interface BackendProbe {
  results(): BackendResult[];
  /** What the ready backends export, for the catalog. */
  sources(): CatalogSource[];
  stop(): Promise<void>;
}

export async function probeBackends(options: BackendProbeOptions): Promise<BackendProbe> {
  const lines = new Map<string, string[]>();
  const observations = new Map<string, HttpObservation>();
  const settings: Settings = { ...options.settings, startupTimeoutMs: options.timeoutMs };
  const log = new CollectingLogger(lines);
  const base = createBackendDeps({
    settings,
    log,
    host: NO_HOST,
    env: options.env,
    secrets: options.secrets,
    servers: options.config.mcpServers,
  });
  const deps = {
    ...base,
    // One attempt: a failure stays visible as itself, and no restart timer outlives the doctor.
    restartStrategy: () => NEVER_RESTART,
    createAuth: (name: string, server: Parameters<typeof base.createAuth>[1]) => {
      const seen: HttpObservation = {};
      observations.set(name, seen);
      return observe(base.createAuth(name, server), seen);
    },
  };
  const manager = new BackendManager(options.config, deps, options.names);
  const started = performance.now();
  const settledAt = new Map<string, number>();
  for (const backend of manager.backends) {
    void backend.start().then(() => {
      settledAt.set(backend.name, Math.round(performance.now() - started));
      options.onSettled?.(backend.name, backend.state === 'ready');
    });
  }
  // Resolving references, an OAuth token, initialize and the lists each have the timeout: wait for at
  // most all of them, then call whatever is still starting a timeout.
  await manager.whenSettled(options.timeoutMs * 3 + 1_000);
  const snapshot = manager.backends.map((backend) =>
    describeBackend(backend, options.timeoutMs, settledAt, lines, observations),
  );
  const sources: CatalogSource[] = manager.backends
    .filter((backend) => backend.state === 'ready')
    .map((backend) => ({
      name: backend.name,
      prefix: backend.config.prefix ?? backend.name,
      filter: backend.config.tools,
      promptFilter: backend.config.prompts,
      resourceFilter: backend.config.resources,
      lists: backend.lists,
    }));

  return {
    results: () => snapshot,
    sources: () => sources,
    stop: () => manager.stopAll(),
  };
}

function describeBackend(
  backend: Backend,
  timeoutMs: number,
  settledAt: Map<string, number>,
  lines: Map<string, string[]>,
  observations: Map<string, HttpObservation>,
): BackendResult {
  const server = backend.config;
  const transport = isStdioServer(server) ? 'stdio' : server.type === 'sse' ? 'sse' : 'streamable-http';
  const target = isStdioServer(server) ? server.command : stripQuery(server.url);
  const result: BackendResult = {
    name: backend.name,
    transport,
    target,
    status: 'ok',
    reason: '',
    checks: [],
  };
  if (backend.state === 'disabled') {
    return {
      ...result,
      status: 'skip',
      reason: 'disabled in the config',
      hint: `remove "disabled": true from mcpServers.${backend.name} to use it`,
    };
  }
  result.ms = settledAt.get(backend.name);
  const auth = backend.authDescription;
  if (auth) result.auth = auth;

  if (backend.state === 'ready') {
    const info = backend.serverInfo;
    result.server = info ? { name: info.name, version: info.version } : undefined;
    result.protocolVersion = backend.protocolVersion;
    result.counts = {
      tools: backend.lists.tools.length,
      resources: backend.lists.resources.length,
      resourceTemplates: backend.lists.resourceTemplates.length,
      prompts: backend.lists.prompts.length,
    };
    result.checks.push({
      id: 'connect',
      status: 'ok',
      reason: `connected over ${transport} in ${backend.connectMs ?? result.ms ?? 0} ms`,
    });
    result.checks.push({
      id: 'initialize',
      status: 'ok',
      reason: `${info ? `${info.name} ${info.version}` : 'unnamed server'}, protocol ${backend.protocolVersion ?? 'unknown'}`,
    });
    result.checks.push({
      id: 'lists',
      status: 'ok',
      reason: `${result.counts.tools} tools, ${result.counts.resources} resources, ${result.counts.prompts} prompts`,
    });
    if (auth && TOKEN_AUTH.has(auth.type)) result.checks.push(oauthCheck(auth));
    const signedIn = signInCheck(backend.name, auth);
    if (signedIn) result.checks.push(signedIn);
    const idpSignIn = idpSignInCheck(backend.name, auth);
    if (idpSignIn) result.checks.push(idpSignIn);
    result.reason = `${result.checks[1]!.reason}; ${result.checks[2]!.reason}`;
    return result;
  }

  const failure = explainFailure(backend, timeoutMs, lines.get(backend.name), observations.get(backend.name));
  result.checks.push({ id: failure.stage, status: 'fail', reason: failure.reason, hint: failure.hint });
  const signIn = signInCheck(backend.name, auth) ?? idpSignInCheck(backend.name, auth);
  if (signIn) result.checks.unshift(signIn);
  if (auth && TOKEN_AUTH.has(auth.type) && failure.stage !== 'auth') {
    const check = oauthCheck(auth);
    if (check.status === 'fail') result.checks.unshift(check);
  }
  return { ...result, status: 'fail', reason: failure.reason, hint: failure.hint };
}

function oauthCheck(auth: Record<string, unknown>): NamedCheck {
  const endpoint = typeof auth.tokenEndpoint === 'string' ? stripQuery(auth.tokenEndpoint) : undefined;
  const expiresAt = typeof auth.expiresAt === 'string' ? auth.expiresAt : undefined;
  const lastError = auth.lastError as { message?: string } | undefined;
  if (expiresAt) {
    const minutes = Math.max(0, Math.round((Date.parse(expiresAt) - Date.now()) / 60_000));
    return {
      id: 'auth',
      status: 'ok',
      reason: `OAuth token obtained${endpoint ? ` from ${endpoint}` : ''}, expires in ${minutes} min (${expiresAt})`,
    };
  }
  return {
    id: 'auth',
    status: 'fail',
    reason: `no OAuth token${endpoint ? ` from ${endpoint}` : ''}${lastError?.message ? `: ${lastError.message}` : ''}`,
    hint:
      typeof auth.pinHint === 'string'
        ? auth.pinHint
        : 'check tokenUrl or issuer, clientId and the client secret',
  };
}
