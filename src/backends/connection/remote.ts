/**
 * A remote backend's connection. A 2025-era session goes through the SDK's SSE or Streamable HTTP client
 * transport, shared by the SDK client and the forwarder (demux.ts); a Streamable HTTP server that refuses
 * the 2025-era `initialize` is asked for the 2026-07-28 revision (modern-session.ts) before the refusal is
 * reported, and one configured with `protocol: "2026-07-28"` is asked for it first. Transport errors that
 * mean the session is gone although nothing closed it are reported as `onlost`, for a renewal.
 */
import { SdkHttpError, SseError } from '@modelcontextprotocol/client';
import { SentinelError, describeError } from '../../errors.js';
import type { HttpServerConfig } from '../../config/types.js';
import {
  describeCause,
  isConnectionLost,
  isReconnectGiveUp,
  mayBeModernOnly,
  sendFailure,
  startFailure,
} from '../errors.js';
import { createClient } from '../session.js';
import { createTransport } from '../transports.js';
import { guardFetch } from '../http-guard.js';
import type { Connection, ConnectContext } from './connection.js';
import { Demux } from './demux.js';
import { httpChannelOf } from '../http-channel/sdk-session.js';
import { EventStreamTap } from '../http-channel/event-stream-tap.js';
import { openModernConnection } from './modern.js';

/** A courtesy to the server (DELETE of the session): never worth holding up the shutdown for long. */
const GOODBYE_MS = 2_000;

export async function openRemote(server: HttpServerConfig, context: ConnectContext): Promise<Connection> {
  const streamable = server.type !== 'sse';
  if (streamable && server.protocol === '2026-07-28') {
    // Asked to speak 2026-07-28 first: the 2025 era only when the server does not offer it.
    const modern = await openModern(server, context).catch((error: unknown) => {
      if (error instanceof SentinelError) throw error;
      context.log.debug(`no 2026-07-28 revision, initializing: ${describeError(error)}`);
      return undefined;
    });
    if (modern) return modern;
  }
  try {
    return await openLegacy(server, context);
  } catch (error) {
    const failure = () => startFailure(context.name, error, context.startupTimeoutMs, server);
    if (!streamable || !mayBeModernOnly(error) || server.protocol) throw failure();
    const modern = await openModern(server, context).catch((modernError: unknown) => {
      context.log.debug(`not a 2026-07-28 server either: ${describeError(modernError)}`);
      return undefined;
    });
    if (!modern) throw failure();
    return modern;
  }
}

async function openLegacy(server: HttpServerConfig, context: ConnectContext): Promise<Connection> {
  // An SSE session's messages are read off its event stream by us, not the SDK (event-stream-tap.ts).
  const tap = server.type === 'sse' ? new EventStreamTap() : undefined;
  const transport = await createTransport(server, {
    log: context.log,
    environment: context.environment,
    auth: context.auth,
    maxResponseBytes: context.maxResponseBytes,
    backend: context.name,
    tapEventStream: tap && ((fetch) => tap.wrap(fetch)),
  });
  const demux = new Demux(transport, (error) => sendFailure(context.name, error));
  if (tap) tap.deliver = (message) => transport.onmessage?.(message);
  const client = createClient(context.host, context.events);
  const abandon = () => void client.close().catch(() => undefined);
  context.signal.addEventListener('abort', abandon, { once: true });
  try {
    await client.connect(demux.clientSide, { timeout: context.startupTimeoutMs });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  } finally {
    context.signal.removeEventListener('abort', abandon);
  }
  let closed = false;
  const kind = server.type === 'sse' ? 'sse' : 'streamable-http';
  // Forwarded requests take the keep-alive HTTP path; the SDK transport keeps the session and its streams.
  const channel = context.auth
    ? httpChannelOf(transport, demux, {
        backend: context.name,
        kind,
        url: new URL(server.url),
        fetch: context.auth.fetch,
        maxResponseBytes: context.maxResponseBytes,
      })
    : undefined;
  const connection: Connection = {
    kind,
    session: client,
    channel: channel ?? demux,
    get protocolVersion() {
      return demux.protocolVersion;
    },
    async close() {
      closed = true;
      await client.close().catch(() => undefined);
    },
  };
  demux.onclose = () => {
    if (!closed) connection.onclose?.();
  };
  if (channel) channel.onlost = (why) => !closed && connection.onlost?.(why, false);
  demux.onerror = (error) => {
    context.log.debug(`transport: ${describeError(error)}`);
    const lost = whyLost(error, transport.sessionId !== undefined);
    if (lost && !closed) connection.onlost?.(lost.why, lost.expired);
  };
  const terminate = (transport as { terminateSession?: () => Promise<void> }).terminateSession;
  if (terminate) {
    connection.goodbye = () =>
      withTimeout(
        terminate.call(transport).catch(() => undefined),
        GOODBYE_MS,
      );
  }
  return connection;
}

/** Transport errors that mean the session is gone even though nothing closed it. */
function whyLost(error: Error, hasSession: boolean): { why: string; expired: boolean } | undefined {
  // An SSE backend's session lives and dies with its stream (idle timeout, server restart).
  if (error instanceof SseError) return { why: 'its event stream ended', expired: false };
  if (error instanceof SdkHttpError && error.status === 404 && hasSession)
    return { why: 'session expired', expired: true };
  // The Streamable HTTP event stream could not be reopened: the server is most likely gone.
  if (isReconnectGiveUp(error) || isConnectionLost(error))
    return { why: `is unreachable (${describeCause(error)})`, expired: false };
  return undefined;
}

/** A 2026-07-28 session in place of the 2025-era one that was refused; its fetch is guarded as the SDK's is. */
function openModern(server: HttpServerConfig, context: ConnectContext): Promise<Connection> {
  const fetch = guardFetch(context.auth?.fetch ?? globalThis.fetch, {
    backend: context.name,
    maxResponseBytes: context.maxResponseBytes,
    log: context.log,
    rpcErrorBodies: true,
  });
  return openModernConnection(context, {
    endpoint: { url: new URL(server.url), fetch },
    lostOn: (error) => whyLost(error, false),
  });
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
