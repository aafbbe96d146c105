/**
 * What a 2026-07-28 session (modern-session.ts) does to a request before the v2 client sends it, and
 * what it answers itself:
 *
 * - A request of a 2026-07-28 host carries that host's own client capabilities in `_meta` (the gateway in
 *   front of mcp-sentinel keeps them there, with the host's log level, for a backend of this revision).
 *   The backend sees them as they are, and its `input_required` result comes back unchanged
 *   (`allowInputRequired`): the host answers the inputs under the backend's own keys, and its retry
 *   (`inputResponses`, `requestState`) goes to the backend as the host sent it. A 2025-era host's request
 *   has no such key: the v2 client fulfils its `input_required` inside the call, through the relay
 *   handlers (the host gets the legacy elicitation, sampling or roots request).
 * - What a 2025-era host sets for the whole session, which this revision carries per request or per
 *   stream: the log level (`logging/setLevel`, removed in this revision) is kept here and put on every
 *   request's `_meta`; resource subscriptions (`resources/subscribe` / `unsubscribe`, removed too) become
 *   one `subscriptions/listen` stream for the subscribed URIs, opened anew whenever they change (the
 *   updates then reach the same notification handlers).
 */
import type { McpSubscription } from '@modelcontextprotocol/client';

type ModernClient = InstanceType<(typeof import('@modelcontextprotocol/client'))['Client']>;
type Params = Record<string, unknown>;

import { CLIENT_CAPABILITIES_META_KEY, LOG_LEVEL_META_KEY } from './legacy-params.js';

/** The methods whose result may be `input_required` in this revision. */
const INPUT_CAPABLE = new Set(['tools/call', 'prompts/get', 'resources/read']);

const metaOf = (params: Params | undefined): Params | undefined => {
  const meta = params?._meta;
  return typeof meta === 'object' && meta !== null ? (meta as Params) : undefined;
};

/** Whether a request comes from a 2026-07-28 host (its envelope's capabilities kept in `_meta`). */
export function fromModernHost(params: Params | undefined): boolean {
  return metaOf(params)?.[CLIENT_CAPABILITIES_META_KEY] !== undefined;
}

export class ModernRequests {
  private level?: string;
  private readonly uris = new Set<string>();
  private stream?: McpSubscription;
  private updating: Promise<unknown> = Promise.resolve();
  /** The tools of the last listing, by name (a call from a modern host names its definition). */
  private tools = new Map<string, Params>();

  constructor(
    private readonly client: ModernClient,
    /** The -32602 error of the client's package (this module loads none: it loads with every start). */
    private readonly invalidParams: (message: string) => Error,
  ) {}

  /** The answer to a method this revision removed, from what is kept here; undefined for every other. */
  answer(method: string, params: Params | undefined): Promise<Params> | undefined {
    if (method === 'logging/setLevel') {
      if (typeof params?.level !== 'string')
        return Promise.reject(this.invalidParams('Invalid params: level must be a string'));
      this.level = params.level;
      return Promise.resolve({});
    }
    if (method !== 'resources/subscribe' && method !== 'resources/unsubscribe') return undefined;
    const uri = params?.uri;
    if (typeof uri !== 'string')
      return Promise.reject(this.invalidParams('Invalid params: uri must be a string'));
    const had = this.uris.has(uri);
    if (method === 'resources/subscribe') this.uris.add(uri);
    else this.uris.delete(uri);
    if (had === this.uris.has(uri)) return Promise.resolve({});
    return this.listenAgain().then(() => ({}));
  }

  /** The params and options a request goes out with. */
  prepare(
    method: string,
    params: Params | undefined,
    options: Params | undefined,
  ): { params: Params | undefined; options: Params | undefined } {
    const meta = metaOf(params);
    if (!fromModernHost(params)) {
      // A 2025-era host's level, unless the request names its own.
      const withLevel =
        this.level !== undefined && meta?.[LOG_LEVEL_META_KEY] === undefined
          ? { ...params, _meta: { ...meta, [LOG_LEVEL_META_KEY]: this.level } }
          : params;
      return { params: withLevel, options };
    }
    if (!INPUT_CAPABLE.has(method)) return { params, options };
    const tool = method === 'tools/call' ? this.tools.get(String(params?.name)) : undefined;
    return {
      params,
      options: {
        ...options,
        allowInputRequired: true,
        // The client checks structured content against the tool's output schema, which an
        // input_required result has none of; the host checks the final result itself.
        ...(tool && { toolDefinition: { ...tool, outputSchema: undefined } }),
      },
    };
  }

  /** Remembers the tools of a listing, page by page: a first page (no cursor) starts it anew. */
  listed(result: { tools?: unknown }, cursor: unknown): void {
    if (cursor === undefined) this.tools = new Map();
    if (!Array.isArray(result.tools)) return;
    for (const tool of result.tools as Params[]) this.tools.set(String(tool.name), tool);
  }

  /** One stream for the subscribed URIs: the new one opens before the old one closes, so none is missed. */
  private listenAgain(): Promise<void> {
    const uris = [...this.uris];
    const run = this.updating.then(async () => {
      const old = this.stream;
      this.stream = uris.length > 0 ? await this.client.listen({ resourceSubscriptions: uris }) : undefined;
      await old?.close();
    });
    this.updating = run.catch(() => undefined);
    return run;
  }
}
