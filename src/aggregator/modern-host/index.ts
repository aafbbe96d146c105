/**
 * The gateway between a host that speaks the 2026-07-28 revision and mcp-sentinel's 2025-era server.
 * A host that starts with `server/discover`, or whose requests carry the protocol version in `_meta`,
 * is served here; a host that sends `initialize` never reaches this module (`takes` says no, and every
 * message goes on unchanged). What the gateway does for a modern host:
 *
 * - answers `server/discover` (the capabilities and instructions `initialize` would carry) and refuses
 *   the methods the revision removed (`initialize`, `ping`, `logging/setLevel`, `resources/subscribe`,
 *   `resources/unsubscribe`) with -32601; checks every request's envelope (-32602, -32022);
 * - hands the 2025-era server each request under an id of its own, without the envelope keys about the
 *   host's own connection (the host's capabilities and log level stay, for a 2026-07-28 backend), and
 *   the host each answer with `resultType` and, on lists and reads, caching hints (results.ts);
 * - sends log messages only while a request that asked for them (`_meta` logLevel) is in flight, at or
 *   above its level, and list changes only on `subscriptions/listen` streams (listen.ts);
 * - turns the requests of 2025-era backends (elicitation, sampling, roots) into `input_required`
 *   results and the host's retries into their answers (input-bridge.ts); a 2026-07-28 backend's own
 *   `input_required` goes to the host as it is, and a retry whose `requestState` the gateway did not
 *   issue goes to mcp-sentinel's server like any request, for that backend to judge.
 *
 * mcp-sentinel is told once that the host can take elicitation, sampling and roots (the gateway can
 * carry all three to a modern host), and who it is (`onFirstRequest`).
 */
import type { Logger } from '../../log.js';
import {
  checkEnvelope,
  claimsModern,
  CLIENT_INFO_KEY,
  forwardedParams,
  metaOf,
  SUBSCRIPTION_ID_KEY,
} from './envelope.js';
import { keyOf, wantsLog, type Exchange, type RequestId } from './exchange.js';
import { CAPABILITY_OF, InputBridge } from './input-bridge.js';
import { ListenStreams, readFilter } from './listen.js';
import { discoverResult, modernResult, type DiscoverParts } from './results.js';

export { claimsModern } from './envelope.js';

type Message = Record<string, unknown> & {
  id?: RequestId;
  method?: string;
  params?: Record<string, unknown>;
};

/** What the 2025-era server is told the host can take (the gateway carries all of it). */
export const MODERN_HOST_CAPABILITIES = {
  sampling: {},
  elicitation: { form: {}, url: {} },
  roots: { listChanged: false },
};

const REMOVED = new Set([
  'initialize',
  'ping',
  'logging/setLevel',
  'resources/subscribe',
  'resources/unsubscribe',
]);

export interface ModernHostOptions {
  /** Writes a message to the host. */
  sendToHost(message: Message): Promise<void>;
  /** Hands a (2025-era) message to mcp-sentinel's server. */
  deliver(message: Message): void;
  /** What `server/discover` answers: the merged capabilities and instructions (after backends settled). */
  discover(): Promise<DiscoverParts>;
  serverInfo: Record<string, unknown>;
  /** How long a host may take to retry an `input_required` before its state is forgotten. */
  retryWindowMs: number;
  log: Logger;
}

export type Era = 'undecided' | 'probe' | 'modern' | 'legacy';

export class ModernHostGateway {
  era: Era = 'undecided';
  private readonly exchanges = new Map<string, Exchange>();
  private readonly byHost = new Map<string, Exchange>();
  private readonly internal = new Set<string>();
  private readonly reverse = new Map<string, true>();
  private readonly bridge: InputBridge;
  private readonly listen: ListenStreams;
  private next = 0;
  private started = false;

  constructor(private readonly options: ModernHostOptions) {
    this.bridge = new InputBridge({
      answerReverse: (reverse, outcome) => {
        this.reverse.delete(reverse.key);
        this.options.deliver({ jsonrpc: '2.0', id: reverse.id, ...outcome });
      },
      askHost: (exchange, result) => {
        const hostId = exchange.hostId!;
        this.byHost.delete(keyOf(hostId));
        exchange.hostId = undefined;
        this.toHost({
          jsonrpc: '2.0',
          id: hostId,
          result: modernResult(exchange.method, result, options.serverInfo),
        });
      },
      expired: (exchange) => {
        this.exchanges.delete(exchange.internalId);
        this.bridge.close(exchange);
        // Still running at the 2025-era server (waiting on the inputs just refused): it is cancelled there.
        if (!exchange.final)
          this.options.deliver({
            jsonrpc: '2.0',
            method: 'notifications/cancelled',
            params: { requestId: exchange.internalId, reason: 'the host did not retry its input_required' },
          });
      },
      failHost: (exchange, error) => {
        const hostId = exchange.hostId!;
        this.byHost.delete(keyOf(hostId));
        exchange.hostId = undefined;
        exchange.abandoned = true;
        this.toHost({ jsonrpc: '2.0', id: hostId, error });
      },
    });
    this.listen = new ListenStreams({
      notify: (method, params) => this.toHost({ jsonrpc: '2.0', method, params }),
      subscription: (method, uri) => this.deliverInternal(method, { uri }),
    });
  }

