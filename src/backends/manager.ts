/**
 * All backends of one config: starts them in parallel, reports when they have settled, and stops them.
 * A backend that fails stays failed on its own; the manager never rejects because of one. A reloaded
 * config is applied per backend (reconfigure): unchanged ones are left alone.
 */
import { EventEmitter } from 'node:events';
import type { SentinelConfig, Settings } from '../config/types.js';
import type { SentinelError } from '../errors.js';
import { Backend } from './backend.js';
import { applySettings, drainThenStop } from './reload/apply.js';
import type { ConfigDiff } from './reload/config-diff.js';
import { launch, record } from './manifest/lazy-start.js';
import type { ManifestStore } from './manifest/store.js';
import type { BackendDeps, ListKind } from './types.js';

export interface ManagerOptions {
  /** The manifest cache: backends with an entry start lazily, and every live listing is recorded. */
  manifests?: ManifestStore;
}

/** The config being served and the last reload's outcome (for the status resource and doctor). */
export interface ConfigStatus {
  path?: string;
  /** When the config now served was applied, ISO 8601. */
  appliedAt?: string;
  /** Why the last edit of the config was not applied (the previous config is still served). */
  problem?: SentinelError;
}

interface ManagerEvents {
  change: [backend: Backend];
  /** A reloaded config was applied; `renamed` when the settings that shape public names changed. */
  reconfigured: [diff: ConfigDiff, renamed: boolean];
  resourceUpdated: [backend: Backend, uri: string];
  log: [backend: Backend, params: Record<string, unknown>];
  taskStatus: [backend: Backend, params: Record<string, unknown>];
  elicitationComplete: [backend: Backend, elicitationId: string];
  /** startAll has settled: every backend has connected or failed once. */
  started: [];
}

export class BackendManager extends EventEmitter<ManagerEvents> {
  /** In config order: earlier entries win name collisions. */
  readonly backends: Backend[];
  /** Set by the config reloader; read by the status resource. */
  configStatus: ConfigStatus = {};
  private started?: Promise<void>;
  /** Backends replaced or removed by a reload, finishing their requests in flight. */
  private readonly retiring = new Set<Promise<void>>();
  private readonly retiringBackends = new Set<Backend>();

  constructor(
    config: SentinelConfig,
    private deps: BackendDeps,
    private readonly only?: string[],
    private readonly options: ManagerOptions = {},
  ) {
    super();
    this.backends = Object.entries(config.mcpServers)
      .filter(([name]) => !only || only.includes(name))
      .map(([name, server]) => new Backend(name, server, deps));
    for (const backend of this.backends) this.attach(backend);
  }

  private attach(backend: Backend): void {
    backend.on('change', () => {
      const manifests = this.options.manifests;
      if (manifests && backend.state === 'ready') void record(backend, this.deps, manifests);
      this.emit('change', backend);
    });
    backend.on('resourceUpdated', (uri) => this.emit('resourceUpdated', backend, uri));
    backend.on('log', (params) => this.emit('log', backend, params as Record<string, unknown>));
    backend.on('taskStatus', (params) => this.emit('taskStatus', backend, params));
    backend.on('elicitationComplete', (id) => this.emit('elicitationComplete', backend, id));
  }

  /** Starts a backend, or leaves it idle with its cached lists when it may start lazily. */
  private launch(backend: Backend): Promise<void> {
    const manifests = this.options.manifests;
    return manifests ? launch(backend, this.deps, manifests) : backend.start();
  }

  get(name: string): Backend | undefined {
    return this.backends.find((b) => b.name === name);
  }

  /** Starts every backend in parallel; resolves when each has connected or failed once. */
  startAll(): Promise<void> {
    this.started ??= Promise.all(this.backends.map((b) => this.launch(b)))
      .then(() => undefined)
      .finally(() => this.emit('started'));
    return this.started;
  }

  /** Resolves when every backend has settled or `timeoutMs` has passed, whichever comes first. */
  async whenSettled(timeoutMs: number): Promise<void> {
    const all = this.startAll();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([all, timeout]);
    clearTimeout(timer);
  }

  /** Fetches again every listed backend's `kind` whose caching hint has expired (cache-hints.ts). */
  async refreshExpired(kind: ListKind): Promise<void> {
    await Promise.all(this.backends.filter((b) => b.listed).map((b) => b.refreshExpired(kind)));
  }

  /** The live settings object every backend and the aggregator read. */
  get settings(): Settings {
    return this.deps.settings;
  }

  /**
   * Applies a reloaded config: `deps` are built over the new environment with the live settings object.
   * Added backends start (or are seeded lazily), removed ones go once their requests in flight are done,
   * changed ones are replaced alone, unchanged ones keep their process and session.
   */
  reconfigure(config: SentinelConfig, settings: Settings, deps: BackendDeps, diff: ConfigDiff): void {
    const renamed = applySettings(this.deps.settings, settings);
    this.deps = deps;
    const keep = new Set(diff.unchanged);
    const previous = new Map(this.backends.map((b) => [b.name, b]));
    const next = Object.entries(config.mcpServers)
      .filter(([name]) => !this.only || this.only.includes(name))
      .map(([name, server]) => (keep.has(name) && previous.get(name)) || new Backend(name, server, deps));
    const fresh = next.filter((b) => previous.get(b.name) !== b);
    for (const old of this.backends) if (!next.includes(old)) this.retire(old);
    this.backends.splice(0, this.backends.length, ...next);
    for (const backend of fresh) {
      this.attach(backend);
      if (this.started) void this.launch(backend);
    }
    this.emit('reconfigured', diff, renamed);
  }

  private retire(backend: Backend): void {
    backend.removeAllListeners();
    this.retiringBackends.add(backend);
    const done = drainThenStop(backend).finally(() => {
      this.retiring.delete(done);
      this.retiringBackends.delete(backend);
    });
    this.retiring.add(done);
  }

  async stopAll(): Promise<void> {
    const all = [...this.backends, ...this.retiringBackends];
    await Promise.allSettled([...all.map((b) => b.stop()), ...this.retiring]);
  }
}
