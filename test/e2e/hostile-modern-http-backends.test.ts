/**
 * A 2026-07-28 backend over Streamable HTTP that misbehaves at the HTTP level: a v2 SDK server on
 * 127.0.0.1 whose `hang`, `endless`, `endless-events` and `dropping` calls are answered by hand. A call
 * that never gets its answer ends at its timeout or the host's cancel with its socket closed; an endless
 * body (JSON or one event that never ends) is cut at settings.maxResponseBytes with its connection closed
 * and a RESPONSE_TOO_LARGE error; and a reply whose event stream is dropped and resumed (GETs with
 * Last-Event-ID) again and again spends one budget across all its streams. A tool list that never ends
 * fails the start of its backend with that error, not with the startup timeout, and an event of the
 * `subscriptions/listen` stream that never ends is cut at the same size.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import * as z from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHost } from '../helpers/host.js';
import { sendRawCall, sendRawCancel, waitForResponse } from '../helpers/reliability.js';
import { listenOnLoopback } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

interface HostileModernServer {
  url: string;
  /** Sockets that carry a call the server never answered. */
  hung: Set<Socket>;
  hangs: { received: number };
  /** Bytes sent on endless bodies, and whether each one's connection was closed, by tool. */
  endless: Map<string, { sent: number; closed: boolean }>;
  /** The Last-Event-ID of every GET that resumed a reply of `dropping`. */
  resumedFrom: string[];
  close(): Promise<void>;
}

const HOSTILE = ['hang', 'endless', 'endless-events', 'dropping'];
/** Each stream of a `dropping` reply: 600 KB, under the 1 MB cap, and the answer after three resumptions. */
const DROPPED_STREAM_BYTES = 600 * 1024;
const DROPPED_STREAMS = 4;

function buildServer(): McpServer {
  const server = new McpServer({ name: 'hostile-modern', version: '1.0.0' });
  for (const name of [...HOSTILE, 'echo'])
    server.registerTool(name, { inputSchema: z.object({}) }, async () => ({
      content: [{ type: 'text', text: `${name} answered` }],
    }));
  return server;
}

/** Writes `head`, then `filler` without end, as fast as the reader takes it, until the connection closes. */
function pumpEndless(res: ServerResponse, type: string, head: string, record: { sent: number }): void {
  res.writeHead(200, { 'content-type': type });
  res.write(head);
  const chunk = 'x'.repeat(64 * 1024);
  const pump = () => {
    while (!res.destroyed && record.sent < 2 * 1024 ** 3) {
      record.sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
  };
  pump();
}

/**
 * One stream of the reply to `id`: a priming event (its id, no data) with a comment of
 * DROPPED_STREAM_BYTES, then (the last one) the answer; every other one just ends, so that the client
 * resumes it with the next GET.
 */
function droppingStream(res: ServerResponse, id: unknown, index: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(`id: drop-${index}\nretry: 10\ndata:\n: ${'x'.repeat(DROPPED_STREAM_BYTES)}\n\n`);
  if (index === DROPPED_STREAMS - 1) {
    const answer = { jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'dropping answered' }] } };
    res.write(`data: ${JSON.stringify(answer)}\n\n`);
  }
  res.end();
}

/** Methods that can be answered with one event that never ends (see `endlessStreams`). */
type EndlessStream = 'subscriptions/listen' | 'tools/list';

/** `endlessStreams`: the methods whose stream or answer is one endless event too. */
async function startHostileModernServer(endlessStreams: EndlessStream[] = []): Promise<HostileModernServer> {
  const handler = createMcpHandler(() => buildServer(), { legacy: 'reject' });
  const hung = new Set<Socket>();
  const hangs = { received: 0 };
  const endless = new Map<string, { sent: number; closed: boolean }>();
  const resumedFrom: string[] = [];
  let droppingId: unknown;
  const hostile = (req: IncomingMessage, res: ServerResponse, body: Buffer): boolean => {
    const from = req.headers['last-event-id'];
    if (req.method === 'GET' && typeof from === 'string' && from.startsWith('drop-')) {
      resumedFrom.push(from);
      droppingStream(res, droppingId, Number(from.slice(5)) + 1);
      return true;
    }
    if (req.method !== 'POST') return false;
    const message = JSON.parse(body.toString('utf8')) as { method?: string; params?: { name?: string } };
    const method = message.method ?? '';
    const tool =
      method === 'tools/call'
        ? message.params?.name
        : (endlessStreams as string[]).includes(method)
          ? method
          : undefined;
    if (tool === 'hang') {
      hung.add(req.socket);
      hangs.received++;
      req.socket.once('close', () => hung.delete(req.socket));
      return true;
    }
    if (tool === 'dropping') {
      droppingId = (message as { id?: unknown }).id;
      droppingStream(res, droppingId, 0);
      return true;
    }
    if (tool === undefined || !['endless', 'endless-events', ...endlessStreams].includes(tool)) return false;
    const record = { sent: 0, closed: false };
    endless.set(tool, record);
    res.once('close', () => (record.closed = true));
    if (tool === 'endless')
      pumpEndless(res, 'application/json', '{"jsonrpc":"2.0","id":1,"result":"', record);
    else pumpEndless(res, 'text/event-stream', 'event: message\ndata: ', record);
    return true;
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (hostile(req, res, body)) return;
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const response = await handler.fetch(
      new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
        signal: controller.signal,
      }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) return void res.end();
    Readable.fromWeb(response.body as Parameters<typeof Readable.fromWeb>[0])
      .on('error', () => res.end())
      .pipe(res);
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    hung,
    hangs,
    endless,
    resumedFrom,
    close,
  };
}

