/**
 * What one backend offers, across its sessions: the current lists, the last lists any session got (kept
 * while the backend restarts, so the catalog reserves their names), a version per kind that changes only
 * when a kind's content changes, the debounced re-list on `list_changed` notifications, and the caching
 * hints a 2026-07-28 backend sent with each kind (cache-hints.ts): a kind whose `ttlMs` has passed is
 * fetched again before it is served (`refresh`). Fetching a kind with pagination is listing.ts.
 */
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { combineHints, hintOf, isExpired, type ListHint, type ListHints } from './cache-hints.js';
import { listKind } from './listing.js';
import type { BackendSession } from './modern-session.js';
import type { BackendLists, ListKind } from './types.js';

export const EMPTY_LISTS: BackendLists = { tools: [], resources: [], resourceTemplates: [], prompts: [] };

/**
 * List versions are unique across every Backend of the process: a backend replaced by a reload never
 * shows the version its predecessor had, so the catalog always sees the change.
 */
let lastListVersion = 0;
const nextListVersion = () => ++lastListVersion;

/** Backends announce list changes in bursts; re-list once per burst. */
const RELIST_DEBOUNCE_MS = 50;

/** Once per list fetched (not per catalog change): a re-list or a reconnect that changed nothing is no change. */
function sameItems(a: unknown[], b: unknown[]): boolean {
  return a === b || (a.length === b.length && JSON.stringify(a) === JSON.stringify(b));
}

export class ListState {
  lists: BackendLists = EMPTY_LISTS;
  lastLists?: BackendLists;
  readonly versions: Record<ListKind, number> = { tools: 0, resources: 0, prompts: 0 };
  /** The caching hints of the current lists, per kind (none for a 2025-era backend). */
  hints: ListHints = {};
  private readonly timers = new Map<ListKind, NodeJS.Timeout>();
  /** The hints each fetch() result came with, until set() takes the lists. */
  private readonly fetchedHints = new WeakMap<BackendLists, ListHints>();
  /** Re-lists under way for an expired kind (single-flight per kind). */
  private readonly refreshing = new Map<ListKind, Promise<void>>();

  constructor(
    private readonly timeoutMs: () => number,
    private readonly log: Logger,
    /** The session to re-list from: a ready backend's, else none. */
    private readonly current: () => BackendSession | undefined,
    /** The lists were updated by a re-list. */
    private readonly changed: () => void,
  ) {}

  /** Every kind the session's server declares, each fetched in full. */
  async fetch(session: BackendSession): Promise<BackendLists> {
    const caps = session.getServerCapabilities() ?? {};
    const kinds = (['tools', 'resources', 'prompts'] as const).filter((kind) => caps[kind]);
    const hints: ListHints = {};
    const parts = await Promise.all(
      kinds.map(async (kind) => {
        const { lists, hint } = await this.fetchKind(session, kind);
        if (hint) hints[kind] = hint;
        return lists;
      }),
    );
    const lists = Object.assign({ ...EMPTY_LISTS }, ...parts) as BackendLists;
    this.fetchedHints.set(lists, hints);
    return lists;
  }

  /** One kind with the hint of its results (undefined from a 2025-era backend). */
  private async fetchKind(
    session: BackendSession,
    kind: ListKind,
  ): Promise<{ lists: Partial<BackendLists>; hint?: ListHint }> {
    const pages: (ListHint | undefined)[] = [];
    const lists = await listKind(session, kind, this.timeoutMs(), this.log, (result) =>
      pages.push(hintOf(result, Date.now())),
    );
    return { lists, hint: combineHints(pages) };
  }

  /** Takes lists fetched by fetch(), or read from a manifest with its `hints`. */
  set(lists: BackendLists, hints: ListHints | undefined = this.fetchedHints.get(lists)): void {
    this.hints = { ...hints };
    const last = this.lastLists;
    if (!last || !sameItems(last.tools, lists.tools)) this.versions.tools = nextListVersion();
    if (!last || !sameItems(last.prompts, lists.prompts)) this.versions.prompts = nextListVersion();
    if (
      !last ||
      !sameItems(last.resources, lists.resources) ||
      !sameItems(last.resourceTemplates, lists.resourceTemplates)
    )
      this.versions.resources = nextListVersion();
    this.lists = lists;
    this.lastLists = lists;
  }

  /** Whether `kind` must be fetched again before it is served: its `ttlMs` has passed. */
  expired(kind: ListKind): boolean {
    return isExpired(this.hints[kind], Date.now());
  }

  /** Fetches an expired kind again now (one fetch however many wait for it). */
  refresh(kind: ListKind): Promise<void> {
    let running = this.refreshing.get(kind);
    if (!running) {
      running = this.relist(kind).finally(() => this.refreshing.delete(kind));
      this.refreshing.set(kind, running);
    }
    return running;
  }

  /** The backend is down: nothing is listed now (lastLists stay). */
  clear(): void {
    this.lists = EMPTY_LISTS;
  }

  /** Re-lists `kind` once the burst of notifications is over, from the session current then. */
  schedule(kind: ListKind): void {
    clearTimeout(this.timers.get(kind));
    this.timers.set(
      kind,
      setTimeout(() => {
        this.timers.delete(kind);
        void this.relist(kind);
      }, RELIST_DEBOUNCE_MS),
    );
  }

  cancel(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async relist(kind: ListKind): Promise<void> {
    const session = this.current();
    if (!session) return;
    try {
      const { lists: fetched, hint } = await this.fetchKind(session, kind);
      if (session !== this.current()) return;
      // Only the kind fetched: a re-list of another kind running meanwhile keeps its own result.
      const hints = { ...this.hints };
      if (hint) hints[kind] = hint;
      else delete hints[kind];
      this.set({ ...this.lists, ...fetched }, hints);
      this.changed();
    } catch (error) {
      this.log.warn(`could not re-list ${kind}: ${describeError(error)}`);
    }
  }
}
