/**
 * The last stage of the host pipeline: the Transport the SDK server is connected to. The host transport
 * stays the pipeline's; this link only hands the SDK what reached the end of the pipeline (`deliver`)
 * and passes what the SDK sends (responses, notifications, reverse requests) back to the host.
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
    return this.toHost(message);
  }

  /** Hands a message of the host to the SDK server. */
  readonly deliver = (message: JSONRPCMessage): void => {
    this.onmessage?.(message);
  };

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
}
