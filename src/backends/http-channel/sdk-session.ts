/**
 * Puts an HttpForwardChannel beside a connected SDK transport of a remote backend: the channel reads the
 * session (URL or SSE endpoint, session id, protocol version) from the transport on every send, and every
 * message the transport receives on its own streams is offered to the channel first, so replies of the
 * forwarder's requests that arrive there (all of them for SSE) reach it; the rest goes on to the SDK client
 * unchanged. Call it after the client has connected (the client sets `onmessage` in `connect`).
 *
 * The SSE transport does not expose the endpoint the server gave it, so it is read from `_endpoint`, the one
 * SDK internal read here; without it the channel has no session and the caller keeps the SDK path.
 */
import type { FetchLike, Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { HttpForwardChannel, type HttpSession } from './channel.js';

export interface BindOptions {
  backend: string;
  kind: 'streamable-http' | 'sse';
  /** The server's URL as configured (Streamable HTTP POSTs go there). */
  url: URL;
  fetch: FetchLike;
  maxResponseBytes: number;
  /** The protocol version negotiated at initialize. */
  protocolVersion(): string | undefined;
}

interface SdkRemoteTransport extends Transport {
  readonly sessionId?: string;
  /** SSEClientTransport's endpoint (not public API, see above). */
  readonly _endpoint?: URL;
}

export function bindHttpChannel(transport: Transport, options: BindOptions): HttpForwardChannel {
  const remote = transport as SdkRemoteTransport;
  const deliver = transport.onmessage?.bind(transport);
  const session: HttpSession = {
    kind: options.kind,
    endpoint: () => (options.kind === 'sse' ? remote._endpoint : options.url),
    headers: () => {
      const headers: Record<string, string> = {};
      const version = options.protocolVersion();
      if (version) headers['mcp-protocol-version'] = version;
      const id = options.kind === 'streamable-http' ? remote.sessionId : undefined;
      if (id) headers['mcp-session-id'] = id;
      return headers;
    },
    passOn: (message: JSONRPCMessage) => deliver?.(message),
  };
  const channel = new HttpForwardChannel({
    backend: options.backend,
    session,
    fetch: options.fetch,
    maxResponseBytes: options.maxResponseBytes,
  });
  transport.onmessage = (message, extra) => {
    if (!channel.offer(message)) deliver?.(message, extra);
  };
  return channel;
}
