/**
 * The HttpForwardChannel of a 2025-era remote connection (connection/remote.ts), beside the SDK transport
 * that holds the session: the channel reads the session (URL or SSE endpoint, session id, protocol version)
 * from the transport and the demux on every send. Replies that arrive on the transport's own streams (all
 * of them for SSE) reach the forwarder through the demux, which offers every message to the same sink;
 * messages of a POST reply that are not the forwarder's go to the demux too, which hands them to the SDK
 * client.
 *
 * The SSE transport does not expose the endpoint the server gave it, so it is read from `_endpoint`, the one
 * SDK internal read here; while it is unknown, sends go through the demux (the SDK transport) instead.
 */
import type { FetchLike, Transport } from '@modelcontextprotocol/client';
import type { ForwardChannel } from '../forwarder/channel.js';
import { HttpForwardChannel, type HttpSession } from './channel.js';

export interface BindOptions {
  backend: string;
  kind: 'streamable-http' | 'sse';
  /** The server's URL as configured (Streamable HTTP POSTs go there). */
  url: URL;
  /** The backend's auth strategy fetch. */
  fetch: FetchLike;
  maxResponseBytes: number;
}

/** What the channel needs of the demux: its sink, its way to the SDK client, the negotiated version. */
export interface SharedTransport extends ForwardChannel {
  readonly protocolVersion?: string;
}

interface SdkRemoteTransport extends Transport {
  readonly sessionId?: string;
  /** SSEClientTransport's endpoint (not public API, see above). */
  readonly _endpoint?: URL;
}

export function httpChannelOf(
  transport: Transport,
  demux: SharedTransport,
  options: BindOptions,
): HttpForwardChannel {
  const remote = transport as SdkRemoteTransport;
  const session: HttpSession = {
    kind: options.kind,
    endpoint: () => (options.kind === 'sse' ? remote._endpoint : options.url),
    headers: () => {
      const headers: Record<string, string> = {};
      const version = demux.protocolVersion;
      if (version) headers['mcp-protocol-version'] = version;
      const id = options.kind === 'streamable-http' ? remote.sessionId : undefined;
      if (id) headers['mcp-session-id'] = id;
      return headers;
    },
    // The demux offers it to the sink (which declines it again) and hands it to the SDK client.
    passOn: (message) => transport.onmessage?.(message),
  };
  return new HttpForwardChannel({
    backend: options.backend,
    session,
    fetch: options.fetch,
    maxResponseBytes: options.maxResponseBytes,
    shared: demux,
  });
}