  /**
   * Whether the gateway serves this host message. The first message decides: `initialize` keeps the
   * 2025 era for good; a modern claim picks the 2026-07-28 revision (a `server/discover` alone only
   * tentatively, as the revision's probe: an `initialize` right after it still means a 2025-era host).
   */
  takes(message: Message): boolean {
    if (this.era === 'legacy') return false;
    if (this.era === 'modern') return true;
    if (message.method === 'initialize' && !claimsModern(message)) {
      this.era = 'legacy';
      return false;
    }
    if (!claimsModern(message)) return this.era === 'probe';
    this.era = message.method === 'server/discover' && this.era === 'undecided' ? 'probe' : 'modern';
    return true;
  }

  /** Set when the gateway first serves a request: the backends start on it. */
  onFirstRequest?: (capabilities: Record<string, unknown>, clientInfo: Record<string, unknown>) => void;

  /** A message of the modern host. */
  receive(message: Message): void {
    if (!('method' in message)) return; // we send a modern host no requests: nothing to answer
    if (message.id === undefined) return this.receiveNotification(message);
    const check = checkEnvelope(message.params);
    if (!check.ok) return this.fail(message.id, check.code, check.message, check.data);
    this.start(message);
    const method = message.method!;
    if (REMOVED.has(method))
      return this.fail(
        message.id,
        -32601,
        `Method not found: ${method} (the 2026-07-28 revision removed it)`,
      );
    if (method === 'server/discover') return void this.answerDiscover(message.id);
    if (method === 'subscriptions/listen') return this.openStream(message.id, message.params);
    const responses = message.params?.inputResponses;
    if (
      responses !== undefined &&
      (typeof responses !== 'object' || responses === null || Array.isArray(responses))
    )
      return this.fail(message.id, -32602, 'Invalid params: inputResponses must be an object');
    if (message.params?.requestState !== undefined && this.retry(message, check.envelope.capabilities))
      return;
    this.open(message, check.envelope);
  }

  /**
   * A request for mcp-sentinel's server: a new exchange. A retry whose `requestState` the gateway did not
   * issue is one too: it answers an `input_required` of a 2026-07-28 backend, which judges the state.
   */
  private open(
    message: Message,
    envelope: { capabilities: Record<string, unknown>; logLevel?: string },
  ): void {
    const exchange: Exchange = {
      internalId: this.internalId(),
      hostId: message.id!,
      method: message.method!,
      capabilities: envelope.capabilities,
      ...(envelope.logLevel && { logLevel: envelope.logLevel }),
      queued: [],
      asked: new Map(),
      held: [],
      asks: 0,
      expiresAfterMs: this.options.retryWindowMs,
    };
    this.exchanges.set(exchange.internalId, exchange);
    this.byHost.set(keyOf(message.id!), exchange);
    this.options.deliver({
      jsonrpc: '2.0',
      id: exchange.internalId,
      method: exchange.method,
      params: forwardedParams(message.params) ?? {},
    });
  }

  /** A message of mcp-sentinel's server toward the host. */
  send(message: Message): Promise<void> {
    if (this.era !== 'modern' && this.era !== 'probe') return this.options.sendToHost(message);
    if ('method' in message) {
      if (message.id !== undefined) return this.takeReverse(message);
      return this.notifyHost(message);
    }
    const id = message.id;
    if (typeof id !== 'string') return Promise.resolve();
    if (this.internal.delete(id)) return Promise.resolve(); // our own subscriptions
    const exchange = this.exchanges.get(id);
    if (!exchange) return Promise.resolve();
    const { id: _id, jsonrpc: _v, ...outcome } = message;
    if (exchange.abandoned) {
      this.exchanges.delete(id);
      this.bridge.close(exchange);
      return Promise.resolve();
    }
    if (exchange.hostId === undefined) {
      exchange.final = outcome; // the host has yet to retry: it gets this then
      return Promise.resolve();
    }
    return this.finish(exchange, outcome);
  }

  private finish(exchange: Exchange, outcome: Record<string, unknown>): Promise<void> {
    const hostId = exchange.hostId!;
    this.exchanges.delete(exchange.internalId);
    this.byHost.delete(keyOf(hostId));
    this.bridge.close(exchange);
    const answer =
      'result' in outcome && typeof outcome.result === 'object' && outcome.result !== null
        ? {
            result: modernResult(
              exchange.method,
              outcome.result as Record<string, unknown>,
              this.options.serverInfo,
            ),
          }
        : outcome;
    return this.options.sendToHost({ jsonrpc: '2.0', id: hostId, ...answer });
  }

