/**
 * The one forwarder: every request the aggregator forwards to a backend (tools/call, resources/read,
 * prompts/get, completion/complete, tasks/*, ...) goes through it, on every transport. It owns
 *
 * - the id mapping: the backend sees `sentinel-N` (channel.ts), the caller never sees it;
 * - the progress-token swap: the caller's token is replaced by the request's own id, and progress comes
 *   back to the caller without a token (the caller adds its own);
 * - the timeout, reset by each progress notification, and capped in total (`maxTotalMs`);
 * - cancellation both ways: the caller's cancel and a timeout tell the backend (`notifications/cancelled`);
 *   a session that is gone ends its requests at once;
 * - one resend of a request whose session expired before it ran (the caller renews the session);
 * - exactly one outcome per request: a result, an error, or nothing after the caller cancelled.
 *
 * It knows nothing of transports: a ForwardChannel carries its messages. The caller (backend.ts) picks the
 * channel of the current session and supplies the renewal.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import { SentinelError } from '../../errors.js';
import { FORWARD_ID_PREFIX, isForwardId, type ForwardChannel, type ForwardSink } from './channel.js';
import { RpcCode, backendError, closedError, timeoutError } from './outcomes.js';
import { carriesModernHostParts, forLegacyBackend } from '../legacy-params.js';

export type ForwardOutcome = { result: Record<string, unknown> } | { error: SentinelError };

export interface ForwardCall {
  method: string;
  /** The params as the caller sent them; a progress token in `_meta` is replaced by the forwarder's. */
  params?: Record<string, unknown>;
  timeoutMs: number;
  /** The cap on the whole request, however often progress resets its timeout. */
  maxTotalMs: number;
  /** Progress from the backend, without a token; set only when the caller wants progress. */
  onProgress?(params: Record<string, unknown>): void;
  /** Called exactly once, unless the caller cancelled first. */
  onDone(outcome: ForwardOutcome): void;
}

/** A promise-style request (request()): the caller's cancellation and progress. */
export interface ForwardOptions {
  signal?: AbortSignal;
  onprogress?: (progress: { progress: number; total?: number; message?: string }) => void;
}

export interface ForwarderOptions {
  backend: string;
  /** Renews an expired session; resolves once a new channel is current, or when renewal failed. */
  renew(stale: ForwardChannel): Promise<void>;
  /** The channel of the current session, when there is one. */
  channel(): ForwardChannel | undefined;
}

/** The abort reason of a request the forwarder is done with (one object: building a DOMException is slow). */
const OVER = new Error('the request is over');

/** The caller's handle on a request, which keeps its meaning when the request is resent. */
interface Ticket {
  id: string;
  cancelled: boolean;
}

interface InFlight {
  call: ForwardCall;
  ticket: Ticket;
  channel: ForwardChannel;
  timer: NodeJS.Timeout;
  deadline: number;
  /** Aborted when the request is over: an HTTP channel ends its POST with it. */
  done?: AbortController;
  resent: boolean;
}

export class Forwarder {
  private next = 0;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly attached = new WeakSet<ForwardChannel>();

  constructor(private readonly options: ForwarderOptions) {}

  get size(): number {
    return this.inFlight.size;
  }

  /** Sends a request on the current channel; returns the caller's cancel (no outcome after it). */
  start(call: ForwardCall): () => void {
    const channel = this.options.channel();
    if (!channel) {
      call.onDone({ error: closedError(this.options.backend, 'has no open session') });
      return () => undefined;
    }
    if (!channel.modern && carriesModernHostParts(call.params)) {
      const params = forLegacyBackend(this.options.backend, call.params!);
      if (params instanceof SentinelError) {
        call.onDone({ error: params });
        return () => undefined;
      }
      call = { ...call, params };
    }
    const ticket: Ticket = { id: '', cancelled: false };
    this.dispatch(call, ticket, channel, false);
    return () => {
      ticket.cancelled = true;
      const entry = this.take(ticket.id);
      if (entry) this.cancelAtBackend(entry.channel, ticket.id, 'cancelled by the host');
    };
  }

