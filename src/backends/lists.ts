/**
 * What one backend offers, across its sessions: the current lists, the last lists any session got (kept
 * while the backend restarts, so the catalog reserves their names), a version per kind that changes only
 * when a kind's content changes, and the debounced re-list on `list_changed` notifications. Fetching a
 * kind with pagination is listing.ts.
 */
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
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
  private readonly timers = new Map<ListKind, NodeJS.Timeout>();

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
    const parts = await Promise.all(kinds.map((kind) => listKind(session, kind, this.timeoutMs(), this.log)));
    return Object.assign({ ...EMPTY_LISTS }, ...parts) as BackendLists;
  }

  set(lists: BackendLists): void {
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
      const fetched = await listKind(session, kind, this.timeoutMs(), this.log);
      if (session !== this.current()) return;
      // Only the kind fetched: a re-list of another kind running meanwhile keeps its own result.
      this.set({ ...this.lists, ...fetched });
      this.changed();
    } catch (error) {
      this.log.warn(`could not re-list ${kind}: ${describeError(error)}`);
    }
  }
}
