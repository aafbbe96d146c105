/**
 * A stdio backend's connection: the child process (with its process tree, stdio-transport.ts), the SDK
 * client and the forwarder sharing its stdout (demux.ts). A child that dies before answering `initialize`
 * is reported with its last words on stderr.
 */
import { SentinelError, describeError } from '../../errors.js';
import type { StdioServerConfig } from '../../config/types.js';
import { isConnectionClosed, startFailure } from '../errors.js';
import { RpcCode } from '../forwarder/outcomes.js';
import { createClient } from '../session.js';
import { ChildStdioTransport } from '../stdio-transport.js';
import { childEnvironment } from '../transports.js';
import type { Connection, ConnectContext } from './connection.js';
import { Demux } from './demux.js';

export async function openStdio(server: StdioServerConfig, context: ConnectContext): Promise<Connection> {
  const transport = new ChildStdioTransport({
    command: server.command,
    args: server.args ?? [],
    env: childEnvironment(server, context.environment),
    cwd: server.cwd,
    log: context.log,
  });
  const demux = new Demux(
    transport,
    (error) =>
      new SentinelError(
        'BACKEND_DOWN',
        `backend "${context.name}" could not be written to: ${describeError(error)}`,
        {
          backend: context.name,
          rpc: { code: RpcCode.ConnectionClosed },
          cause: error,
        },
      ),
  );
  const client = createClient(context.host, context.events);
  const abandon = () => void transport.close();
  context.signal.addEventListener('abort', abandon, { once: true });
  try {
    await client.connect(demux.clientSide, { timeout: context.startupTimeoutMs });
  } catch (error) {
    // The child's last words say why it failed.
    const stderr = isConnectionClosed(error) ? await transport.finalStderr() : [];
    await transport.close();
    throw startFailure(context.name, error, context.startupTimeoutMs, server, stderr);
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
