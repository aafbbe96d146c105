/**
 * Remote backends that misbehave at the HTTP level, played by a raw HTTP server on 127.0.0.1: one that
 * never answers a call (a slowloris), one whose answer never ends, one that answers with a large HTML
 * error page, and one that drops its reply's event stream again and again to resume it on a GET with
 * Last-Event-ID. Hung calls end at their timeout with their sockets closed, an endless body is cut at
 * settings.maxResponseBytes with its connection closed, an error page becomes a short error with its
 * status, and a reply's resumptions share its one budget.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHost } from '../helpers/host.js';
import { sendRawCall, waitForResponse } from '../helpers/reliability.js';
import { listenOnLoopback } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

interface RawServer {
  url: string;
  /** Sockets that carry a call the server never answered. */
  hung: Set<Socket>;
  /** How many calls to `hang` arrived in all. */
  hangs: { received: number };
  endless: { sent: number; closed: boolean };
  /** The Last-Event-ID of every GET that resumed a reply of `dropping`. */
  resumedFrom: string[];
  close(): Promise<void>;
}

const TOOLS = ['hang', 'endless', 'html', 'echo', 'dropping'];
/** Each stream of a `dropping` reply: 600 KB, under the 1 MB cap, and the answer after three resumptions. */
const DROPPED_STREAM_BYTES = 600 * 1024;
const DROPPED_STREAMS = 4;
const HTML_PAGE =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body { font: 12px sans-serif }</style></head>' +
  `<body><h1>Bad Gateway</h1><p>${'upstream trace '.repeat(35_000)}</p></body></html>`;

/**
 * One stream of the reply to `id`: an event id, a comment of DROPPED_STREAM_BYTES, then (the last one)
 * the answer; every other one just ends, so that the client resumes it with the next GET.
 */
function droppingStream(res: ServerResponse, id: unknown, index: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(`id: drop-${index}\nretry: 10\n: ${'x'.repeat(DROPPED_STREAM_BYTES)}\n\n`);
  if (index === DROPPED_STREAMS - 1)
    res.write(`data: ${JSON.stringify({ jsonrpc: '2.0', id, result: { content: [] } })}\n\n`);
  res.end();
}

function json(res: ServerResponse, id: unknown, result: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id, result }));
}

async function startRawServer(): Promise<RawServer> {
  const hung = new Set<Socket>();
  const hangs = { received: 0 };
  const endless = { sent: 0, closed: false };
  const resumedFrom: string[] = [];
  let droppingId: unknown;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const resumeFrom = req.headers['last-event-id'];
    if (req.method === 'GET' && typeof resumeFrom === 'string' && resumeFrom.startsWith('drop-')) {
      resumedFrom.push(resumeFrom);
      return droppingStream(res, droppingId, Number(resumeFrom.slice(5)) + 1);
    }
    if (req.method !== 'POST') return void res.writeHead(req.method === 'DELETE' ? 200 : 405).end();
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const message = JSON.parse(body) as { id?: unknown; method: string; params?: Record<string, unknown> };
      if (message.id === undefined) return void res.writeHead(202).end();
      if (message.method === 'initialize') {
        return json(res, message.id, {
          protocolVersion: message.params?.protocolVersion,
          capabilities: { tools: {} },
          serverInfo: { name: 'raw-http', version: '1.0.0' },
        });
      }
      if (message.method === 'tools/list')
        return json(res, message.id, {
          tools: TOOLS.map((name) => ({ name, inputSchema: { type: 'object' } })),
        });
      const tool = message.params?.name;
      if (tool === 'hang') {
        const socket = req.socket;
        hung.add(socket);
        hangs.received++;
        socket.once('close', () => hung.delete(socket));
        return;
      }
      if (tool === 'endless') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.once('close', () => (endless.closed = true));
        const chunk = ' '.repeat(64 * 1024);
        const pump = () => {
          while (!res.destroyed && endless.sent < 2 * 1024 ** 3) {
            endless.sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
        };
        return pump();
      }
      if (tool === 'dropping') {
        droppingId = message.id;
        return droppingStream(res, message.id, 0);
      }
      if (tool === 'html') {
        res.writeHead(502, { 'content-type': 'text/html; charset=utf-8' });
        return void res.end(HTML_PAGE);
      }
      json(res, message.id, { content: [{ type: 'text', text: 'echo' }] });
    });
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

describe('remote backends that misbehave over HTTP', () => {
  let server: RawServer;
  let host: TestHost;

  beforeAll(async () => {
    server = await startRawServer();
    host = await TestHost.start({
      config: {
        settings: { maxResponseBytes: 1024 * 1024 },
        mcpServers: {
          web: { type: 'streamable-http', url: server.url, timeoutMs: 1_000 },
          // The same server, with the time to go through a reply's resumptions.
          slow: { type: 'streamable-http', url: server.url, timeoutMs: 20_000 },
        },
      },
    });
    await host.client.listTools();
  });

  afterAll(async () => {
    expect((await host?.close())?.leftovers).toEqual([]);
    await server?.close();
  });

  it('closes the sockets of 40 hung calls once they time out', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `hang-${i}`);
    for (const id of ids) sendRawCall(host, id, 'web__hang');
    // Counted in all: on a loaded machine the first calls may time out before the last ones arrive.
    await waitFor('the 40 calls to reach the server', () => server.hangs.received === 40, 20_000);
    for (const id of ids) {
      const response = await waitForResponse(host, id, 10_000);
      expect((response.error as { message: string }).message).toMatch(/timed out/i);
    }
    await waitFor('every hung socket to be closed', () => server.hung.size === 0, 5_000);
  });

  it('cuts an endless response body at maxResponseBytes and closes its connection', async () => {
    sendRawCall(host, 'endless', 'web__endless');
    const response = await waitForResponse(host, 'endless', 15_000);
    expect(JSON.stringify(response)).toMatch(/larger than 1048576 bytes \(settings\.maxResponseBytes\)/);
    await waitFor('the server to see the connection closed', () => server.endless.closed, 5_000);
    expect(server.endless.sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('counts every resumption of a reply against its one maxResponseBytes budget', async () => {
    sendRawCall(host, 'dropping', 'slow__dropping');
    const response = await waitForResponse(host, 'dropping', 15_000);
    // 600 KB a stream: the first resumption takes the reply past 1 MB, and the answer never comes.
    expect((response.error as { message: string }).message).toMatch(
      /larger than 1048576 bytes \(settings\.maxResponseBytes\)/,
    );
    expect(server.resumedFrom).toEqual(['drop-0']);
  });

  it('turns a 512 KB HTML 502 page into an error under 1 KB that keeps the status', async () => {
    sendRawCall(host, 'html', 'web__html');
    await waitForResponse(host, 'html', 10_000);
    const line = host.stdoutLines.find((l) => l.includes('"id":"html"'))!;
    expect(line.length).toBeLessThan(1024);
    expect(line).toMatch(/HTTP 502/);
    expect(line).toMatch(/502 Bad Gateway/);
    expect(line).not.toMatch(/<|upstream trace/);
    expect(host.stderr).not.toMatch(/(upstream trace ){20}/);
  });
});
