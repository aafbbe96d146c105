/**
 * A 2026-07-28 host in front of 2026-07-28 backends (v2 SDK servers, modern-only, over stdio and over
 * Streamable HTTP): a backend's `input_required` result reaches the host as the backend made it (its own
 * input keys, requests and `requestState`), the host's retry goes back to the backend as the host sent
 * it, a state the backend did not issue is refused by the backend, and the capabilities the host declared
 * on the request are the ones the backend judges; the log level a request asks for reaches the backend,
 * and a `subscriptions/listen` stream hears of updates to the resources it names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHost } from '../helpers/host.js';
import { fixture, fixtureStartArgs } from '../helpers/paths.js';
import { startHttpServer, type RunningServer } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

type Line = { id?: unknown; method?: string; result?: Record<string, unknown>; error?: { code: number } };

const envelope = (capabilities: Record<string, unknown>) => ({
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': capabilities,
  'io.modelcontextprotocol/clientInfo': { name: 'modern-host', version: '1.0.0' },
});
const declared = envelope({ elicitation: {} });
const WIRE = { MODERN_WIRE_TOOLS: '1' };
type Notice = { id?: unknown; method?: string; params?: Record<string, unknown> };

describe('a 2026-07-28 host in front of 2026-07-28 backends', () => {
  let server: RunningServer;
  let host: TestHost;

  beforeAll(async () => {
    server = await startHttpServer([fixture('modern-server.mjs')], WIRE, '/mcp');
    host = await TestHost.start({
      config: {
        mcpServers: {
          stdio: { command: process.execPath, args: fixtureStartArgs('modern-stdio-server.mjs'), env: WIRE },
          http: { type: 'http', url: server.url },
        },
      },
      connect: false,
    });
    await host.transport.start();
  });
  afterAll(async () => {
    expect((await host?.close())?.leftovers).toEqual([]);
    await server?.close();
  });

  let next = 0;
  /** Writes one request as the host would, and waits for mcp-sentinel's answer to it. */
  const raw = async (method: string, params: Record<string, unknown>): Promise<Line> => {
    const id = `q${++next}`;
    host.transport.sendRaw(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    return waitFor(`the answer to ${id}`, () =>
      host.stdoutLines.map((line) => JSON.parse(line) as Line).find((m) => m.id === id && !m.method),
    );
  };

  it.each(['stdio', 'http'])(
    'passes the %s backend\u2019s input_required through, and the retry back',
    async (backend) => {
      const tool = `${backend}__sign`;
      const first = await raw('tools/call', { name: tool, arguments: { what: 'it' }, _meta: declared });
      expect(first.result).toMatchObject({
        resultType: 'input_required',
        inputRequests: {
          signature: {
            method: 'elicitation/create',
            params: expect.objectContaining({ message: 'Sign it?' }),
          },
        },
        requestState: 'state:it',
      });
      const signature = { action: 'accept', content: { confirm: true } };
      const done = await raw('tools/call', {
        name: tool,
        arguments: { what: 'it' },
        inputResponses: { signature },
        requestState: 'state:it',
        _meta: declared,
      });
      expect(done.result).toMatchObject({
        resultType: 'complete',
        content: [{ type: 'text', text: 'signed it: {"confirm":true}' }],
      });
      // A state the backend did not issue is the backend's to refuse.
      const forged = await raw('tools/call', {
        name: tool,
        arguments: { what: 'it' },
        inputResponses: { signature },
        requestState: 'forged',
        _meta: declared,
      });
      expect(forged.error?.code).toBe(-32602);
    },
  );

  it.each(['stdio', 'http'])(
    'lets the %s backend judge the capabilities the host declared on the request',
    async (backend) => {
      const refused = await raw('tools/call', {
        name: `${backend}__confirm`,
        arguments: { what: 'it' },
        _meta: envelope({ sampling: {} }),
      });
      // The backend's own refusal (its SDK names the input), not the one mcp-sentinel's bridge makes.
      expect(refused.error).toMatchObject({
        code: -32021,
        message: expect.stringContaining("Cannot request input 'confirm'"),
        data: { requiredCapabilities: { elicitation: { form: {} } } },
      });
      expect(host.nonProtocolStdout()).toEqual([]);
    },
  );

  const notices = () =>
    host.stdoutLines.map((line) => JSON.parse(line) as Notice).filter((m) => m.method && m.id === undefined);

  it.each(['stdio', 'http'])('gives the %s backend the log level the request asks for', async (backend) => {
    const message = `logged by ${backend}`;
    await raw('tools/call', {
      name: `${backend}__log`,
      arguments: { message },
      _meta: { ...declared, 'io.modelcontextprotocol/logLevel': 'info' },
    });
    // The message comes before the result it belongs to.
    expect(notices().some((m) => m.method === 'notifications/message' && m.params?.data === message)).toBe(
      true,
    );
  });

  it('tells a subscriptions/listen stream of updates to the resources it names', async () => {
    host.transport.sendRaw(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'listen-1',
        method: 'subscriptions/listen',
        params: { notifications: { resourceSubscriptions: ['modern://note'] }, _meta: declared },
      }) + '\n',
    );
    await waitFor('the acknowledgement', () =>
      notices().find((m) => m.method === 'notifications/subscriptions/acknowledged'),
    );
    // Both backends have the URI: the subscription goes to the one that lists it first.
    await raw('tools/call', { name: 'stdio__touch', arguments: {}, _meta: declared });
    await raw('tools/call', { name: 'http__touch', arguments: {}, _meta: declared });
    const updated = await waitFor('the update', () =>
      notices().find((m) => m.method === 'notifications/resources/updated'),
    );
    expect(updated.params).toMatchObject({
      uri: 'modern://note',
      _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen-1' },
    });
  });
});
