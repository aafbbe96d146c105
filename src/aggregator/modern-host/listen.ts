/**
 * `subscriptions/listen` of the 2026-07-28 revision: the long-lived request on which a host hears of list
 * changes and resource updates, in place of the 2025 era's connection-wide notifications and
 * `resources/subscribe`. Each stream gets what its filter asks for, tagged with its subscription id (the
 * listen request's id), after a first `notifications/subscriptions/acknowledged`. Resource subscriptions
 * are made at the 2025-era server behind the gateway (`resources/subscribe`), one per URI however many
 * streams want it, and undone when the last stream that wanted it ends.
 */
import { SUBSCRIPTION_ID_KEY } from './envelope.js';
import { keyOf, type RequestId } from './exchange.js';

interface Filter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

interface Stream {
  id: RequestId;
  filter: Filter;
}

export interface ListenHooks {
  /** A notification to the host. */
  notify(method: string, params: Record<string, unknown>): void;
  /** `resources/subscribe` or `resources/unsubscribe` at the 2025-era server. */
  subscription(method: 'resources/subscribe' | 'resources/unsubscribe', uri: string): void;
}

const LIST_CHANGED: Record<string, keyof Filter> = {
  'notifications/tools/list_changed': 'toolsListChanged',
  'notifications/prompts/list_changed': 'promptsListChanged',
  'notifications/resources/list_changed': 'resourcesListChanged',
};

/** Only the filter's known fields, of the right types: the acknowledgement repeats it to the host. */
export function readFilter(value: unknown): Filter | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const given = value as Record<string, unknown>;
  const filter: Filter = {};
  for (const key of ['toolsListChanged', 'promptsListChanged', 'resourcesListChanged'] as const)
    if (given[key] === true) filter[key] = true;
  const uris = given.resourceSubscriptions;
  if (uris !== undefined) {
    if (!Array.isArray(uris) || uris.some((u) => typeof u !== 'string')) return undefined;
    filter.resourceSubscriptions = [...new Set(uris as string[])];
  }
  return filter;
}

export class ListenStreams {
  private readonly streams = new Map<string, Stream>();
  private readonly uriUsers = new Map<string, number>();

  constructor(private readonly hooks: ListenHooks) {}

  open(id: RequestId, filter: Filter): void {
    this.streams.set(keyOf(id), { id, filter });
    this.hooks.notify('notifications/subscriptions/acknowledged', {
      notifications: filter,
      _meta: { [SUBSCRIPTION_ID_KEY]: id },
    });
    for (const uri of filter.resourceSubscriptions ?? []) {
      const users = this.uriUsers.get(uri) ?? 0;
      this.uriUsers.set(uri, users + 1);
      if (users === 0) this.hooks.subscription('resources/subscribe', uri);
    }
  }

  /** The stream of a request id ended (the host cancelled it); true when it was one. */
  close(id: RequestId): boolean {
    const stream = this.streams.get(keyOf(id));
    if (!stream) return false;
    this.streams.delete(keyOf(id));
    for (const uri of stream.filter.resourceSubscriptions ?? []) {
      const users = (this.uriUsers.get(uri) ?? 1) - 1;
      if (users > 0) this.uriUsers.set(uri, users);
      else {
        this.uriUsers.delete(uri);
        this.hooks.subscription('resources/unsubscribe', uri);
      }
    }
    return true;
  }

  /** A notification of the 2025-era server: to each stream whose filter wants it. True when it is one of these kinds. */
  deliver(method: string, params: Record<string, unknown> | undefined): boolean {
    const flag = LIST_CHANGED[method];
    const uri = method === 'notifications/resources/updated' ? params?.uri : undefined;
    if (!flag && uri === undefined) return false;
    for (const stream of this.streams.values()) {
      const wanted = flag
        ? stream.filter[flag] === true
        : typeof uri === 'string' && stream.filter.resourceSubscriptions?.includes(uri) === true;
      if (!wanted) continue;
      const meta = {
        ...(params?._meta as Record<string, unknown> | undefined),
        [SUBSCRIPTION_ID_KEY]: stream.id,
      };
      this.hooks.notify(method, { ...params, _meta: meta });
    }
    return true;
  }
}
