/**
 * Ties the HTTP request that carries one JSON-RPC request to that request's lifetime, so that a request
 * that times out, is cancelled by the host or is abandoned also closes its socket. The SDK's HTTP
 * transports abort their fetches only when the whole transport closes, so a hung POST (a slow or
 * malicious server) would otherwise hold a socket until undici gives up minutes later.
 *
 * How: the SDK's Protocol.request hands its message to `transport.send` synchronously, so the signal set
 * by `sendingWith` just before is picked up by the wrapped `send` and carried (AsyncLocalStorage) into the
 * fetch that send makes, where `takeRequestSignal` claims it. Only the first fetch of that send claims it:
 * callbacks run from inside it (onerror, notifications read from its response stream, timers they set)
 * inherit the context but never the signal.
 *
 * The scope also carries the request's reply budget (http-channel/reply-budget.ts), which the GETs that
 * resume its reply keep spending, and, for a session whose client makes the fetches itself (the v2 client
 * of a 2026-07-28 session, `cutOffAtBudget`), how to fail the request when a body of its reply is cut: the
 * SDK reads an event stream's failure as a dropped stream and would leave the request waiting.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Transport } from '@modelcontextprotocol/client';
import type { SentinelError } from '../errors.js';
import type { ReplyBudget } from './http-channel/reply-budget.js';

export interface RequestScope {
  signal: AbortSignal;
  taken: boolean;
  /** The budget of the reply being received: a POST's, which the GETs resuming it go on with. */
  budget?: ReplyBudget;
  /** A body of the request's reply went past the budget and was cut: the request fails with `error`. */
  cut?(error: SentinelError): void;
}

const scope = new AsyncLocalStorage<RequestScope>();
let next: AbortSignal | undefined;

/** Runs `start`, which sends one request synchronously (client.request does), under `signal`. */
export function sendingWith<T>(signal: AbortSignal, start: () => T): T {
  next = signal;
  try {
    return start();
  } finally {
    next = undefined;
  }
}

/** Makes `transport.send` pick up the signal of `sendingWith` for the request it sends. */
export function scopeSends(transport: Transport): void {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    const signal = next;
    next = undefined;
    if (!signal || !('method' in message) || !('id' in message)) return send(message, options);
    return scope.run({ signal, taken: false }, () => send(message, options));
  };
}

/**
 * Runs one request of a session whose client makes every fetch of it itself (its POSTs, the GETs resuming
 * their replies, however late): `start` gets the signal to give the client. The request rejects with the
 * error of a body of its reply cut past its budget, and the client's request is aborted then; the
 * client would read that failure as a dropped stream and leave the request waiting.
 */
export function cutOffAtBudget<T>(
  signal: AbortSignal | undefined,
  start: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal!.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  let reject!: (error: SentinelError) => void;
  const cutOff = new Promise<never>((_, fail) => (reject = fail));
  const cut = (error: SentinelError) => {
    reject(error);
    controller.abort(error);
  };
  const request = scope.run({ signal: controller.signal, taken: false, cut }, () => start(controller.signal));
  return Promise.race([request, cutOff]).finally(() => signal?.removeEventListener('abort', onAbort));
}

/**
 * Runs `fn` outside any request's scope: what a request's failure sets off (a renewed session, a
 * reconnect) outlives the request, and must not spend its reply budget, be cut with it or take its signal.
 */
export function outsideRequests<T>(fn: () => T): T {
  return scope.exit(fn);
}

/** The request whose fetch is being made, if any. */
export function currentRequest(): RequestScope | undefined {
  return scope.getStore();
}

/** The signal of the request being sent, for the first fetch that asks; undefined otherwise. */
export function takeRequestSignal(): AbortSignal | undefined {
  const current = scope.getStore();
  if (!current || current.taken) return undefined;
  current.taken = true;
  return current.signal;
}