  /** A retry of an `input_required` the gateway issued (true), answered here; false for any other. */
  private retry(message: Message, capabilities: Record<string, unknown>): boolean {
    const params = message.params!;
    const exchange = this.bridge.claim(params.requestState, message.method!);
    if (!exchange) return false;
    exchange.hostId = message.id!;
    exchange.capabilities = capabilities;
    this.byHost.set(keyOf(message.id!), exchange);
    if (exchange.final) {
      const final = exchange.final;
      exchange.final = undefined;
      void this.finish(exchange, final);
      return true;
    }
    this.bridge.answer(exchange, params.inputResponses as Record<string, unknown> | undefined);
    return true;
  }

  private takeReverse(message: Message): Promise<void> {
    const reverse = {
      id: message.id!,
      key: keyOf(message.id!),
      method: message.method!,
      params: message.params,
    };
    if (!(reverse.method in CAPABILITY_OF)) {
      this.options.deliver({
        jsonrpc: '2.0',
        id: reverse.id,
        error: { code: -32601, message: `the host does not handle ${reverse.method}` },
      });
      return Promise.resolve();
    }
    this.reverse.set(reverse.key, true);
    this.bridge.take(reverse, this.exchanges.values());
    return Promise.resolve();
  }

  private notifyHost(message: Message): Promise<void> {
    const method = message.method!;
    const params = message.params;
    if (method === 'notifications/cancelled') {
      const requestId = params?.requestId as RequestId | undefined;
      if (requestId !== undefined && this.reverse.delete(keyOf(requestId)))
        this.bridge.forget(keyOf(requestId), this.exchanges.values());
      return Promise.resolve();
    }
    if (this.listen.deliver(method, params)) return Promise.resolve();
    if (method === 'notifications/message' && !wantsLog(this.exchanges.values(), params?.level))
      return Promise.resolve();
    return this.options.sendToHost(message);
  }

  private receiveNotification(message: Message): void {
    if (message.method !== 'notifications/cancelled') return; // the revision's host sends no others we use
    const requestId = message.params?.requestId as RequestId | undefined;
    if (requestId === undefined) return;
    if (this.listen.close(requestId)) return;
    const exchange = this.byHost.get(keyOf(requestId));
    if (!exchange) return;
    this.byHost.delete(keyOf(requestId));
    this.exchanges.delete(exchange.internalId);
    this.bridge.close(exchange);
    this.options.deliver({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { ...message.params, requestId: exchange.internalId },
    });
  }

  private async answerDiscover(id: RequestId): Promise<void> {
    try {
      const parts = await this.options.discover();
      await this.toHost({ jsonrpc: '2.0', id, result: discoverResult(parts, this.options.serverInfo) });
    } catch (error) {
      this.options.log.warn(`server/discover: ${error instanceof Error ? error.message : String(error)}`);
      this.fail(id, -32603, 'mcp-sentinel could not gather its backends\u2019 capabilities');
    }
  }

  private openStream(id: RequestId, params: Record<string, unknown> | undefined): void {
    const filter = readFilter(params?.notifications);
    if (!filter) return this.fail(id, -32602, 'Invalid params: notifications must be a subscription filter');
    this.listen.open(id, filter);
  }

  /** The first request: the 2025-era server hears `notifications/initialized` and backends start. */
  private start(message: Message): void {
    if (this.started) return;
    this.started = true;
    const clientInfo = metaOf(message.params)?.[CLIENT_INFO_KEY];
    this.options.deliver({ jsonrpc: '2.0', method: 'notifications/initialized' });
    this.onFirstRequest?.(
      MODERN_HOST_CAPABILITIES,
      typeof clientInfo === 'object' && clientInfo !== null ? (clientInfo as Record<string, unknown>) : {},
    );
  }

  private deliverInternal(method: string, params: Record<string, unknown>): void {
    const id = this.internalId();
    this.internal.add(id);
    this.options.deliver({ jsonrpc: '2.0', id, method, params });
  }

  private internalId(): string {
    return `sentinel-modern-${++this.next}`;
  }

  private fail(id: RequestId, code: number, message: string, data?: Record<string, unknown>): void {
    void this.toHost({ jsonrpc: '2.0', id, error: { code, message, ...(data && { data }) } });
  }

  private toHost(message: Message): Promise<void> {
    return this.options.sendToHost(message).catch((error: unknown) => {
      this.options.log.debug(
        `could not write to the host: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }
}

export { SUBSCRIPTION_ID_KEY };
