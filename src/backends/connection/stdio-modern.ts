/**
 * The era step of a stdio connection: the child is asked for `server/discover` (stdio-era.ts) unless the
 * entry or an earlier session says it speaks the 2025 era. A child that offers 2026-07-28 gets a session
 * through the v2 client on the same transport (the process tree, stderr drain and restarts stay ours), with
 * the discover answer adopted; otherwise stdio.ts goes on with `initialize`, on a fresh child when the
 * first one exited on the question.
 */
import type { StdioServerConfig } from '../../config/types.js';
import { clientCapabilities } from '../session.js';
import { discoverStdioEra, type DiscoverResult } from '../stdio-era.js';
import type { ChildStdioTransport } from '../stdio-transport.js';
import type { Connection, ConnectContext } from './connection.js';
import { openModernConnection } from './modern.js';

/** The longest a child is waited for to answer `server/discover`. */
const ERA_PROBE_MS = 5_000;

/**
 * Whether to ask before `initialize`: when the entry says "protocol": "2026-07-28", or an earlier session
 * (or the cached manifest) found a server that speaks only 2026-07-28. Otherwise `initialize` comes first
 * (stdio.ts), and only a refusal of it leads to the question: a server of both eras is spoken to in the
 * 2025 era, whose tools may still send requests to the client themselves (sampling, elicitation), which
 * the 2026-07-28 revision cannot carry, and a 2025-era server is never asked a question it may exit on
 * (a fresh child for `initialize` then).
 */
export function asksEra(server: StdioServerConfig, context: ConnectContext): boolean {
  if (server.protocol === '2025-11-25') return false;
  return server.protocol === '2026-07-28' || context.knownEra === 'modern';
}

/** Whether a refused `initialize` is worth the question (the entry does not pin the 2025 era). */
export function asksAfterRefusal(server: StdioServerConfig): boolean {
  return server.protocol !== '2025-11-25';
}

/**
 * Asks the started-on-demand child which era it speaks. Half the startup budget at most: a 2025-era child
 * that ignores the question still has time for `initialize`.
 */
export async function withEra(
  transport: ChildStdioTransport,
  context: ConnectContext,
  respawn: () => ChildStdioTransport,
): Promise<{ connection: Connection } | { transport: ChildStdioTransport }> {
  const era = await discoverStdioEra(transport, {
    timeoutMs: Math.min(context.startupTimeoutMs / 2, ERA_PROBE_MS),
    capabilities: clientCapabilities(context.host),
  });
  if (era.kind === 'modern') return { connection: await openModernStdio(transport, era.discover, context) };
  context.log.debug(`speaks the 2025 era: ${era.why}`);
  if (!era.exited) return { transport };
  await transport.close();
  return { transport: respawn() };
}

function openModernStdio(
  transport: ChildStdioTransport,
  discover: DiscoverResult,
  context: ConnectContext,
): Promise<Connection> {
  return openModernConnection(context, { endpoint: { stdio: { transport, discover } }, child: transport });
}
