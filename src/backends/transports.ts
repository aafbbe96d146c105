/**
 * Builds the client transport of one backend from its resolved entry: a child process for stdio, the SDK's
 * SSE or Streamable HTTP transport (with the backend's own auth fetch) for remote servers, whose failures
 * come out typed (remote-errors.ts).
 */
import {
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type FetchLike,
  type Transport,
} from '@modelcontextprotocol/client';
import { getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import { isStdioServer, type ServerConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { ChildStdioTransport } from './stdio-transport.js';
import { reconnection, typedPostFailures } from './remote-errors.js';
import type { BackendAuth } from './types.js';
import { guardFetch } from './http-guard.js';
import { scopeSends } from './request-scope.js';

export function childEnvironment(
  server: { env?: Record<string, string>; inheritEnv?: string[] },
  environment: Record<string, string | undefined>,
): Record<string, string> {
  const env: Record<string, string> = { ...getDefaultEnvironment() };
  for (const name of server.inheritEnv ?? []) {
    const value = Object.hasOwn(environment, name) ? environment[name] : undefined;
    if (typeof value === 'string') env[name] = value;
  }
  return { ...env, ...server.env };
}

const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export async function createTransport(
  server: ServerConfig,
  options: {
    log: Logger;
    environment: Record<string, string | undefined>;
    auth?: BackendAuth;
    /** The cap on each response body of a remote backend (settings.maxResponseBytes). */
    maxResponseBytes?: number;
    /** The backend's name, for errors. */
    backend?: string;
    /** Wraps the fetch of an SSE session's event stream (http-channel/event-stream-tap.ts). */
    tapEventStream?: (fetch: FetchLike) => FetchLike;
  },
): Promise<Transport> {
  if (isStdioServer(server)) {
    return new ChildStdioTransport({
      command: server.command,
      args: server.args ?? [],
      env: childEnvironment(server, options.environment),
      cwd: server.cwd,
      log: options.log,
    });
  }
  const url = new URL(server.url);
  const fetch = guardFetch(options.auth?.fetch ?? globalThis.fetch, {
    backend: options.backend ?? url.host,
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    log: options.log,
  });
  let transport: Transport;
  if (server.type === 'sse')
    transport = new SSEClientTransport(url, {
      fetch: typedPostFailures(fetch),
      eventSourceInit: { fetch: options.tapEventStream?.(fetch) ?? fetch },
    });
  else
    transport = new StreamableHTTPClientTransport(url, {
      fetch,
      ...reconnection((error) => transport.onerror?.(error)),
    });
  scopeSends(transport);
  return transport;
}
