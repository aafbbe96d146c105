/**
 * The fast path for `tools/call` to a stdio backend: the host's request is written to the backend with
 * only its id, tool name and progress token swapped, and the backend's reply goes back with the host's id.
 * It skips the SDK's Protocol on both sides (a per-request AbortController, timers, promise chains and
 * schema parses on the server and on the client), which cost more than the whole relay per call.
 *
 * What the slow path guarantees, this keeps: exactly one outcome per call (result, error, timeout, cancel or
 * the backend going away), progress relayed in order under the host's token before the result, the
 * per-backend timeout reset by progress with a total cap, and cancellation passed on to the backend.
 * Ids are strings ("sentinel-N"), so they never collide with the SDK client's numeric ids on the same
 * connection; anything not addressed to this table goes on to the SDK client untouched.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** What the caller gets back: exactly one of these per call. */
export type PassthroughOutcome =
  { result: Record<string, unknown> } | { error: { code: number; message: string; data?: unknown } };

export interface PassthroughCall {
  /** The request params as the host sent them (name already mapped to the backend's own). */
  params: Record<string, unknown>;
  /** The host's progress token, when the host asked for progress. */
  hostProgressToken?: string | number;
  timeoutMs: number;
  maxTotalMs: number;
  onProgress(params: Record<string, unknown>): void;
  onDone(outcome: PassthroughOutcome): void;
}

interface InFlight {
  call: PassthroughCall;
  timer: NodeJS.Timeout;
  deadline: number;
}

const PREFIX = 'sentinel-';

export class PassthroughTable {
  private next = 0;
  private readonly inFlight = new Map<string, InFlight>();

  constructor(
    private readonly transport: Transport,
    private readonly backend: string,
  ) {}

  /** Sends the call; returns a handle that cancels it (no outcome is reported after a cancel). */
  send(call: PassthroughCall): () => void {
    const id = `${PREFIX}${++this.next}`;
    const meta = { ...(call.params._meta as Record<string, unknown> | undefined) };
    delete meta.progressToken;
    if (call.hostProgressToken !== undefined) meta.progressToken = id;
    const params = { ...call.params, _meta: meta };
    const entry: InFlight = {
      call,
      timer: this.arm(id, call.timeoutMs),
      deadline: Date.now() + call.maxTotalMs,
    };
    this.inFlight.set(id, entry);
    const failed = (error: unknown) =>
      this.finish(id, {
        error: {
          code: ErrorCode.ConnectionClosed,
          message: `backend "${this.backend}" could not be written to: ${String((error as Error)?.message ?? error)}`,
        },
      });
    try {
      this.transport
        .send({ jsonrpc: '2.0', id, method: 'tools/call', params } as JSONRPCMessage)
        .catch(failed);
    } catch (error) {
      // A transport that throws instead of rejecting must not take the process down (nor leave the call).
      failed(error);
    }
    return () => {
      if (this.take(id)) this.cancelAtBackend(id, 'cancelled by the host');
    };
  }

  /** Offers a message from the backend; true when it belonged to this table (and was handled). */
  handle(message: JSONRPCMessage): boolean {
    if ('id' in message && !('method' in message)) {
      const id = message.id;
      if (typeof id !== 'string' || !id.startsWith(PREFIX)) return false;
      if ('result' in message) this.finish(id, { result: message.result as Record<string, unknown> });
      else if ('error' in message) this.finish(id, { error: message.error });
      return true;
    }
    if ('method' in message && message.method === 'notifications/progress') {
      const token = (message.params as { progressToken?: unknown } | undefined)?.progressToken;
      if (typeof token !== 'string' || !token.startsWith(PREFIX)) return false;
      const entry = this.inFlight.get(token);
      if (!entry || entry.call.hostProgressToken === undefined) return true;
      clearTimeout(entry.timer);
      entry.timer = this.arm(token, Math.min(entry.call.timeoutMs, Math.max(0, entry.deadline - Date.now())));
      entry.call.onProgress({ ...message.params, progressToken: entry.call.hostProgressToken });
      return true;
    }
    return false;
  }

  /** Ends every call in flight with `message` (the connection is gone). */
  failAll(message: string): void {
    for (const id of [...this.inFlight.keys()]) {
      this.finish(id, { error: { code: ErrorCode.ConnectionClosed, message } });
    }
  }

  get size(): number {
    return this.inFlight.size;
  }

  private arm(id: string, ms: number): NodeJS.Timeout {
    return setTimeout(() => {
      if (!this.inFlight.has(id)) return;
      this.cancelAtBackend(id, 'timed out');
      this.finish(id, {
        error: { code: ErrorCode.RequestTimeout, message: `backend "${this.backend}": Request timed out` },
      });
    }, ms);
  }

  private cancelAtBackend(id: string, reason: string): void {
    void this.transport
      .send({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: id, reason },
      } as JSONRPCMessage)
      .catch(() => undefined);
  }

  private take(id: string): InFlight | undefined {
    const entry = this.inFlight.get(id);
    if (!entry) return undefined;
    this.inFlight.delete(id);
    clearTimeout(entry.timer);
    return entry;
  }

  private finish(id: string, outcome: PassthroughOutcome): void {
    this.take(id)?.call.onDone(outcome);
  }
}
