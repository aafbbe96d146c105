/**
 * The catalog as it is now: rebuilt from the backends' lists whenever what the host would see changes,
 * the routes of names whose backend went away (so calls to them get a reason), and the one wait for
 * backends to settle that the first answers share. It does not tell the host anything (host-notifier.ts).
 */
import type { Settings } from '../config/types.js';
import type { BackendManager } from '../backends/manager.js';
import type { Backend, ListKind } from '../backends/backend.js';
import type { Logger } from '../log.js';
import { buildCatalog, createToolFilter, type Catalog, type Route } from './catalog.js';

/** One signature per list kind; equal signatures, equal lists. */
export interface ListSignatures {
  tools: string;
  prompts: string;
  resources: string;
}

export class LiveCatalog {
  private current: Catalog;
  private built: ListSignatures;
  private startup?: Promise<void>;
  /** Per Backend object, not per name: a reload replaces a changed backend, and its filter with it. */
  private readonly filters = new WeakMap<Backend, (name: string) => boolean>();
  private readonly warned = new Set<string>();
  /** Routes of tools and prompts whose backend went away since. */
  private readonly lastKnownTools = new Map<string, Route>();
  private readonly lastKnownPrompts = new Map<string, Route>();
  /** Called once the first wait for backends is over (the host was told of the lists as they were then). */
  onSettled?: (signatures: ListSignatures) => void;

  constructor(
    private readonly manager: BackendManager,
    private readonly settings: Settings,
    private readonly log: Logger,
  ) {
    this.built = this.signAll();
    this.current = this.rebuild();
  }

  get catalog(): Catalog {
    return this.current;
  }

  /** The signatures of the catalog as built now. */
  get signatures(): ListSignatures {
    return { ...this.built };
  }

  /** Whether the first wait for backends has begun (the host may have been told of lists). */
  get started(): boolean {
    return this.startup !== undefined;
  }

  /**
   * Rebuilds when a kind's lists changed; true when it did. `force`: rebuild anyway (a reload can change
   * the settings that shape public names).
   */
  refresh(force = false): boolean {
    const next = this.signAll();
    const same =
      next.tools === this.built.tools &&
      next.prompts === this.built.prompts &&
      next.resources === this.built.resources;
    if (same && !force) return false; // a state change that changes nothing the host sees
    this.built = next;
    this.current = this.rebuild();
    for (const [name, route] of this.current.toolRoutes) this.lastKnownTools.set(name, route);
    for (const [name, route] of this.current.promptRoutes) this.lastKnownPrompts.set(name, route);
    return true;
  }

  /** Waits (at most startupTimeoutMs, once) for backends, then returns the catalog. */
  async ready(): Promise<Catalog> {
    this.startup ??= this.manager
      .whenSettled(this.settings.startupTimeoutMs)
      .then(() => this.onSettled?.(this.signatures));
    await this.startup;
    return this.current;
  }

  /**
   * The catalog once every list of `kind` past its `ttlMs` (2026-07-28 backends: backends/cache-hints.ts)
   * has been fetched again, so that the host is never served a list its backend called stale.
   */
  async fresh(kind: ListKind): Promise<Catalog> {
    await this.ready();
    await this.manager.refreshExpired(kind);
    return this.current;
  }

  /** The backend a tool name routed to once, when that backend is down now. */
  downToolBackend(name: string): Backend | undefined {
    return this.down(this.lastKnownTools.get(name));
  }

  downPromptBackend(name: string): Backend | undefined {
    return this.down(this.lastKnownPrompts.get(name));
  }

  private down(route: Route | undefined): Backend | undefined {
    const backend = route && this.manager.get(route.backend);
    return backend && backend.state !== 'ready' ? backend : undefined;
  }

  private filterOf(backend: Backend): (name: string) => boolean {
    let allowed = this.filters.get(backend);
    if (!allowed) this.filters.set(backend, (allowed = createToolFilter(backend.config.tools)));
    return allowed;
  }

  /**
   * What each kind of the catalog is built from, per backend in config order: exported (ready), names
   * reserved (down, with last lists) or nothing, with the version of its lists.
   */
  private signOf(kind: ListKind): string {
    return this.manager.backends
      .map((b) => {
        const lists = b.listed ? b.lists : b.lastLists;
        const count = !lists
          ? 0
          : kind === 'resources'
            ? lists.resources.length + lists.resourceTemplates.length
            : lists[kind].length;
        if (count === 0) return '-';
        return `${b.listed ? 'e' : 'r'}${b.listVersions[kind]}`;
      })
      .join(',');
  }

  private signAll(): ListSignatures {
    return {
      tools: this.signOf('tools'),
      prompts: this.signOf('prompts'),
      resources: this.signOf('resources'),
    };
  }

  private rebuild(): Catalog {
    // Backends that are down but were up keep their names reserved: another backend must not take them
    // meanwhile (the host would call the wrong tool), nor be renamed when they come back.
    const sources = this.manager.backends.flatMap((b) => {
      const ready = b.listed;
      const lists = ready ? b.lists : b.lastLists;
      if (!lists) return [];
      return [
        {
          name: b.name,
          prefix: b.config.prefix ?? b.name,
          allowed: this.filterOf(b),
          promptFilter: b.config.prompts,
          resourceFilter: b.config.resources,
          lists,
          reserveOnly: !ready,
        },
      ];
    });
    return buildCatalog(sources, this.settings, (message) => {
      if (this.warned.has(message)) return;
      this.warned.add(message);
      this.log.warn(message);
    });
  }
}