  /**
   * `start` as a promise: resolves with the result, rejects with the SentinelError of any other outcome,
   * or with the signal's reason once the caller's signal aborts (the backend is told).
   */
  request(
    call: Omit<ForwardCall, 'onDone' | 'onProgress'>,
    options: ForwardOptions = {},
  ): Promise<Record<string, unknown>> {
    const { signal, onprogress } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const aborted = () => {
        cancel();
        reject(signal!.reason);
      };
      const cancel = this.start({
        ...call,
        onProgress: onprogress && ((progress) => onprogress(progress as Parameters<typeof onprogress>[0])),
        onDone: (outcome) => {
          signal?.removeEventListener('abort', aborted);
          if ('result' in outcome) resolve(outcome.result);
          else reject(outcome.error);
        },
      });
      signal?.addEventListener('abort', aborted, { once: true });
    });
  }

  /** Ends every request on `channel` (its session is gone); `resend` sends them again on the next one. */
  drop(channel: ForwardChannel, reason: string, resend = false): void {
    for (const [id, entry] of [...this.inFlight]) {
      if (entry.channel !== channel) continue;
      if (resend && !entry.resent) void this.resend(id, entry);
      else this.finish(id, { error: closedError(this.options.backend, reason) });
    }
  }

  private dispatch(call: ForwardCall, ticket: Ticket, channel: ForwardChannel, resent: boolean): void {
    this.attach(channel);
    const id = `${FORWARD_ID_PREFIX}${++this.next}`;
    ticket.id = id;
    const meta = { ...(call.params?._meta as Record<string, unknown> | undefined) };
    delete meta.progressToken;
    if (call.onProgress) meta.progressToken = id;
    const params = { ...call.params, _meta: meta };
    const entry: InFlight = {
      call,
      ticket,
      channel,
      timer: this.arm(id, call.timeoutMs),
      deadline: Date.now() + call.maxTotalMs,
      // An AbortSignal costs ~10 µs and GC work: none for a channel that ignores it (stdio).
      done: channel.unsignalled ? undefined : new AbortController(),
      resent,
    };
    this.inFlight.set(id, entry);
    const failed = (error: unknown) => this.failed(id, toSendError(this.options.backend, error));
    try {
      channel.send({ jsonrpc: '2.0', id, method: call.method, params }, entry.done?.signal).catch(failed);
    } catch (error) {
      // A channel that throws instead of rejecting must not take the process down (nor leave the call).
      failed(error);
    }
  }

  private attach(channel: ForwardChannel): void {
    if (this.attached.has(channel)) return;
    this.attached.add(channel);
    const sink: ForwardSink = {
      message: (message) => this.handle(message),
      failed: (id, error) => this.failed(String(id), error),
    };
    channel.attach(sink);
  }

  /** A message from a channel: true when it was one of ours (and is handled). */
  private handle(message: JSONRPCMessage): boolean {
    if ('id' in message && !('method' in message)) {
      if (!isForwardId(message.id)) return false;
      if ('result' in message)
        this.finish(message.id, { result: message.result as Record<string, unknown> }, true);
      else if ('error' in message) this.finish(message.id, { error: backendError(message.error) }, true);
      return true;
    }
    if ('method' in message && message.method === 'notifications/progress') {
      const token = (message.params as { progressToken?: unknown } | undefined)?.progressToken;
      if (!isForwardId(token)) return false;
      const entry = this.inFlight.get(token);
      if (!entry?.call.onProgress) return true;
      clearTimeout(entry.timer);
      entry.timer = this.arm(token, Math.min(entry.call.timeoutMs, Math.max(0, entry.deadline - Date.now())));
      const { progressToken: _token, ...progress } = message.params as Record<string, unknown>;
      entry.call.onProgress(progress);
      return true;
    }
    return false;
  }

  private failed(id: string, error: SentinelError): void {
    const entry = this.inFlight.get(id);
    if (!entry) return;
    if (error.code === 'BACKEND_SESSION_EXPIRED' && !entry.resent) void this.resend(id, entry);
    else this.finish(id, { error });
  }

  /** The server forgot the session before the request ran: renew it, then send the request once more. */
  private async resend(id: string, entry: InFlight): Promise<void> {
    this.take(id);
    await this.options.renew(entry.channel).catch(() => undefined);
    if (entry.ticket.cancelled) return;
    const channel = this.options.channel();
    if (!channel || channel === entry.channel) {
      entry.call.onDone({ error: closedError(this.options.backend, 'could not renew its session') });
      return;
    }
    this.dispatch(entry.call, entry.ticket, channel, true);
  }

  private arm(id: string, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const entry = this.inFlight.get(id);
      if (!entry) return;
      this.cancelAtBackend(entry.channel, id, 'timed out');
      this.finish(id, { error: timeoutError(this.options.backend, entry.call.timeoutMs) });
    }, ms);
    return timer;
  }

  private cancelAtBackend(channel: ForwardChannel, id: string, reason: string): void {
    try {
      void channel
        .send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } })
        .catch(() => undefined);
    } catch {
      // Nothing to tell: the session is gone.
    }
  }

  /**
   * Removes the request; its signal aborts unless it was answered (aborting costs tens of microseconds,
   * and an answered request's channel is done with it anyway).
   */
  private take(id: string, answered = false): InFlight | undefined {
    const entry = this.inFlight.get(id);
    if (!entry) return undefined;
    this.inFlight.delete(id);
    clearTimeout(entry.timer);
    if (!answered) entry.done?.abort(OVER);
    return entry;
  }

  private finish(id: string, outcome: ForwardOutcome, answered = false): void {
    this.take(id, answered)?.call.onDone(outcome);
  }
}

/**
 * A send that failed, as the request's outcome: a SentinelError stays as it is (an expired session is
 * resent). One without a wire form is mcp-sentinel's own failure, such as a sign-in the backend needs: the
 * aggregator tells it to the host as a tool result the model can act on (a JSON-RPC error otherwise), as
 * on every path. Anything else closed the request.
 */
function toSendError(backend: string, error: unknown): SentinelError {
  if (error instanceof SentinelError) return error;
  const why = error instanceof Error ? error.message : String(error);
  return new SentinelError('BACKEND_DOWN', `backend "${backend}" could not be written to: ${why}`, {
    backend,
    rpc: { code: RpcCode.ConnectionClosed },
    cause: error,
  });
}
