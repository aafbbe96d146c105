/**
 * One open session with a backend, whatever its transport: the SDK client for `initialize`, lists and
 * reverse requests (`session`), the channel the forwarder sends on (`channel`), and the transport's own
 * facts (process id, why it ended). stdio.ts and remote.ts open them; backend.ts uses only this interface,
 * so it never asks which transport it has.
 */
import type { Logger } from '../../log.js';
import type { ForwardChannel } from '../forwarder/channel.js';
import type { BackendSession } from '../modern-session.js';
import type { SessionEvents } from '../session.js';
import type { BackendAuth, HostBridge } from '../types.js';

export type ConnectionKind = 'stdio' | 'sse' | 'streamable-http' | 'modern';

export interface Connection {
  readonly kind: ConnectionKind;
  readonly session: BackendSession;
  readonly channel: ForwardChannel;
  /** The protocol revision the session speaks. */
  readonly protocolVersion?: string;
  /** The child's process id (stdio). */
  readonly pid?: number;
  /** Why the connection ended, in words that fit after the backend's name; undefined while it is open. */
  readonly closeReason?: string;
  /** The connection ended by itself (the process exited, the stream closed); not called after close(). */
  onclose?: () => void;
  /**
   * The session is gone although nothing closed it (an event stream ended, the server forgot the session,
   * the server is unreachable): the backend renews it. `expired`: the server no longer knows it, so
   * requests cut off by the renewal never ran and may be sent again.
   */
  onlost?: (why: string, expired: boolean) => void;
  /** Tells a remote server the session ends (Streamable HTTP: DELETE), briefly; for a shutdown. */
  goodbye?: () => Promise<void>;
  /** Ends the session and its process tree, if any. */
  close(): Promise<void>;
}

/** What opening a connection needs from the backend. */
export interface ConnectContext {
  name: string;
  log: Logger;
  host: HostBridge;
  events: SessionEvents;
  environment: Record<string, string | undefined>;
  auth?: BackendAuth;
  maxResponseBytes: number;
  /** The bound on `initialize` (longer for a package runner's first start). */
  startupTimeoutMs: number;
  /** How long a stdio backend's process tree gets after stdin EOF, and after SIGTERM (settings.stopGraceMs). */
  stopGraceMs: number;
  /** Aborted when the attempt is superseded (a stop, a reload): the connection being opened closes. */
  signal: AbortSignal;
  /** The era the backend's last session (or its cached manifest) spoke, if known (stdio-modern.ts). */
  knownEra?: 'modern' | 'legacy';
}

/** What a connection's server said of itself at `initialize`, as a Backend keeps it. */
export function identityOf(connection: Connection) {
  const session = connection.session;
  return {
    protocolVersion: connection.protocolVersion,
    serverInfo: session.getServerVersion(),
    serverCapabilities: session.getServerCapabilities(),
    instructions: session.getInstructions(),
  };
}
