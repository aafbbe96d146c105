/**
 * Which protocol era a stdio backend speaks, found on its own pipe before any session opens: a
 * `server/discover` request (with the 2026-07-28 `_meta` envelope) is the first thing the child reads. A
 * server that offers 2026-07-28 answers it with its capabilities, which the v2 client then adopts without
 * another round trip (modern-session.ts); anything else (an error, silence until the timeout, or the child
 * exiting because it does not accept requests before `initialize`) means the 2025 era.
 *
 * The probe runs on the child mcp-sentinel manages (ChildStdioTransport), not on a sibling process: the
 * process tree, stderr drain and restarts stay ours. A child that exited on the probe is reported as such,
 * and the caller spawns a fresh one for `initialize`.
 *
 * What this module does not own: opening either session, and remembering the verdict (the Backend keeps
 * the era of its last session, and the manifest cache the era of its last listing).
 */
import type { ClientCapabilities, DiscoverResult, JSONRPCMessage } from '@modelcontextprotocol/client';
import { VERSION } from '../version.js';
import { MODERN_PROTOCOL_VERSION } from './modern-session.js';
import type { ChildStdioTransport } from './stdio-transport.js';

export type { DiscoverResult };

export type StdioEra =
  | { kind: 'modern'; discover: DiscoverResult }
  /** `exited`: the child is gone (it refused the probe by exiting); a fresh one is needed. */
  | { kind: 'legacy'; exited: boolean; why: string };

export interface StdioEraOptions {
  timeoutMs: number;
  /** The client capabilities the sessions will declare (part of the 2026-07-28 envelope). */
  capabilities: ClientCapabilities;
}

const PROBE_ID = 'sentinel-server-discover';
// The 2026-07-28 envelope keys (the v2 packages export them; importing those here would load the v2 client
// on every start, before the era is known).
const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';
const CLIENT_INFO_META_KEY = 'io.modelcontextprotocol/clientInfo';
const CLIENT_CAPABILITIES_META_KEY = 'io.modelcontextprotocol/clientCapabilities';

/**
 * Starts the transport and asks the child for `server/discover`. On return the transport is started and
 * free of handlers, and its next `start()` is a no-op, so either SDK client can connect to it as it is.
 * Rejects only when the child cannot be started at all (the spawn error, as `initialize` would have).
 */
export async function discoverStdioEra(
  transport: ChildStdioTransport,
  options: StdioEraOptions,
): Promise<StdioEra> {
  let settle: (era: StdioEra) => void = () => undefined;
  const verdict = new Promise<StdioEra>((resolve) => (settle = resolve));
  transport.onmessage = (message) => {
    if ('id' in message && message.id === PROBE_ID && !('method' in message)) settle(classify(message));
  };
  transport.onclose = () => settle({ kind: 'legacy', exited: true, why: 'it exited on server/discover' });
  transport.onerror = () => undefined; // a failed write shows as the close that follows it
  await transport.start();
  const timer = setTimeout(
    () =>
      settle({
        kind: 'legacy',
        exited: false,
        why: `no answer to server/discover in ${options.timeoutMs} ms`,
      }),
    options.timeoutMs,
  );
  transport.send(probeRequest(options.capabilities)).catch(() => undefined);
  const era = await verdict;
  clearTimeout(timer);
  transport.onmessage = undefined;
  transport.onclose = undefined;
  transport.onerror = undefined;
  if (era.kind === 'modern' || !era.exited) startOnce(transport);
  return era;
}

function probeRequest(capabilities: ClientCapabilities): JSONRPCMessage {
  return {
    jsonrpc: '2.0',
    id: PROBE_ID,
    method: 'server/discover',
    params: {
      _meta: {
        [PROTOCOL_VERSION_META_KEY]: MODERN_PROTOCOL_VERSION,
        [CLIENT_INFO_META_KEY]: { name: 'mcp-sentinel', version: VERSION },
        [CLIENT_CAPABILITIES_META_KEY]: capabilities,
      },
    },
  };
}

/** Only a result that offers 2026-07-28 is modern evidence; every error is the 2025 era's "no such method". */
function classify(message: JSONRPCMessage): StdioEra {
  const result = 'result' in message ? (message.result as Record<string, unknown>) : undefined;
  const versions = result?.supportedVersions;
  if (
    Array.isArray(versions) &&
    versions.includes(MODERN_PROTOCOL_VERSION) &&
    typeof result?.capabilities === 'object'
  )
    return { kind: 'modern', discover: result as DiscoverResult };
  const why =
    'error' in message
      ? `server/discover answered ${message.error.code} ${message.error.message}`
      : 'server/discover offers no 2026-07-28 revision';
  return { kind: 'legacy', exited: false, why };
}

/** The client's `connect()` starts its transport: this one is already running. */
function startOnce(transport: ChildStdioTransport): void {
  const start = transport.start;
  transport.start = () => {
    transport.start = start;
    return Promise.resolve();
  };
}
