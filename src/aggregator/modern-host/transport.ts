/**
 * The transport mcp-sentinel's 2025-era SDK server is connected to: the host's stdio transport, with
 * everything the server sends passing through the gateway first (which hands it on unchanged unless the
 * host speaks the 2026-07-28 revision). What the host sends does not come this way: `serve` routes it.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ModernHostGateway } from './index.js';

export class GatewayTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  constructor(
    private readonly inner: Transport,
    private readonly gateway: ModernHostGateway,
  ) {}

  async start(): Promise<void> {
    this.inner.onclose = () => this.onclose?.();
    this.inner.onerror = (error) => this.onerror?.(error);
    await this.inner.start();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return this.gateway.send(message as never);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
