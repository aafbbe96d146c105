/**
 * A stdio backend's connection: the child process (with its process tree, stdio-transport.ts), the SDK
 * client and the forwarder sharing its stdout (demux.ts). A child that dies before answering `initialize`
 * is reported with its last words on stderr.
 */
import { SentinelError, describeError } from '../../errors.js';
import type { StdioServerConfig } from '../../config/types.js';
import { isConnectionClosed, mayBeModernOnly, startFailure } from '../errors.js';
import { RpcCode } from '../forwarder/outcomes.js';
import { createClient } from '../session.js';
import { ChildStdioTransport } from '../stdio-transport.js';
import { childEnvironment } from '../transports.js';
import type { Connection, ConnectContext } from './connection.js';
import { Demux } from './demux.js';
import { launchSpec, takeChild } from '../prespawn.js';
import { asksAfterRefusal, asksEra, withEra } from './stdio-modern.js';

export async function openStdio(server: StdioServerConfig, context: ConnectContext): Promise<Connection> {
  const spawnChild = () =>
    new ChildStdioTransport({
      command: server.command,
      args: server.args ?? [],
      env: childEnvironment(server, context.environment),
      cwd: server.cwd,
      log: context.log,
      graceMs: context.stopGraceMs,
    });
  // A child the warm start spawned for this backend's first call, when it was started the same way.
  const env = childEnvironment(server, context.environment);
  let transport = takeChild(context.name, launchSpec(server, env)) ?? spawnChild();
  const abandon = () => void transport.close();
  context.signal.addEventListener('abort', abandon, { once: true });
  // One startup budget for the era question (stdio-modern.ts) and `initialize`: a hung child fails in time.
  const deadline = performance.now() + context.startupTimeoutMs;
  const client = createClient(context.host, context.events);
  let demux!: Demux;
  let asked = false;
  try {
    if (asksEra(server, context)) {
      asked = true;
      const era = await withEra(transport, context, spawnChild);
      if ('connection' in era) return era.connection;
      transport = era.transport;
    }
    demux = new Demux(transport, (error) => writeFailure(context.name, error), true);
    const timeout = Math.max(1, Math.round(deadline - performance.now()));
    await client.connect(demux.clientSide, { timeout });
  } catch (error) {
    // The child's last words say why it failed.
    const stderr = isConnectionClosed(error) ? await transport.finalStderr() : [];
    await transport.close();
    const failure = startFailure(context.name, error, context.startupTimeoutMs, server, stderr);
    if (asked || !asksAfterRefusal(server) || !mayBeModernOnly(error) || context.signal.aborted)
      throw failure;
    // `initialize` refused: a server of 2026-07-28 only. A fresh child is asked which era it speaks.
    transport = spawnChild();
    const era = await withEra(transport, context, spawnChild).catch(() => undefined);
    if (era && 'connection' in era) return era.connection;
    await (era?.transport ?? transport).close();
    throw failure;
  } finally {
    context.signal.removeEventListener('abort', abandon);
  }
  let closed = false;
  const connection: Connection = {
    kind: 'stdio',
    session: client,
    channel: demux,
    get protocolVersion() {
      return demux.protocolVersion;
    },
    get pid() {
      return transport.pid;
    },
    get closeReason() {
      return transport.closeReason;
    },
    close() {
      closed = true;
      return transport.close();
    },
  };
  demux.onclose = () => {
    if (!closed) connection.onclose?.();
  };
  demux.onerror = (error) => context.log.debug(`transport: ${describeError(error)}`);
  return connection;
}

/** A message that could not be written to the child: the request it carried has failed. */
function writeFailure(backend: string, error: unknown): SentinelError {
  return new SentinelError(
    'BACKEND_DOWN',
    `backend "${backend}" could not be written to: ${describeError(error)}`,
    {
      backend,
      rpc: { code: RpcCode.ConnectionClosed },
      cause: error,
    },
  );
}
