/**
 * The tool surface each host gets, through the built CLI: a 100-tool catalog (two fixture servers of 50
 * tools) seen by a host identifying as Cursor (at most 40 tools listed, every one of the 100 reachable
 * through find_tools and call_tool), as Claude Code (all of them, pinned ones marked alwaysLoad), and as an
 * unknown host (what settings.surface says).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { TestHost } from '../helpers/host.js';
import { fixtureServerArgs } from '../helpers/paths.js';

const names = (prefix: string) =>
  Array.from({ length: 49 }, (_, i) => `${prefix}_${String(i + 1).padStart(2, '0')}`);

const backends = {
  alpha: {
    command: process.execPath,
    args: fixtureServerArgs(),
    env: { FIXTURE_NAME: 'alpha', FIXTURE_TOOLS: names('lookup').join(',') },
    pin: ['lookup_07', 'env'],
  },
  beta: {
    command: process.execPath,
    args: fixtureServerArgs(),
    env: { FIXTURE_NAME: 'beta', FIXTURE_TOOLS: names('report').join(',') },
  },
};

const ALL = [...names('lookup').map((n) => `alpha__${n}`), 'alpha__env'].concat(
  [...names('report'), 'env'].map((n) => `beta__${n}`),
);
const PINNED = ['alpha__lookup_07', 'alpha__env'];

async function call(host: TestHost, name: string, args: Record<string, unknown>) {
  return host.client.request(
    { method: 'tools/call', params: { name, arguments: args } },
    CallToolResultSchema,
  );
}

function start(clientName: string, settings: object = {}) {
  return TestHost.start({
    config: { settings, mcpServers: backends },
    clientInfo: { name: clientName, version: '1.0.0' },
  });
}

describe('a host identifying as Cursor, with a 100-tool catalog', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await start('cursor-vscode');
  });
  afterAll(async () => expect((await host?.close())?.leftovers).toEqual([]));

  it('gets at most 40 tools: the two meta-tools and the pinned tools', async () => {
    const { tools } = await host.client.listTools();
    expect(tools.length).toBeLessThanOrEqual(40);
    expect(tools.map((t) => t.name)).toEqual(['sentinel__find_tools', 'sentinel__call_tool', ...PINNED]);
    const find = tools[0]!;
    // The description names the servers behind it and what each offers.
    expect(find.description).toMatch(/98 tools/);
    expect(find.description).toMatch(/alpha \(50 tools: lookup_01/);
    expect(find.description).toMatch(/beta \(50 tools: report_01/);
  });

  it('finds a tool by its server and name', async () => {
    for (const name of ['alpha__lookup_33', 'beta__report_12', 'beta__env']) {
      const result = await call(host, 'sentinel__find_tools', { query: name.replace('__', ' '), limit: 3 });
      const found = JSON.parse((result.content[0] as { text: string }).text) as { tools: { name: string }[] };
      expect(found.tools[0]?.name).toBe(name);
    }
  });

  it('calls every one of the 100 tools through call_tool, with the result of a direct call', async () => {
    for (const name of ALL) {
      const args = { name: `arg of ${name}` };
      const through = await call(host, 'sentinel__call_tool', { name, arguments: args });
      const direct = await call(host, name, args);
      expect(through).toEqual(direct);
      expect(through.isError).toBeFalsy();
    }
  });
});

describe('a host identifying as Claude Code, with the same catalog', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await start('claude-code');
  });
  afterAll(async () => expect((await host?.close())?.leftovers).toEqual([]));

  it('gets all 100 tools in a stable order, the pinned ones marked alwaysLoad', async () => {
    const { tools } = await host.client.listTools();
    expect(tools.map((t) => t.name)).toEqual([...ALL].sort((a, b) => (a < b ? -1 : 1)));
    const marked = tools.filter((t) => t._meta?.['anthropic/alwaysLoad'] === true).map((t) => t.name);
    expect(marked.sort()).toEqual([...PINNED].sort());
  });
});

describe('an unknown host gets what settings.surface says', () => {
  it.each([
    ['search', 4],
    ['all', 100],
  ])('settings.surface "%s": %i tools', async (surface, count) => {
    const host = await start('some-new-editor', { surface });
    try {
      const { tools } = await host.client.listTools();
      expect(tools).toHaveLength(count);
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });

  it('settings.host makes it be treated as that host', async () => {
    const host = await start('some-new-editor', { host: 'cursor' });
    try {
      const { tools } = await host.client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['sentinel__find_tools', 'sentinel__call_tool', ...PINNED]);
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });
});
