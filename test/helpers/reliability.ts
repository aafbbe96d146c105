/**
 * Shared pieces of the reliability tests: fixture-server entries with behaviour tools, a reader of the
 * fixture's event record, and raw JSON-RPC over the host's stdio.
 */
import { readFileSync, existsSync } from 'node:fs';
import type { TestHost } from './host.js';
import { fixtureServerArgs } from './paths.js';
import { fixtureServer, startHttpServer } from './servers.js';
import { waitFor } from './wait.js';

/** The fixture server with its behaviour tools (slow, hang, crash, ...) listed besides the plain ones. */
export function behaviourServer(
  name: string,
  env: Record<string, string> = {},
  extra: Record<string, unknown> = {},
) {
  return fixtureServer(name, { FIXTURE_SPECIAL: '1', ...env }, extra);
}

/** The three ways mcp-sentinel reaches a backend; the protocol suites run over each. */
export const TRANSPORTS = ['stdio', 'streamable-http', 'sse'] as const;
export type BackendTransport = (typeof TRANSPORTS)[number];

export interface BehaviourBackend {
  /** The config entry that reaches it. */
  entry: Record<string, unknown>;
  /** Stops the server process of an HTTP or SSE backend (a stdio one is the sentinel's to stop). */
  close(): Promise<void>;
}

/**
 * The behaviour fixture reachable over `transport`: over stdio the sentinel starts it; over Streamable HTTP
 * or SSE it runs here as a server on 127.0.0.1, and `close` stops it.
 */
export async function behaviourBackend(
  transport: BackendTransport,
  name: string,
  env: Record<string, string> = {},
  extra: Record<string, unknown> = {},
): Promise<BehaviourBackend> {
  if (transport === 'stdio') return { entry: behaviourServer(name, env, extra), close: async () => {} };
  const server = await startHttpServer(
    fixtureServerArgs(),
    { FIXTURE_TRANSPORT: transport, FIXTURE_NAME: name, FIXTURE_SPECIAL: '1', ...env },
    transport === 'sse' ? '/sse' : '/mcp',
  );
  return {
    entry: { type: transport === 'sse' ? 'sse' : 'http', url: server.url, ...extra },
    close: () => server.close(),
  };
}

/** Settings that keep restarts quick in tests. */
export const FAST_RESTARTS = {
  restart: { initialDelayMs: 50, maxDelayMs: 200, maxRestarts: 20, windowMs: 60_000 },
};

export interface FixtureEvent {
  name: string;
  pid: number;
  event: string;
  [key: string]: unknown;
}

export function readRecord(path: string): FixtureEvent[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as FixtureEvent);
}

/** Parsed stdout lines of the sentinel (every one is JSON-RPC; the tests check that separately). */
export function stdoutMessages(host: TestHost): Record<string, unknown>[] {
  return host.transport.stdoutMessages.slice() as Record<string, unknown>[];
}

/** The responses the sentinel wrote for `id`. */
export function responsesTo(host: TestHost, id: string | number | null): Record<string, unknown>[] {
  return stdoutMessages(host).filter((m) => 'id' in m && !('method' in m) && m.id === id);
}

/** Sends one raw line (or any text) to the sentinel's stdin, bypassing the SDK client. */
export function sendRaw(host: TestHost, text: string): void {
  host.transport.sendRaw(text);
}

export async function waitForResponse(
  host: TestHost,
  id: string | number | null,
  ms = 10_000,
): Promise<Record<string, unknown>> {
  return waitFor(`a response to ${JSON.stringify(id)}`, () => responsesTo(host, id)[0], ms);
}

/** Sends a raw `tools/call` with the host's own `id`, bypassing the SDK client. */
export function sendRawCall(host: TestHost, id: string | number, name: string, args: unknown = {}): void {
  sendRaw(
    host,
    JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }) + '\n',
  );
}

/** Sends a raw `notifications/cancelled` for `requestId`. */
export function sendRawCancel(host: TestHost, requestId: string | number): void {
  sendRaw(
    host,
    JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId } }) + '\n',
  );
}
