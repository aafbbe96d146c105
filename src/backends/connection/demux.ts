/**
 * One backend transport shared by the SDK client and the forwarder. The connection owns the transport's
 * callbacks: every message from the backend is offered to the forwarder's sink first (its ids and
 * progress tokens), and whatever the sink declines goes to the SDK client, which is connected to
 * `clientSide`, a Transport of its own, instead of the real one. So nothing of the SDK's objects is
 * patched: the protocol version the client negotiates is seen as it passes, and responses to the client
 * are delivered a little later (see below).
 */
import type { JSONRPCMessage, MessageExtraInfo, Transport } from '@modelcontextprotocol/client';
import { sendingWith } from '../request-scope.js';
import type { ForwardChannel, ForwardSink, OutgoingMessage } from '../forwarder/channel.js';
import type { SentinelError } from '../../errors.js';

export class Demux implements ForwardChannel {
  readonly clientSide: Transport;
  /** The protocol version the SDK client negotiated, once it has. */
  protocolVersion?: string;
  /** The transport ended (after the SDK client has been told). */
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private sink?: ForwardSink;

  constructor(
    private readonly transport: Transport,
    /** Turns a failed send into the error the forwarder acts on (an expired session, a lost connection). */
    private readonly sendFailure: (error: unknown) => SentinelError,
    /** The transport has no request to abort (stdio): see ForwardChannel.unsignalled. */
    readonly unsignalled = false,
  ) {
    const client: Transport = {
      start: () => transport.start(),
      send: (message, options) => transport.send(message, options),
      close: () => transport.close(),
      setProtocolVersion: (version) => {
        this.protocolVersion = version;
        transport.setProtocolVersion?.(version);
      },
      get sessionId() {
        return transport.sessionId;
      },
    };
    this.clientSide = client;
    transport.onmessage = (message, extra) => {
      if (!this.sink?.message(message)) this.toClient(message, extra);
    };
    transport.onclose = () => {
      client.onclose?.();
      this.onclose?.();
    };
    transport.onerror = (error) => {
      client.onerror?.(error);
      this.onerror?.(error);
    };
  }

  /** Hands a message to the SDK client (responses a little later, see isResponse). */
  toClient(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    const deliver = this.clientSide.onmessage;
    if (!deliver) return;
    if (isResponse(message)) queueMicrotask(() => queueMicrotask(() => deliver(message, extra)));
    else deliver(message, extra);
  }

  attach(sink: ForwardSink): void {
    this.sink = sink;
  }

  send(message: OutgoingMessage, signal?: AbortSignal): Promise<void> {
    let sent: Promise<void>;
    try {
      // The HTTP transports tie the request's fetch to `signal` (request-scope.ts).
      const rpc = message as JSONRPCMessage;
      sent = signal ? sendingWith(signal, () => this.transport.send(rpc)) : this.transport.send(rpc);
    } catch (error) {
      return Promise.reject(this.sendFailure(error));
    }
    return sent.catch((error: unknown) => {
      throw this.sendFailure(error);
    });
  }
}

/**
 * The SDK client dispatches responses synchronously but notifications a microtask later, so a final
 * progress notification that arrives in the same chunk as the result is dropped (typescript-sdk #2580).
 * Delivering responses two microtasks later lets every earlier notification be handled first.
 */
function isResponse(message: JSONRPCMessage): boolean {
  return 'id' in message && !('method' in message);
}
