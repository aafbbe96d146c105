/**
 * The guarded fetch under remote backends, against a real HTTP server on 127.0.0.1 whose event stream
 * sends an event larger than settings.maxResponseBytes, and sends it again on every reconnect: after the
 * cut, a reconnect from the same Last-Event-ID (or, for a server that gives no ids, the third from the
 * start) is answered 405 without reaching the server, so the stream is not read and cut again for ever.
 */
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardFetch } from '../../src/backends/http-guard.js';
import type { Logger } from '../../src/log.js';
import { listenOnLoopback, type LoopbackListener } from '../helpers/servers.js';

const MAX = 64 * 1024;
const OVERSIZED = `data: ${'x'.repeat(2 * MAX)}\n\n`;

function recordingLog(warnings: string[]): Logger {
  const log: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => warnings.push(message),
    error: (message) => warnings.push(message),
    child: () => log,
  };
  return log;
}

describe('a stream cut for its size, resumed again and again', () => {
  let gets: (string | undefined)[];
  let listener: LoopbackListener;
  let url: string;

  beforeAll(async () => {
    gets = [];
    const server = createServer((req, res) => {
      gets.push(req.headers['last-event-id'] as string | undefined);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(OVERSIZED);
    });
    listener = await listenOnLoopback(server);
    url = `http://127.0.0.1:${listener.port}/mcp`;
  });
  afterAll(() => listener?.close());

  /** One GET of the stream, read to its end or its cut: the status, and how the body ended. */
  async function open(fetch: ReturnType<typeof guardFetch>, lastEventId?: string) {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastEventId) headers['last-event-id'] = lastEventId;
    const response = await fetch(url, { method: 'GET', headers });
    const ended = await response
      .text()
      .then(() => 'complete')
      .catch((error: Error) => `cut: ${error.message}`);
    return { status: response.status, ended };
  }

  it('refuses a resumption from the Last-Event-ID the cut stream was opened with', async () => {
    gets.length = 0;
    const warnings: string[] = [];
    const fetch = guardFetch(globalThis.fetch, {
      backend: 'web',
      maxResponseBytes: MAX,
      log: recordingLog(warnings),
    });
    const first = await open(fetch, '41');
    expect(first.status).toBe(200);
    expect(first.ended).toMatch(/^cut: .*larger than/);
    expect(await open(fetch, '41')).toEqual({ status: 405, ended: 'complete' });
    expect(gets).toEqual(['41']);
    expect(warnings.join('\n')).toMatch(/web: the server sends again what was too large/);
    // Another place in the stream is another stream: it still reaches the server.
    expect((await open(fetch, '42')).status).toBe(200);
    expect(gets).toEqual(['41', '42']);
  });

  it('refuses a stream opened without an id after the third cut of such a stream', async () => {
    gets.length = 0;
    const fetch = guardFetch(globalThis.fetch, {
      backend: 'web',
      maxResponseBytes: MAX,
      log: recordingLog([]),
    });
    for (let i = 0; i < 3; i++) expect((await open(fetch)).ended).toMatch(/^cut: /);
    expect((await open(fetch)).status).toBe(405);
    expect(gets).toHaveLength(3);
  });
});
