/**
 * A host that speaks the 2026-07-28 revision (the v2 SDK client pinned to it: `server/discover`, then
 * every request with its version and capabilities in `_meta`, no `initialize`) is served that revision by
 * `serve`, with a 2025-era stdio backend behind it: discovery, lists and calls with `resultType`, and the
 * backend's elicitation reaching the host as an `input_required` result whose retry answers it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/client';
import { TestHost } from '../helpers/host.js';
import { fixtureServerArgs } from '../helpers/paths.js';
import { waitFor } from '../helpers/wait.js';

type Line = { id?: unknown; method?: string; result?: Record<string, unknown>; error?: { code: number } };

const config = {
  mcpServers: {
    legacy: {
      command: process.execPath,
      args: fixtureServerArgs(),
      env: { FIXTURE_SPECIAL: '1' },
    },
  },
};

describe('a 2026-07-28 host in front of a 2025-era stdio backend', () => {
  let host: TestHost;
  let modern: Client;
  const asked: string[] = [];

  beforeAll(async () => {
    host = await TestHost.start({ config, connect: false });
    modern = new Client(
      { name: 'modern-host', version: '1.0.0' },
      { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    modern.setRequestHandler('elicitation/create', async (request) => {
      asked.push(String(request.params.message));
      return { action: 'accept', content: { who: 'Ada' } };
    });
    await modern.connect(host.transport as never);
  });
  afterAll(async () => {
    await modern?.close().catch(() => undefined);
    expect((await host?.close())?.leftovers).toEqual([]);
  });

  /** The host's own view of the wire: the answers mcp-sentinel wrote on stdout. */
  const answers = (): Line[] =>
    host.stdoutLines.map((line) => JSON.parse(line) as Line).filter((m) => m.method === undefined);

  it('answers server/discover with the revision, its identity and the merged capabilities', () => {
    expect(modern.getServerVersion()).toMatchObject({ name: 'mcp-sentinel' });
    expect(modern.getServerCapabilities()).toMatchObject({ tools: { listChanged: true }, prompts: {} });
    expect(modern.getInstructions()).toContain('legacy__');
    const discover = answers()[0]!.result!;
    expect(discover).toMatchObject({ supportedVersions: ['2026-07-28'], resultType: 'complete' });
    expect(discover._meta).toMatchObject({ 'io.modelcontextprotocol/serverInfo': { name: 'mcp-sentinel' } });
    expect(host.stdoutLines.some((line) => line.includes('"initialize"'))).toBe(false);
  });

  it('lists tools in the same order every time, with resultType and caching hints', async () => {
    const first = await modern.listTools({}, { cacheMode: 'refresh' } as never);
    const second = await modern.listTools({}, { cacheMode: 'refresh' } as never);
    expect(first.tools.map((t) => t.name)).toContain('legacy__echo');
    expect(second.tools.map((t) => t.name)).toEqual(first.tools.map((t) => t.name));
    const list = answers().find((m) => Array.isArray(m.result?.tools))!.result!;
    expect(list).toMatchObject({ resultType: 'complete', ttlMs: 0, cacheScope: 'private' });
  });

  it('calls a tool of the backend', async () => {
    const result = await modern.callTool({ name: 'legacy__echo', arguments: { name: 'x' } });
    expect(result.content).toEqual([{ type: 'text', text: 'fixture/echo: {"name":"x"}' }]);
    expect(answers().at(-1)!.result).toMatchObject({ resultType: 'complete' });
  });

  it('carries the backend elicitation to the host as input_required, and the answer back', async () => {
    const result = await modern.callTool({ name: 'legacy__elicit', arguments: {} });
    expect(asked).toEqual(['name?']);
    expect(result.content).toEqual([{ type: 'text', text: '{"action":"accept","content":{"who":"Ada"}}' }]);
    const round = answers().find((m) => m.result?.resultType === 'input_required')!.result!;
    expect(round.inputRequests).toEqual({
      'elicitation-1': {
        method: 'elicitation/create',
        params: expect.objectContaining({ message: 'name?' }),
      },
    });
    expect(typeof round.requestState).toBe('string');
  });

  /** Writes one request as the host would, and waits for mcp-sentinel's answer to it. */
  const raw = async (id: string, method: string, params: Record<string, unknown>): Promise<Line> => {
    host.transport.sendRaw(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    return waitFor(`the answer to ${id}`, () => answers().find((m) => m.id === id));
  };
  const envelope = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': {},
  };

  it('refuses what the revision removed, a broken envelope, and a requestState it did not issue', async () => {
    expect((await raw('r1', 'ping', { _meta: envelope })).error?.code).toBe(-32601);
    expect((await raw('r2', 'logging/setLevel', { level: 'info', _meta: envelope })).error?.code).toBe(
      -32601,
    );
    expect(
      (await raw('r3', 'tools/list', { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } }))
        .error?.code,
    ).toBe(-32602);
    const unsupported = await raw('r4', 'tools/list', {
      _meta: { ...envelope, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' },
    });
    expect(unsupported.error).toMatchObject({
      code: -32022,
      data: { supported: ['2026-07-28'], requested: '2099-01-01' },
    });
    const forged = await raw('r5', 'tools/call', {
      name: 'legacy__echo',
      requestState: 'forged',
      _meta: envelope,
    });
    expect(forged.error?.code).toBe(-32602);
    expect(host.nonProtocolStdout()).toEqual([]);
  });

  it('fails a request whose backend needs a capability the request did not declare (-32021)', async () => {
    const refused = await raw('r6', 'tools/call', { name: 'legacy__elicit', arguments: {}, _meta: envelope });
    expect(refused.error).toMatchObject({
      code: -32021,
      data: { requiredCapabilities: { elicitation: {} } },
    });
  });

  it('tells a subscriptions/listen stream of list changes, tagged with its subscription id', async () => {
    const notices = () =>
      host.stdoutLines
        .map((line) => JSON.parse(line) as Line & { params?: Record<string, unknown> })
        .filter((m) => m.method !== undefined && m.id === undefined);
    const listen = { jsonrpc: '2.0', id: 'listen-1', method: 'subscriptions/listen' };
    host.transport.sendRaw(
      JSON.stringify({ ...listen, params: { notifications: { toolsListChanged: true }, _meta: envelope } }) +
        '\n',
    );
    const ack = await waitFor('the acknowledgement', () =>
      notices().find((m) => m.method === 'notifications/subscriptions/acknowledged'),
    );
    expect(ack.params).toMatchObject({
      notifications: { toolsListChanged: true },
      _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen-1' },
    });
    await raw('r7', 'tools/call', {
      name: 'legacy__add-tool',
      arguments: { name: 'added' },
      _meta: envelope,
    });
    const changed = await waitFor('the list change', () =>
      notices().find((m) => m.method === 'notifications/tools/list_changed'),
    );
    expect(changed.params).toMatchObject({ _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen-1' } });
  });
});
