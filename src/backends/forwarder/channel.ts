/**
 * The seam between the forwarder and a backend connection: a `ForwardChannel` carries the forwarder's
 * JSON-RPC messages to one backend session and hands back everything the backend sends that belongs to
 * them. The forwarder (forwarder.ts) owns ids, progress tokens, timeouts, cancellation and the one outcome
 * per request; a channel owns only the wire.
 *
 * - stdio: the child's stdin/stdout; replies come back on the same stream, mixed with the SDK client's.
 * - Streamable HTTP: one POST per message; the reply is the POST's JSON body or its SSE stream.
 * - SSE: a POST to the session's endpoint; the reply arrives on the session's GET stream.
 *
 * What belongs to the forwarder is told by the id alone: its request ids and progress tokens are strings
 * that start with FORWARD_ID_PREFIX, which the SDK client (numeric ids, numeric tokens) never uses. A
 * channel that shares a stream with the SDK client offers every message to the sink first; what the sink
 * declines goes on to the client (reverse requests, log messages, list changes).
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/client';
import type { SentinelError } from '../../errors.js';

/** Request ids and progress tokens the forwarder puts on the wire are `${FORWARD_ID_PREFIX}${n}`. */
export const FORWARD_ID_PREFIX = 'sentinel-';

/** What the forwarder sends: a request (id and progress token already swapped) or a notification. */
export type OutgoingMessage = {
  jsonrpc: '2.0';
  method: string;
  params?: Record<string, unknown>;
  id?: string;
};

/** Where a channel delivers what the backend sends back for the forwarder. */
export interface ForwardSink {
  /**
   * A message from the backend: a response, a notification or a request. Returns true when it was the
   * forwarder's (a response to one of its ids, a progress notification with one of its tokens) and has
   * been handled; false when it is someone else's, and the channel passes it on to the session.
   */
  message(message: JSONRPCMessage): boolean;
  /**
   * One request can no longer get its response through this channel (its POST failed after it was
   * accepted, its response stream broke): the forwarder ends it with `error`, or, for the code
   * `BACKEND_SESSION_EXPIRED` (the request never ran), renews the session and resends it once. Unknown ids
   * are ignored.
   */
  failed(id: RequestId, error: SentinelError): void;
}

export interface ForwardChannel {
  /** Attaches the forwarder's sink; called once, before the first `send`. */
  attach(sink: ForwardSink): void;
  /**
   * Sends one message. Resolves when the backend has it (stdio: written; HTTP: the POST was accepted and
   * its body, if any, is being read into the sink). Rejects with a SentinelError when it could not be
   * delivered; code `BACKEND_SESSION_EXPIRED` means the server no longer knows the session and the
   * request never ran (the forwarder renews the session and resends once).
   *
   * `signal` aborts when the forwarder gives up on the request before its response came (timed out,
   * cancelled, its session dropped): an HTTP channel ends the request's POST and response stream with it,
   * so no socket outlives its request. (It does not abort after the response: the channel is done then.)
   */
  send(message: OutgoingMessage, signal?: AbortSignal): Promise<void>;
  /**
   * True when `send` ignores its signal (stdio: a written line cannot be taken back): the forwarder then
   * makes none, since an AbortSignal per request costs about as much as the rest of the relay.
   */
  readonly unsignalled?: boolean;
  /**
   * True for a 2026-07-28 session: a request of a 2026-07-28 host goes to it as it is. Any other channel
   * gets it without that host's own parts (legacy-params.ts).
   */
  readonly modern?: boolean;
}

/** True for the forwarder's own ids and progress tokens. */
export function isForwardId(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(FORWARD_ID_PREFIX);
}
