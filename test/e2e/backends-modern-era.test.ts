/**
 * A backend that speaks the 2026-07-28 revision only (v2 SDK server, `legacy: 'reject'`) is served to a
 * 2025-era host: its tools are listed and called, and its `input_required` elicitation becomes an
 * `elicitation/create` request to the host, whose answer goes back to the backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { TestHost, callTool } from '../helpers/host.js';
import { fixture } from '../helpers/paths.js';
import { startHttpServer, type RunningServer } from '../helpers/servers.js';

describe.each([
  ['found when it refuses initialize', {}],
  ['asked for first (protocol: "2026-07-28")', { protocol: '2026-07-28' }],
])('a 2026-07-28-only backend behind a 2025-era host, %s', (_label, extra) => {
  let server: RunningServer;
  let host: TestHost;
  let asked: string[] = [];

  beforeAll(async () => {
    server = await startHttpServer([fixture('modern-server.mjs')], {}, '/mcp');
    host = await TestHost.start({
      capabilities: { elicitation: {} },
      config: { mcpServers: { modern: { type: 'http', url: server.url, ...extra } } },
      connect: false,
    });
    host.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { confirm: true } };
    });
    await host.client.connect(host.transport);
  });
  afterAll(async () => {
    expect((await host?.close())?.leftovers).toEqual([]);
    await server?.close();
  });

  it('lists and calls its tools, with its instructions passed on', async () => {
    const { tools } = await host.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['modern__confirm', 'modern__echo', 'modern__sign']);
    expect(await callTool(host, 'modern__echo', { text: 'hi' })).toEqual({
      text: 'modern/echo: hi',
      isError: false,
    });
    expect(host.client.getInstructions()).toContain('A server that speaks 2026-07-28 only.');
  });

  it('bridges its input_required elicitation to the host and returns the answer', async () => {
    expect(await callTool(host, 'modern__confirm', { what: 'deploy' })).toEqual({
      text: 'confirmed deploy: {"confirm":true}',
      isError: false,
    });
    expect(asked).toEqual(['Really deploy?']);
    asked = [];
  });
});
