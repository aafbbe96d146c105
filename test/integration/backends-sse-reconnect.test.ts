/**
 * An SSE session's event stream that the server ends, against a raw SSE server on 127.0.0.1 that numbers
 * every event (`id:`): the SDK transport's event source, whose messages mcp-sentinel reads first
 * (event-stream-tap.ts), reconnects from the last event the server sent, a message taken by the tap
 * included, and after the server's `retry:` wait, not its own default of 3 s.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStreamTap } from '../../src/backends/http-channel/event-stream-tap.js';
import { createTransport } from '../../src/backends/transports.js';
import { log, strategyFor } from '../helpers/auth.js';
import { listenOnLoopback } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

interface StreamOpened {
  lastEventId: string | undefined;
  at: number;
}

interface NumberingSseServer {
  url: string;
  /** Every GET of the event stream, in order. */
  opened: StreamOpened[];
  /** The id of the last event sent, and when the server ended the stream. */
  last: { id?: string; endedAt?: number };
  close(): Promise<void>;
}

/** Its `drop` call is answered with `retry: 50` and then the stream ends. */
async function startNumberingSseServer(): Promise<NumberingSseServer> {
  const opened: StreamOpened[] = [];
  const last: { id?: string; endedAt?: number } = {};
  let stream: ServerResponse | undefined;
  let next = 0;
  const send = (message: unknown, extra = '') => {
    last.id = `e-${++next}`;
    stream?.write(`id: ${last.id}\n${extra}data: ${JSON.stringify(message)}\n\n`);
  };
  const answer = (message: { id?: unknown; method: string; params?: Record<string, unknown> }) => {
    const reply = (result: unknown, extra?: string) =>
      send({ jsonrpc: '2.0', id: message.id, result }, extra);
    if (message.method === 'initialize')
      return reply({
        protocolVersion: message.params?.protocolVersion,
        capabilities: { tools: {} },
        serverInfo: { name: 'numbering-sse', version: '1.0.0' },
      });
    if (message.method === 'tools/list')
      return reply({ tools: ['echo', 'drop'].map((name) => ({ name, inputSchema: { type: 'object' } })) });
    const tool = (message.params as { name?: string } | undefined)?.name;
    reply({ content: [{ type: 'text', text: `${tool} answered` }] }, tool === 'drop' ? 'retry: 50\n' : '');
    if (tool === 'drop') {
      last.endedAt = Date.now();
      stream?.end();
    }
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET') {
      const header = req.headers['last-event-id'];
      opened.push({ lastEventId: typeof header === 'string' ? header : undefined, at: Date.now() });
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('event: endpoint\ndata: /messages\n\n');
      stream = res;
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      res.writeHead(202).end();
      const message = JSON.parse(body) as { id?: unknown; method: string; params?: Record<string, unknown> };
      if (message.id !== undefined) answer(message);
    });
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}/sse`,
    opened,
    last,
    close,
  };
}

describe('an SSE session whose server ends its event stream', () => {
  let server: NumberingSseServer;
  let client: Client;
  let closeAuth: () => void;

  beforeAll(async () => {
    server = await startNumberingSseServer();
    const config = { type: 'sse' as const, url: server.url };
    const auth = strategyFor(config, { backend: 'web' });
    closeAuth = () => auth.close();
    // As connection/remote.ts opens it: the tap reads the stream's messages before the SDK transport.
    const tap = new EventStreamTap();
    const transport = await createTransport(config, {
      log,
      environment: {},
      auth,
      maxResponseBytes: 1024 * 1024,
      backend: 'web',
      tapEventStream: (fetch) => tap.wrap(fetch),
    });
    tap.deliver = (message) => transport.onmessage?.(message);
    client = new Client({ name: 'sse-reconnect-test', version: '1.0.0' }, { capabilities: {} });
    client.onerror = () => undefined; // the stream's end is reported here; the test watches the server
    await client.connect(transport, { timeout: 15_000 });
  });
  afterAll(async () => {
    await client?.close().catch(() => undefined);
    closeAuth?.();
    await server?.close();
  });

  it('reconnects from the last event received, after the retry: wait the server gave', async () => {
    expect((await client.callTool({ name: 'echo' })).content).toEqual([
      { type: 'text', text: 'echo answered' },
    ]);
    expect((await client.callTool({ name: 'drop' })).content).toEqual([
      { type: 'text', text: 'drop answered' },
    ]);
    const dropped = server.last.id!;
    const reopened = await waitFor('the event stream to be reopened', () => server.opened[1], 10_000);
    // The reply to `drop` was the last event, and a message the tap took: the reconnect resumes after it.
    expect(reopened.lastEventId).toBe(dropped);
    // 50 ms asked for; the event source's own default is 3 s.
    expect(reopened.at - server.last.endedAt!).toBeLessThan(2_500);
    expect(server.opened[0]!.lastEventId).toBeUndefined();
  });
});
