/**
 * All backends of one config: starts them in parallel, reports when they have settled, and stops them.
 * A backend that fails stays failed on its own; the manager never rejects because of one.
 */
import { EventEmitter } from 'node:events';
import type { SentinelConfig } from '../config/types.js';
import { Backend } from './backend.js';
import { launch, record } from './manifest/lazy-start.js';
import type { ManifestStore } from './manifest/store.js';
import type { BackendDeps } from './types.js';

export interface ManagerOptions {
  /** The manifest cache: backends with an entry start lazily, and every live listing is recorded. */
  manifests?: ManifestStore;
}

interface ManagerEvents {
  change: [backend: Backend];
  resourceUpdated: [backend: Backend, uri: string];
  log: [backend: Backend, params: Record<string, unknown>];
  taskStatus: [backend: Backend, params: Record<string, unknown>];
}

export class BackendManager extends EventEmitter<ManagerEvents> {
  /** In config order: earlier entries win name collisions. */
  readonly backends: Backend[];
  private started?: Promise<void>;

  constructor(
    config: SentinelConfig,
    private readonly deps: BackendDeps,
    only?: string[],
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
    this.started ??= Promise.all(this.backends.map((b) => this.launch(b))).then(() => undefined);
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

  async stopAll(): Promise<void> {
    await Promise.allSettled(this.backends.map((b) => b.stop()));
  }
}
