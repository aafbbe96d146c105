/**
 * A ForwardChannel over a session object that speaks in requests rather than messages: the v2 SDK client
 * of a 2026-07-28 session (modern-session.ts), which turns `input_required` answers into retries itself.
 * Each forwarded request becomes one `request()` of the session, whose result, error and progress are
 * handed to the forwarder's sink as the messages a wire would have carried (progress under the forwarder's
 * own token, which the request carries); the forwarder's cancel aborts that request (the session tells
 * the backend).
 */
import { ProtocolError, type JSONRPCMessage } from '@modelcontextprotocol/client';
import type { ForwardChannel, ForwardSink, OutgoingMessage } from '../forwarder/channel.js';
import { sendFailure } from '../errors.js';
import type { BackendSession } from '../modern-session.js';
import { PASS_THROUGH } from '../pass-through.js';

/** The forwarder keeps the time; the session's own timeout must never come first. */
const NO_TIMEOUT_MS = 2 ** 31 - 1;

export class SessionChannel implements ForwardChannel {
  readonly modern = true;
  private sink?: ForwardSink;
  private readonly open = new Map<string, AbortController>();

  constructor(
    private readonly session: BackendSession,
    private readonly backend: string,
  ) {
    session.onprogress = (params) =>
      this.sink?.message({ jsonrpc: '2.0', method: 'notifications/progress', params } as JSONRPCMessage);
  }

  attach(sink: ForwardSink): void {
    this.sink = sink;
  }

  async send(message: OutgoingMessage, signal?: AbortSignal): Promise<void> {
    if (message.id === undefined) {
      if (message.method === 'notifications/cancelled') {
        this.open.get(String(message.params?.requestId))?.abort();
        return;
      }
      await this.session.notification({ method: message.method, params: message.params });
      return;
    }
    this.request(message.id, message, signal);
  }

  private request(id: string, message: OutgoingMessage, signal: AbortSignal | undefined): void {
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(), { once: true });
    this.open.set(id, controller);
    const deliver = (reply: Record<string, unknown>) =>
      this.sink?.message({ jsonrpc: '2.0', ...reply } as JSONRPCMessage);
    // The forwarder's progress token stays in `_meta`: its progress comes back through the session's
    // hook (set in the constructor), in order with the result.
    this.session
      .request({ method: message.method, params: message.params }, PASS_THROUGH, {
        signal: controller.signal,
        timeout: NO_TIMEOUT_MS,
      })
      .then(
        (result) => deliver({ id, result }),
        (error: unknown) => {
          if (controller.signal.aborted) return; // the forwarder is done with it
          if (error instanceof ProtocolError)
            deliver({ id, error: { code: error.code, message: error.message, data: error.data } });
          else this.sink?.failed(id, sendFailure(this.backend, error));
        },
      )
      .finally(() => this.open.delete(id));
  }
}
