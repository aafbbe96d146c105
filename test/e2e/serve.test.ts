/**
 * The core promise, end to end: the built CLI spawned as a desktop host spawns it, driven by the SDK's
 * Client, against real backends over stdio, SSE and Streamable HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHost, callTool } from '../helpers/host.js';
import { EVERYTHING } from '../helpers/paths.js';
import { fixtureServer, startEverything, type RunningServer } from '../helpers/servers.js';

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

describe('serving backends over three transports', () => {
  let sse: RunningServer;
  let http: RunningServer;
  let host: TestHost;

  beforeAll(async () => {
    [sse, http] = await Promise.all([startEverything('sse'), startEverything('streamableHttp')]);
    host = await TestHost.start({
      config: {
        mcpServers: {
          local: { command: process.execPath, args: [EVERYTHING, 'stdio'] },
          remote_sse: { type: 'sse', url: sse.url },
          remote_http: { type: 'http', url: http.url },
        },
      },
    });
  });

  afterAll(async () => {
    const closed = await host?.close();
    await Promise.all([sse?.close(), http?.close()]);
    expect(closed?.leftovers).toEqual([]);
  });

  it('lists the tools of every backend under valid, prefixed names', async () => {
    const { tools } = await host.client.listTools();
    const names = tools.map((t) => t.name);
    for (const prefix of ['local', 'remote_sse', 'remote_http']) {
      expect(names).toContain(`${prefix}__echo`);
      expect(names).toContain(`${prefix}__get-sum`);
    }
    for (const name of names) expect(name).toMatch(NAME_PATTERN);
    expect(new Set(names).size).toBe(names.length);
    const echo = tools.find((t) => t.name === 'local__echo')!;
    expect(echo.inputSchema.properties).toHaveProperty('message');
  });

  it('routes calls to the right backend and returns results unchanged', async () => {
    for (const prefix of ['local', 'remote_sse', 'remote_http']) {
      expect((await callTool(host, `${prefix}__echo`, { message: `hi ${prefix}` })).text).toBe(
        `Echo: hi ${prefix}`,
      );
    }
    expect((await callTool(host, 'remote_http__get-sum', { a: 2, b: 40 })).text).toContain('42');
  });

  it('reads resources and gets prompts through the backend that listed them', async () => {
    const { resources } = await host.client.listResources();
    expect(resources.length).toBeGreaterThan(0);
    const first = resources[0]!;
    const read = await host.client.readResource({ uri: first.uri });
    expect(read.contents[0]?.uri).toBe(first.uri);

    const { resourceTemplates } = await host.client.listResourceTemplates();
    expect(resourceTemplates.length).toBeGreaterThan(0);

    const { prompts } = await host.client.listPrompts();
    const simple = prompts.find((p) => p.name === 'local__simple-prompt');
    expect(simple, `prompts: ${prompts.map((p) => p.name).join(', ')}`).toBeDefined();
    const got = await host.client.getPrompt({ name: 'local__simple-prompt' });
    expect(got.messages.length).toBeGreaterThan(0);
  });

  it('reads each resource and gets each prompt from the very backend that listed it', async () => {
    // Three backends that differ in what they serve: every answer names its owner.
    const owners = ['alpha', 'beta', 'gamma'];
    const own = await TestHost.start({
      config: { mcpServers: Object.fromEntries(owners.map((name) => [name, fixtureServer(name)])) },
    });
    try {
      const { resources } = await own.client.listResources();
      // mcp-sentinel's own status resource is listed beside the backends' (src/aggregator/status.ts).
      const theirs = resources.map((r) => r.uri).filter((uri) => !uri.startsWith('sentinel://'));
      expect(theirs.sort()).toEqual(owners.map((name) => `fixture://${name}/info`));
      for (const name of owners) {
        const read = await own.client.readResource({ uri: `fixture://${name}/info` });
        expect(read.contents).toEqual([
          { uri: `fixture://${name}/info`, mimeType: 'text/plain', text: `info of ${name}` },
        ]);
      }
      const { prompts } = await own.client.listPrompts();
      expect(prompts.map((p) => p.name).sort()).toEqual(owners.map((name) => `${name}__greet`));
      for (const name of owners) {
        const got = await own.client.getPrompt({ name: `${name}__greet` });
        expect(got.messages).toEqual([
          { role: 'user', content: { type: 'text', text: `hello from ${name}` } },
        ]);
      }
    } finally {
      expect((await own.close()).leftovers).toEqual([]);
    }
  });

  it('answers an unknown tool with a JSON-RPC error and keeps serving', async () => {
    await expect(callTool(host, 'nope__missing')).rejects.toThrow(/Unknown tool: nope__missing/);
    expect((await callTool(host, 'local__echo', { message: 'still here' })).text).toBe('Echo: still here');
  });

  it('writes nothing but JSON-RPC to stdout', () => {
    expect(host.stdoutLines.length).toBeGreaterThan(5);
    expect(host.nonProtocolStdout()).toEqual([]);
  });
});

describe('names', () => {
  it('sanitizes, shortens and de-duplicates names, deterministically whatever order backends start in', async () => {
    const long = 'x'.repeat(80);
    const tools = `echo,dotted.name,${long}`;
    const config = (slow: 'a' | 'b') => ({
      mcpServers: {
        a: fixtureServer('a', { FIXTURE_TOOLS: tools, FIXTURE_START_DELAY_MS: slow === 'a' ? '600' : '0' }),
        b: {
          ...fixtureServer('b', { FIXTURE_TOOLS: tools, FIXTURE_START_DELAY_MS: slow === 'b' ? '600' : '0' }),
          prefix: 'a_',
        },
        c: { ...fixtureServer('c', { FIXTURE_TOOLS: 'echo' }), prefix: '' },
        d: { ...fixtureServer('d', { FIXTURE_TOOLS: 'echo' }), prefix: '' },
      },
    });
    const listNames = async (slow: 'a' | 'b') => {
      const host = await TestHost.start({ config: config(slow) });
      try {
        const { tools } = await host.client.listTools();
        return { names: tools.map((t) => t.name).sort(), stderr: host.stderr, host };
      } finally {
        const { leftovers } = await host.close();
        expect(leftovers).toEqual([]);
      }
    };
    const first = await listNames('a');
    const second = await listNames('b');
    expect(second.names).toEqual(first.names);
    for (const name of first.names) expect(name).toMatch(NAME_PATTERN);
    expect(new Set(first.names).size).toBe(first.names.length);
    expect(first.names).toContain('a__dotted_name');
    // "a" + "__" + "dotted.name" and "a_" + "_" ... cannot be told apart after sanitizing: one is renamed.
    expect(first.names).toContain('echo');
    expect(first.names.filter((n) => n.startsWith('echo_')).length).toBe(1);
    expect(first.stderr).toMatch(/tool "echo" of "d" is exported as "echo_[0-9a-f]{8}"/);
  });

  it('routes a renamed tool to its own backend', async () => {
    const host = await TestHost.start({
      config: {
        mcpServers: { c: { ...fixtureServer('c'), prefix: '' }, d: { ...fixtureServer('d'), prefix: '' } },
      },
    });
    try {
      const { tools } = await host.client.listTools();
      const renamed = tools.map((t) => t.name).find((n) => n.startsWith('echo_'))!;
      expect((await callTool(host, 'echo', { n: 1 })).text).toBe('c/echo: {"n":1}');
      expect((await callTool(host, renamed, { n: 2 })).text).toBe('d/echo: {"n":2}');
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });
});

describe('filters and failures', () => {
  it('exports only included tools and refuses calls to filtered ones', async () => {
    const host = await TestHost.start({
      config: {
        mcpServers: {
          f: {
            ...fixtureServer('f', { FIXTURE_TOOLS: 'search_docs,search_secret,get_item,delete_item' }),
            tools: { include: ['search_*', 'get_*'], exclude: ['*secret*'] },
          },
        },
      },
    });
    try {
      const names = (await host.client.listTools()).tools.map((t) => t.name).sort();
      expect(names).toEqual(['f__get_item', 'f__search_docs']);
      await expect(callTool(host, 'f__delete_item')).rejects.toThrow(/excluded by mcpServers\.f\.tools/);
      expect((await callTool(host, 'f__get_item', { id: 7 })).text).toBe('f/get_item: {"id":7}');
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });

  it('isolates a backend that crashes on start and one whose command does not exist', async () => {
    const host = await TestHost.start({
      config: {
        settings: { restart: { maxRestarts: 1, initialDelayMs: 50 } },
        mcpServers: {
          good: fixtureServer('good'),
          crashy: fixtureServer('crashy', { FIXTURE_MODE: 'crash-on-start' }),
          missing: { command: 'definitely-not-a-real-command-xyz' },
        },
      },
    });
    try {
      const names = (await host.client.listTools()).tools.map((t) => t.name);
      // With backends down, mcp-sentinel's own status tool is listed too (src/aggregator/status.ts).
      expect(names).toEqual(['sentinel__status', 'good__echo', 'good__env']);
      expect((await callTool(host, 'good__echo', { ok: true })).text).toBe('good/echo: {"ok":true}');
      await host.waitForStderr('command "definitely-not-a-real-command-xyz" was not found');
      await host.waitForStderr('[crashy]');
      expect(host.nonProtocolStdout()).toEqual([]);
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });

  it('skips non-JSON lines a backend prints on stdout', async () => {
    const host = await TestHost.start({
      config: { mcpServers: { noisy: fixtureServer('noisy', { FIXTURE_MODE: 'garbage-stdout' }) } },
    });
    try {
      expect((await callTool(host, 'noisy__echo', { a: 1 })).text).toBe('noisy/echo: {"a":1}');
      await host.waitForStderr('skipped a non-JSON-RPC line on stdout');
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });
});
