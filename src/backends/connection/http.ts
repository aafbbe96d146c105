/**
 * The forwarder's channel of a 2025-era remote session: the keep-alive HTTP channel (http-channel/) beside
 * the SDK transport that keeps the session (initialize, lists, the GET stream, renewal). The channel reads
 * the session's endpoint, id and protocol version from the connection on every send; replies that arrive
 * on the session's own streams (all of them for SSE) reach it through the demux, and whatever it declines
 * goes on to the SDK client.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { HttpForwardChannel, type HttpSession } from '../http-channel/channel.js';
import type { ForwardChannel } from '../forwarder/channel.js';
import type { BackendAuth } from '../types.js';
import type { Demux } from './demux.js';

interface SdkRemoteTransport extends Transport {
  readonly sessionId?: string;
  /** SSEClientTransport's endpoint: the one SDK internal read here (it has no public accessor). */
  readonly _endpoint?: URL;
}

export interface HttpChannelContext {
  backend: string;
  kind: 'streamable-http' | 'sse';
  url: URL;
  auth?: BackendAuth;
  maxResponseBytes: number;
}

/** The keep-alive channel for the session, or the demux itself when the session gives it nothing to use. */
export function httpChannel(transport: Transport, demux: Demux, context: HttpChannelContext): ForwardChannel {
  const remote = transport as SdkRemoteTransport;
  if (!context.auth || (context.kind === 'sse' && !remote._endpoint)) return demux;
  const session: HttpSession = {
    kind: context.kind,
    endpoint: () => (context.kind === 'sse' ? remote._endpoint : context.url),
    headers: () => {
      const headers: Record<string, string> = {};
      if (demux.protocolVersion) headers['mcp-protocol-version'] = demux.protocolVersion;
      if (context.kind === 'streamable-http' && remote.sessionId)
        headers['mcp-session-id'] = remote.sessionId;
      return headers;
    },
    passOn: (message) => demux.toClient(message),
  };
  const channel = new HttpForwardChannel({
    backend: context.backend,
    session,
    fetch: context.auth.fetch,
    maxResponseBytes: context.maxResponseBytes,
  });
  // Replies on the session's own streams (SSE: all of them) are offered to the channel's sink first.
  demux.attach({ message: (message) => channel.offer(message), failed: () => undefined });
  return channel;
}
