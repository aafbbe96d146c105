/**
 * Messages nested thousands of levels deep, both ways: a host's arguments and a backend's result. Neither
 * may crash the process (JSON.stringify overflows the stack a few thousand levels down) nor leave a request
 * unanswered; each gets one JSON-RPC error that names the limit, and the session goes on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHost, callTool } from '../helpers/host.js';
import { fixture } from '../helpers/paths.js';
import { readRecord, responsesTo, sendRaw, waitForResponse } from '../helpers/reliability.js';

const deepArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('deeply nested messages', () => {
  let host: TestHost;
  let dir: string;
  let record: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sentinel-deep-'));
    record = join(dir, 'calls.jsonl');
    host = await TestHost.start({
      config: {
        mcpServers: {
          raw: { command: process.execPath, args: [fixture('raw-backend.mjs')], env: { RAW_RECORD: record } },
        },
      },
    });
    await host.client.listTools();
  });

  afterAll(async () => {
    expect((await host?.close())?.leftovers).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a tools/call whose arguments nest 5,000 levels with one error naming the limit', async () => {
    sendRaw(
      host,
      `{"jsonrpc":"2.0","id":"deep-args","method":"tools/call","params":{"name":"raw__echo","arguments":{"v":${deepArray(5000)}}}}\n`,
    );
    const response = await waitForResponse(host, 'deep-args');
    expect(response.error).toMatchObject({
      code: -32600,
      message: expect.stringMatching(/deeper than 1000 levels/),
    });
    // The process is alive, the backend never got the call, and the next call works.
    expect((await callTool(host, 'raw__echo', { after: true })).text).toMatch(/^received \d+$/);
    expect(readRecord(record).map((e) => e.tool)).toEqual(['echo']);
    expect(responsesTo(host, 'deep-args')).toHaveLength(1);
    expect(host.child.exitCode).toBeNull();
  });

  it('answers a request whose params nest 50,000 levels (any method) the same way', async () => {
    sendRaw(host, `{"jsonrpc":"2.0","id":"deep-ping","method":"ping","params":{"v":${deepArray(50_000)}}}\n`);
    const response = await waitForResponse(host, 'deep-ping');
    expect((response.error as { message: string }).message).toMatch(/deeper than 1000 levels/);
    await host.client.ping();
  });

  it.each([5000, 1500])(
    'turns a backend result nested %i levels into one error for the host, and keeps the backend',
    async (levels) => {
      const id = `deep-result-${levels}`;
      sendRaw(
        host,
        JSON.stringify({
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: { name: 'raw__deep', arguments: { levels } },
        }) + '\n',
      );
      const response = await waitForResponse(host, id);
      expect(response.error).toMatchObject({ message: expect.stringMatching(/deeper than 1000 levels/) });
      expect((await callTool(host, 'raw__echo', { after: levels })).text).toMatch(/^received/);
      expect(responsesTo(host, id)).toHaveLength(1);
      expect(host.child.exitCode).toBeNull();
    },
  );

  it('passes a result nested 900 levels through unchanged', async () => {
    const result = await host.client.request(
      { method: 'tools/call', params: { name: 'raw__deep', arguments: { levels: 900 } } },
      (await import('@modelcontextprotocol/sdk/types.js')).CallToolResultSchema,
    );
    let depth = 0;
    for (let v: unknown = (result.structuredContent as { v: unknown }).v; Array.isArray(v); v = v[0]) depth++;
    expect(depth).toBe(900);
  });
});
