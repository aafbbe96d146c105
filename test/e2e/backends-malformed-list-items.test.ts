/**
 * Bad input loses nothing: a backend whose lists hold malformed items among good ones (a tool whose
 * inputSchema is a string; on the second page, a tool without a name and one whose readOnlyHint is a
 * string; a prompt whose name is a number; a resource whose icons are not an array) still shows the host
 * every good item, in both eras, over stdio and Streamable HTTP, and stderr names each item dropped. The
 * backend is a v2 SDK server (modern-malformed-lists.mjs) that speaks both eras; the entry's `protocol`
 * picks the one mcp-sentinel speaks with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHost, callTool } from '../helpers/host.js';
import { fixture, fixtureStartArgs } from '../helpers/paths.js';
import { startHttpServer, type RunningServer } from '../helpers/servers.js';

const ENV = { MODERN_MALFORMED_LISTS: '1', MODERN_LEGACY: 'serve' };

describe.each([
  ['stdio', '2026-07-28'],
  ['http', '2026-07-28'],
  ['stdio', '2025-11-25'],
  ['http', '2025-11-25'],
] as const)('a %s backend of the %s era that lists one malformed item among good ones', (kind, protocol) => {
  let server: RunningServer | undefined;
  let host: TestHost;

  beforeAll(async () => {
    if (kind === 'http') server = await startHttpServer([fixture('modern-server.mjs')], ENV, '/mcp');
    const entry =
      kind === 'http'
        ? { type: 'http', url: server!.url, protocol }
        : {
            command: process.execPath,
            args: fixtureStartArgs('modern-stdio-server.mjs'),
            env: ENV,
            protocol,
          };
    host = await TestHost.start({ config: { mcpServers: { modern: entry } } });
  });
  afterAll(async () => {
    expect((await host?.close())?.leftovers).toEqual([]);
    await server?.close();
  });

  it('shows the host its good tools, on both pages, and they answer', async () => {
    const { tools } = await host.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['modern__echo', 'modern__sign']);
    expect(await callTool(host, 'modern__echo', { text: 'still here' })).toEqual({
      text: 'modern/echo: still here',
      isError: false,
    });
  });

  it('shows the host its good prompt and resource', async () => {
    const { prompts } = await host.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['modern__greet']);
    const { resources } = await host.client.listResources();
    const backendOwn = resources.filter((r) => !r.uri.startsWith('sentinel://'));
    expect(backendOwn.map((r) => r.name)).toEqual(['good']);
  });

  it('names every item it dropped, and why, on stderr', async () => {
    await host.waitForStderr('ignored the malformed entry "broken" in tools/list: its "inputSchema"');
    await host.waitForStderr('ignored the malformed entry #1 in tools/list: it has no string "name"');
    await host.waitForStderr(
      'ignored the malformed entry "hinted" in tools/list: its "annotations.readOnlyHint" is not a boolean',
    );
    await host.waitForStderr('ignored the malformed entry #2 in prompts/list: it has no string "name"');
    await host.waitForStderr(
      'ignored the malformed entry "modern://bad" in resources/list: its "icons" is not an array',
    );
  });
});
