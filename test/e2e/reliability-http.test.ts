/**
 * Remote backends that lose their session or their server: an expired Streamable HTTP session (404) is
 * renewed once, transparently; a dropped SSE stream reconnects without the host noticing; a server that
 * goes away makes calls fail fast by name, its tools leave, and they come back when the server does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHost, callTool } from '../helpers/host.js';
import { fixtureServerArgs } from '../helpers/paths.js';
import { startHttpServer, type RunningServer } from '../helpers/servers.js';
import { FAST_RESTARTS, readRecord } from '../helpers/reliability.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-http-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startFixture(
  kind: 'streamable-http' | 'sse',
  name: string,
  record: string,
  port = 0,
): Promise<RunningServer> {
  return startHttpServer(
    fixtureServerArgs(),
    {
      FIXTURE_TRANSPORT: kind,
      FIXTURE_NAME: name,
      FIXTURE_SPECIAL: '1',
      FIXTURE_RECORD: record,
      PORT: String(port),
    },
    kind === 'sse' ? '/sse' : '/mcp',
  );
}

/**
 * Starts the fixture again on the port a stopped one used. Another process may hold that port for a moment
 * (it was free for anyone to take), so the bind is retried until it succeeds or 10 s have passed.
 */
async function restartOnPort(
  kind: 'streamable-http' | 'sse',
  name: string,
  record: string,
  port: number,
): Promise<RunningServer> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await startFixture(kind, name, record, port);
    } catch (error) {
      if (!/EADDRINUSE/.test(String(error)) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const initializes = (record: string) =>
  readRecord(record).filter((e) => e.event === 'http' && e.method === 'POST' && e.session === false).length;

describe('Streamable HTTP backends', () => {
  it('renews an expired session once and resends the calls that got 404, transparently', async () => {
    const record = join(dir, 'expiry.jsonl');
    const server = await startFixture('streamable-http', 'h', record);
    const host = await TestHost.start({ config: { mcpServers: { h: { type: 'http', url: server.url } } } });
    try {
      await host.client.listTools();
      expect(initializes(record)).toBe(1);
      expect((await callTool(host, 'h__drop-sessions')).text).toBe('dropped');
      await waitFor('the server to forget its sessions', () =>
        readRecord(record).some((e) => e.event === 'sessions-dropped'),
      );
      const results = await Promise.all(
        Array.from({ length: 5 }, (_, i) => callTool(host, 'h__echo', { i })),
      );
      results.forEach((r, i) => expect(r).toEqual({ text: `h/echo: {"i":${i}}`, isError: false }));
      expect(readRecord(record).filter((e) => e.event === 'session-404').length).toBeGreaterThanOrEqual(1);
      expect(initializes(record)).toBe(2);
      expect((await host.client.listTools()).tools.map((t) => t.name)).toContain('h__echo');
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
      await server.close();
    }
  });

  it('fails calls fast when the server is gone, hides its tools, and brings them back when it returns', async () => {
    const record = join(dir, 'dead.jsonl');
    let server = await startFixture('streamable-http', 'h', record);
    const port = server.port;
    const host = await TestHost.start({
      config: {
        settings: FAST_RESTARTS,
        mcpServers: {
          h: { type: 'http', url: server.url },
          local: {
            command: process.execPath,
            args: fixtureServerArgs(),
            env: { FIXTURE_NAME: 'local' },
          },
        },
      },
    });
    try {
      const before = (await host.client.listTools()).tools.map((t) => t.name).sort();
      await server.close();
      const started = Date.now();
      const failed = await callTool(host, 'h__echo', { n: 1 }).then(
        (r) => r.text,
        (e: Error) => e.message,
      );
      expect(failed).toMatch(/backend "h"/);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect((await callTool(host, 'local__echo', { n: 2 })).text).toBe('local/echo: {"n":2}');
      await waitFor(
        'h\u2019s tools to leave',
        async () => !(await host.client.listTools()).tools.some((t) => t.name.startsWith('h__')),
      );

      server = await restartOnPort('streamable-http', 'h', record, port);
      expect(server.port).toBe(port);
      await waitFor(
        'h to come back',
        async () => (await host.client.listTools()).tools.some((t) => t.name === 'h__echo'),
        15_000,
      );
      expect((await host.client.listTools()).tools.map((t) => t.name).sort()).toEqual(before);
      expect((await callTool(host, 'h__echo', { n: 3 })).text).toBe('h/echo: {"n":3}');
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
      await server.close();
    }
  });
});

describe('SSE backends', () => {
  it('reconnects silently when the event stream drops, and the next call succeeds', async () => {
    const record = join(dir, 'sse.jsonl');
    const server = await startFixture('sse', 's', record);
    const host = await TestHost.start({ config: { mcpServers: { s: { type: 'sse', url: server.url } } } });
    try {
      expect((await callTool(host, 's__echo', { n: 1 })).text).toBe('s/echo: {"n":1}');
      const streams = () => readRecord(record).filter((e) => e.event === 'http' && e.method === 'GET').length;
      expect(streams()).toBe(1);
      const dropped = await fetch(new URL('/drop-streams', server.url), { method: 'POST' });
      expect(dropped.status).toBe(204);
      await waitFor('a new event stream', () => streams() >= 2);
      expect((await callTool(host, 's__echo', { n: 2 })).text).toBe('s/echo: {"n":2}');
      expect((await host.client.listTools()).tools.map((t) => t.name)).toContain('s__echo');
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
      await server.close();
    }
  });
});
