/**
 * Requests a 2025-era backend sends back (elicitation, sampling, roots) as a 2026-07-28 host expects
 * them: there are no server-initiated requests in that revision, so the host request that led to them
 * is answered with an `input_required` result carrying them as `inputRequests`, and the host's retry
 * (a new request with `inputResponses` and our `requestState`) answers them. The original request stays
 * in flight at the 2025-era server behind the gateway the whole time; its final answer goes to the retry.
 *
 * A 2025-era request says nothing of the host request it belongs to (over stdio nothing ties the two), so
 * it is taken to belong to the oldest host request that can take input (`tools/call`, `prompts/get`,
 * `resources/read`) still in flight. Requests that arrive together (a backend asking for several inputs
 * at once) go out in one `input_required` result. An input the host request did not declare the
 * capability for is never put to the host: it is refused to the backend once the others are answered,
 * and when the host could take none of a round's inputs its request fails with -32021
 * (MissingRequiredClientCapability), as the revision asks of a server that needs an undeclared capability.
 */
import { randomUUID } from 'node:crypto';
import type { Exchange, ReverseRequest } from './exchange.js';

/** The methods whose results may be `input_required` in the 2026-07-28 revision. */
export const INPUT_CAPABLE = new Set(['tools/call', 'prompts/get', 'resources/read']);

/** The host capability each request a backend may send back needs. */
export const CAPABILITY_OF: Record<string, string> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

/** How long requests from a backend are gathered before the host is asked for all of them at once. */
const GATHER_MS = 25;

export interface InputBridgeHooks {
  /** Answers a request of the 2025-era server (the backend's, relayed) with a result or an error. */
  answerReverse(
    reverse: ReverseRequest,
    outcome: { result: unknown } | { error: Record<string, unknown> },
  ): void;
  /** Answers the host request the exchange currently belongs to with an `input_required` result. */
  askHost(exchange: Exchange, result: Record<string, unknown>): void;
  /** Fails the host request the exchange belongs to; the exchange's final answer goes nowhere. */
  failHost(exchange: Exchange, error: Record<string, unknown>): void;
  /** The host did not retry in time: the exchange is given up. */
  expired(exchange: Exchange): void;
}

export class InputBridge {
  /** Exchanges waiting for the host's retry, by the `requestState` they were given. */
  private readonly byState = new Map<string, Exchange>();

  constructor(private readonly hooks: InputBridgeHooks) {}

  /** A request of the 2025-era server toward the host: queued on its exchange, or refused when none. */
  take(reverse: ReverseRequest, exchanges: Iterable<Exchange>): void {
    const exchange = oldestTaking(exchanges);
    if (!exchange) {
      this.hooks.answerReverse(reverse, {
        error: {
          code: -32601,
          message: `${reverse.method} cannot reach the host: it speaks the 2026-07-28 revision, which takes such requests only as input_required results of its own tools/call, prompts/get and resources/read`,
        },
      });
      return;
    }
    exchange.queued.push(reverse);
    this.schedule(exchange);
  }

  /** A request the 2025-era server gave up on (timeout, cancellation): it is asked of nobody any more. */
  forget(reverseKey: string, exchanges: Iterable<Exchange>): void {
    for (const exchange of exchanges) {
      exchange.queued = exchange.queued.filter((r) => r.key !== reverseKey);
      for (const [name, r] of exchange.asked) if (r.key === reverseKey) exchange.asked.delete(name);
    }
  }

  /** The exchange a retry's `requestState` names, taken off the waiting list; undefined when unknown. */
  claim(state: unknown, method: string): Exchange | undefined {
    if (typeof state !== 'string') return undefined;
    const exchange = this.byState.get(state);
    if (!exchange || exchange.method !== method) return undefined;
    this.byState.delete(state);
    clearTimeout(exchange.expiry);
    return exchange;
  }

  /**
   * The host's answers, to the requests they answer; an input it left out is asked again. Held requests
   * the host could not be asked are refused now.
   */
  answer(exchange: Exchange, responses: Record<string, unknown> | undefined): void {
    for (const [name, reverse] of exchange.asked) {
      const response = responses?.[name];
      if (typeof response === 'object' && response !== null && !Array.isArray(response))
        this.hooks.answerReverse(reverse, { result: response });
      else exchange.queued.push(reverse);
    }
    exchange.asked.clear();
    for (const reverse of exchange.held.splice(0)) this.refuse(reverse);
    this.schedule(exchange);
  }

  /** Drops an exchange's state (it finished or was cancelled); its open requests are refused. */
  close(exchange: Exchange): void {
    clearTimeout(exchange.gather);
    clearTimeout(exchange.expiry);
    if (exchange.state) this.byState.delete(exchange.state);
    for (const reverse of [...exchange.queued, ...exchange.asked.values(), ...exchange.held])
      this.refuse(reverse);
    exchange.queued = [];
    exchange.asked.clear();
    exchange.held = [];
  }

  private schedule(exchange: Exchange): void {
    if (exchange.queued.length === 0 || exchange.hostId === undefined) return;
    clearTimeout(exchange.gather);
    exchange.gather = setTimeout(() => this.flush(exchange), GATHER_MS);
  }

  private flush(exchange: Exchange): void {
    if (exchange.hostId === undefined || exchange.queued.length === 0) return;
    const declared = exchange.queued.filter((r) => CAPABILITY_OF[r.method]! in exchange.capabilities);
    const undeclared = exchange.queued.filter((r) => !declared.includes(r));
    exchange.queued = [];
    if (declared.length === 0) {
      const requiredCapabilities = Object.fromEntries(undeclared.map((r) => [CAPABILITY_OF[r.method]!, {}]));
      this.hooks.failHost(exchange, {
        code: -32021,
        message: `the request needs the client capabilities ${Object.keys(requiredCapabilities).join(', ')}, which it did not declare`,
        data: { requiredCapabilities },
      });
      for (const reverse of undeclared) this.refuse(reverse);
      return;
    }
    exchange.held.push(...undeclared);
    const inputRequests: Record<string, unknown> = {};
    for (const reverse of declared) {
      const name = `${reverse.method.split('/')[0]}-${++exchange.asks}`;
      exchange.asked.set(name, reverse);
      inputRequests[name] = { method: reverse.method, params: reverse.params ?? {} };
    }
    const state = randomUUID();
    exchange.state = state;
    this.byState.set(state, exchange);
    // A host that never retries: its state is forgotten with the requests it was given for.
    exchange.expiry = setTimeout(() => {
      if (this.byState.get(state) !== exchange) return;
      this.byState.delete(state);
      this.hooks.expired(exchange);
    }, exchange.expiresAfterMs);
    exchange.expiry.unref?.();
    this.hooks.askHost(exchange, { resultType: 'input_required', inputRequests, requestState: state });
  }

  private refuse(reverse: ReverseRequest): void {
    const capability = CAPABILITY_OF[reverse.method] ?? reverse.method;
    this.hooks.answerReverse(reverse, {
      error: {
        code: -32601,
        message: `${reverse.method} refused: the host did not declare the "${capability}" capability on the request it belongs to`,
      },
    });
  }
}

function oldestTaking(exchanges: Iterable<Exchange>): Exchange | undefined {
  let waiting: Exchange | undefined;
  for (const exchange of exchanges) {
    if (!INPUT_CAPABLE.has(exchange.method) || exchange.abandoned) continue;
    if (exchange.hostId !== undefined) return exchange;
    waiting ??= exchange;
  }
  return waiting;
}
