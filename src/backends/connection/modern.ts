/**
 * A 2026-07-28 session as a Connection, for a remote backend (Streamable HTTP) and a stdio child alike:
 * the session through the v2 client (modern-session.ts), a request-level channel for the forwarder, and
 * the close and error wiring. What differs per transport comes in as `endpoint` (where the session runs)
 * and `child` (the stdio child, whose process mcp-sentinel still owns).
 */
import { SentinelError, describeError } from '../../errors.js';
import { MODERN_PROTOCOL_VERSION, openModernSession, type ModernSessionOptions } from '../modern-session.js';
import { clientCapabilities, routeNotification } from '../session.js';
import type { ChildStdioTransport } from '../stdio-transport.js';
import type { Connection, ConnectContext } from './connection.js';
import { SessionChannel } from './session-channel.js';

export interface ModernConnectionOptions {
  endpoint: Pick<ModernSessionOptions, 'url' | 'fetch' | 'stdio'>;
  /** The stdio child: its pid and why it closed are the connection's, and closing the connection ends it. */
  child?: ChildStdioTransport;
  /** What a transport error means beyond the log line: a lost connection to report, or nothing. */
  lostOn?: (error: Error) => { why: string; expired: boolean } | undefined;
}

export async function openModernConnection(
  context: ConnectContext,
  options: ModernConnectionOptions,
): Promise<Connection> {
  const session = await openModernSession({
    ...options.endpoint,
    capabilities: clientCapabilities(context.host),
    timeoutMs: context.startupTimeoutMs,
    relay: (method, params, signal) => context.host.request(method, params, signal),
    onNotification: (method, params) => routeNotification(context.events, method, params),
    warn: (message) => context.log.warn(message),
  });
  if (context.signal.aborted) {
    await session.close().catch(() => undefined);
    throw new SentinelError('BACKEND_DOWN', `backend "${context.name}" was stopped while connecting`);
  }
  context.log.debug('speaks the 2026-07-28 revision');
  const child = options.child;
  let closed = false;
  const connection: Connection = {
    kind: 'modern',
    session,
    channel: new SessionChannel(session, context.name),
    protocolVersion: MODERN_PROTOCOL_VERSION,
    get pid() {
      return child?.pid;
    },
    get closeReason() {
      return child?.closeReason;
    },
    async close() {
      closed = true;
      await session.close().catch(() => undefined);
      await child?.close();
    },
  };
  session.onclose = () => {
    if (!closed) connection.onclose?.();
  };
  session.onerror = (error) => {
    context.log.debug(`transport: ${describeError(error)}`);
    const lost = options.lostOn?.(error);
    if (lost && !closed) connection.onlost?.(lost.why, lost.expired);
  };
  return connection;
}