describe('a 2026-07-28 backend that misbehaves over HTTP', () => {
  let server: HostileModernServer;
  let host: TestHost;

  beforeAll(async () => {
    server = await startHostileModernServer();
    host = await TestHost.start({
      config: {
        settings: { maxResponseBytes: 1024 * 1024 },
        mcpServers: {
          web: { type: 'streamable-http', url: server.url, protocol: '2026-07-28', timeoutMs: 1_000 },
          // The same server, with the time to go through a reply's resumptions.
          slow: { type: 'streamable-http', url: server.url, protocol: '2026-07-28', timeoutMs: 20_000 },
        },
      },
    });
    const tools = await host.client.listTools();
    expect(tools.tools.map((tool) => tool.name)).toContain('web__endless');
  });

  afterAll(async () => {
    expect((await host?.close())?.leftovers).toEqual([]);
    await server?.close();
  });

  it('closes the sockets of hung calls once they time out', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `hang-${i}`);
    for (const id of ids) sendRawCall(host, id, 'web__hang');
    await waitFor('the 10 calls to reach the server', () => server.hangs.received === 10, 20_000);
    for (const id of ids) {
      const response = await waitForResponse(host, id, 10_000);
      expect((response.error as { message: string }).message).toMatch(/timed out/i);
    }
    await waitFor('every hung socket to be closed', () => server.hung.size === 0, 5_000);
  });

  it('closes the socket of a call the host cancels', async () => {
    const before = server.hangs.received;
    sendRawCall(host, 'hang-cancelled', 'web__hang');
    await waitFor('the call to reach the server', () => server.hangs.received === before + 1);
    expect(server.hung.size).toBe(1);
    sendRawCancel(host, 'hang-cancelled');
    await waitFor('the hung socket to be closed', () => server.hung.size === 0, 5_000);
  });

  it.each(['endless', 'endless-events'])(
    'cuts the %s body at maxResponseBytes with RESPONSE_TOO_LARGE and closes its connection',
    async (tool) => {
      sendRawCall(host, tool, `web__${tool}`);
      const response = await waitForResponse(host, tool, 15_000);
      const error = response.error as { message: string; data?: { code?: string } };
      expect(error.message).toMatch(/larger than 1048576 bytes \(settings\.maxResponseBytes\)/);
      await waitFor('the server to see the connection closed', () => server.endless.get(tool)?.closed, 5_000);
      expect(server.endless.get(tool)!.sent).toBeLessThan(64 * 1024 * 1024);
      // The backend is still served afterwards.
      sendRawCall(host, `${tool}-after`, 'web__echo');
      expect((await waitForResponse(host, `${tool}-after`)).result).toMatchObject({
        content: [{ type: 'text', text: 'echo answered' }],
      });
    },
  );

  it('counts every resumption of a reply against its one maxResponseBytes budget', async () => {
    sendRawCall(host, 'dropping', 'slow__dropping');
    const response = await waitForResponse(host, 'dropping', 15_000);
    // 600 KB a stream: the first resumption takes the reply past 1 MB, and the answer never comes.
    expect((response.error as { message: string }).message).toMatch(
      /larger than 1048576 bytes \(settings\.maxResponseBytes\)/,
    );
    expect(server.resumedFrom).toEqual(['drop-0']);
  });
});

describe('a 2026-07-28 backend whose tool list never ends', () => {
  let server: HostileModernServer;
  let host: TestHost;

  beforeAll(async () => {
    server = await startHostileModernServer(['tools/list']);
    host = await TestHost.start({
      config: {
        settings: { maxResponseBytes: 1024 * 1024, startupTimeoutMs: 60_000 },
        mcpServers: { web: { type: 'streamable-http', url: server.url, protocol: '2026-07-28' } },
      },
    });
  });

  afterAll(async () => {
    expect((await host?.close())?.leftovers).toEqual([]);
    await server?.close();
  });

  it('fails its start with RESPONSE_TOO_LARGE, long before the startup timeout', async () => {
    await host.waitForStderr(/larger than 1048576 bytes \(settings\.maxResponseBytes\)/, 15_000);
    await waitFor('the server to see the connection closed', () => server.endless.get('tools/list')?.closed);
    expect(server.endless.get('tools/list')!.sent).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('a 2026-07-28 backend whose list-change stream never ends', () => {
  let server: HostileModernServer;
  let host: TestHost;

  beforeAll(async () => {
    server = await startHostileModernServer(['subscriptions/listen']);
    host = await TestHost.start({
      config: {
        settings: { maxResponseBytes: 1024 * 1024 },
        mcpServers: { web: { type: 'streamable-http', url: server.url, protocol: '2026-07-28' } },
      },
    });
  });

  afterAll(async () => {
    expect((await host?.close())?.leftovers).toEqual([]);
    await server?.close();
  });

  it('cuts an event of the subscriptions/listen stream at maxResponseBytes, and the backend still answers', async () => {
    // A session's stream, not one reply: uncapped as a whole, but no event of it may grow without end.
    const listen = await waitFor('the listen stream', () => server.endless.get('subscriptions/listen'));
    await waitFor('the server to see the connection closed', () => listen.closed, 15_000);
    expect(listen.sent).toBeLessThan(16 * 1024 * 1024);
    sendRawCall(host, 'after-listen', 'web__echo');
    expect((await waitForResponse(host, 'after-listen')).result).toMatchObject({
      content: [{ type: 'text', text: 'echo answered' }],
    });
  });
});
