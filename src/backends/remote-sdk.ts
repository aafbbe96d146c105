/**
 * The SDK's SSE and Streamable HTTP client transports, loaded on first use. They pull in an EventSource
 * client, PKCE and the SDK's OAuth client (~100 ms of imports), which a config of stdio servers never
 * needs; a desktop host waits for all of it before `initialize` is answered if it is imported eagerly.
 */
import type * as SseModule from '@modelcontextprotocol/sdk/client/sse.js';
import type * as StreamableModule from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export interface RemoteSdk {
  SSEClientTransport: typeof SseModule.SSEClientTransport;
  SseError: typeof SseModule.SseError;
  StreamableHTTPClientTransport: typeof StreamableModule.StreamableHTTPClientTransport;
  StreamableHTTPError: typeof StreamableModule.StreamableHTTPError;
}

let loaded: RemoteSdk | undefined;
let loading: Promise<RemoteSdk> | undefined;

export function loadRemoteSdk(): Promise<RemoteSdk> {
  loading ??= Promise.all([
    import('@modelcontextprotocol/sdk/client/sse.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
  ]).then(([sse, streamable]) => {
    loaded = {
      SSEClientTransport: sse.SSEClientTransport,
      SseError: sse.SseError,
      StreamableHTTPClientTransport: streamable.StreamableHTTPClientTransport,
      StreamableHTTPError: streamable.StreamableHTTPError,
    };
    return loaded;
  });
  return loading;
}

/** The transports if a remote backend has loaded them; undefined means no remote error can exist yet. */
export function remoteSdk(): RemoteSdk | undefined {
  return loaded;
}
