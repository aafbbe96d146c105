/**
 * The last stage of the host pipeline: the Transport its end (host-peer.ts in `serve`; an SDK server
 * would do too) is connected to. The host transport stays the pipeline's; this link only hands the end
 * what reached it (`deliver`) and passes what the end sends (responses, notifications, reverse requests)
 * back to the host.
 *
 * The end numbers its requests to the host from 0 (as the SDK does), and a host built on the v1 SDK ignores the
 * cancellation of request 0 (it tests the id for truth): on the wire they are numbered from 1, and the
 * host's answers are numbered back.
 */
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';

export class SdkLink implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private closed = false;

  constructor(private readonly toHost: (message: JSONRPCMessage) => Promise<void>) {}

  async start(): Promise<void> {}

  send(message: JSONRPCMessage): Promise<void> {
    if ('method' in message) {
      if ('id' in message && typeof message.id === 'number') message = { ...message, id: message.id + 1 };
      else if (message.method === 'notifications/cancelled') message = withRequestIdShifted(message, 1);
    }
    return this.toHost(message);
  }

  /** Hands a message of the host to the end of the pipeline. */
  readonly deliver = (message: JSONRPCMessage): void => {
    // A response of the host answers one of the SDK's requests.
    if (!('method' in message) && typeof message.id === 'number')
      message = { ...message, id: message.id - 1 };
    this.onmessage?.(message);
  };

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}

/** The SDK's `notifications/cancelled` of one of its requests, naming that request as the wire numbers it. */
function withRequestIdShifted(message: JSONRPCMessage, by: number): JSONRPCMessage {
  const params = (message as { params?: { requestId?: unknown } }).params;
  if (typeof params?.requestId !== 'number') return message;
  return { ...message, params: { ...params, requestId: params.requestId + by } } as JSONRPCMessage;
}
