/**
 * Long-lived event streams get their own dispatcher: a GET with `Accept: text/event-stream` uses the
 * stream agent (no body timeout in production), every other request the ordinary one. Shown with the
 * test seam that gives the stream agent a short body timeout against a silent loopback server.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBaseFetch } from '../../src/auth/index.js';

let origin: string;
const open = new Set<ServerResponse>();
const http = createServer((req, res) => {
  open.add(res);
  const stream = (req.headers.accept ?? '').includes('text/event-stream');
  res.writeHead(200, { 'content-type': stream ? 'text/event-stream' : 'application/json' });
  res.flushHeaders();
  // Silent for 2.2 s (undici checks body timeouts on a coarse clock), then one event or the JSON body.
  setTimeout(() => res.end(stream ? 'data: late\n\n' : '{"late":true}'), 2_200);
});

beforeAll(async () => {
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const res of open) res.destroy();
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
});

describe('event stream dispatcher', () => {
  it('routes GET event streams to the stream agent and everything else to the request agent', async () => {
    const base = createBaseFetch({ streamBodyTimeoutMs: 1_000 });
    try {
      const [stream, json, post] = await Promise.all([
        base(`${origin}/sse`, { method: 'GET', headers: { accept: 'text/event-stream' } }, 'test'),
        base(`${origin}/json`, { method: 'GET', headers: { accept: 'application/json' } }, 'test'),
        base(
          `${origin}/post`,
          { method: 'POST', headers: { accept: 'text/event-stream' }, body: '{}' },
          'test',
        ),
      ]);
      const [streamBody, jsonBody, postBody] = await Promise.allSettled([
        stream.text(),
        json.json(),
        post.text(),
      ]);
      expect(streamBody.status).toBe('rejected');
      expect(jsonBody).toEqual({ status: 'fulfilled', value: { late: true } });
      expect(postBody).toEqual({ status: 'fulfilled', value: 'data: late\n\n' });
    } finally {
      await base.close();
    }
  });

  it('by default keeps a silent event stream open', async () => {
    const base = createBaseFetch();
    try {
      const stream = await base(
        `${origin}/sse`,
        { method: 'GET', headers: { accept: 'text/event-stream' } },
        'test',
      );
      expect(await stream.text()).toBe('data: late\n\n');
    } finally {
      await base.close();
    }
  });
});
