/**
 * The modern-host gateway in-process, between a scripted 2026-07-28 host and a scripted 2025-era server:
 * requests reach the server without the envelope under ids of the gateway's own, backend requests made
 * together reach the host as one input_required, the retry answers them and gets the final answer, an
 * undeclared capability fails the request with -32021, and a host that never retries is given up on; a
 * 2026-07-28 backend's own input_required reaches the host as it was, and the retry goes back as sent.
 */
import { describe, expect, it } from 'vitest';
import { ModernHostGateway } from '../../src/aggregator/modern-host/index.js';
import { waitFor } from '../helpers/wait.js';

type Message = Record<string, unknown> & {
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
};

const envelope = (capabilities: Record<string, unknown>) => ({
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': capabilities,
});
const silent = { debug() {}, info() {}, warn() {}, error() {} } as never;

function setUp(retryWindowMs = 60_000) {
  const toHost: Message[] = [];
  const toServer: Message[] = [];
  const gateway = new ModernHostGateway({
    sendToHost: async (m) => void toHost.push(m),
    deliver: (m) => void toServer.push(m),
    discover: async () => ({ capabilities: { tools: {} }, instructions: '' }),
    serverInfo: { name: 'mcp-sentinel', version: '1' },
    retryWindowMs,
    log: silent,
  });
  const host = (message: Message) => {
    expect(gateway.takes(message)).toBe(true);
    gateway.receive(message);
  };
  /** The request the server got for a host request, by method (the last one). */
  const atServer = (method: string) => [...toServer].reverse().find((m) => m.method === method)!;
  return { gateway, toHost, toServer, host, atServer };
}

describe('the modern-host gateway', () => {
  it('hands requests on without the envelope, and answers with the host id and resultType', async () => {
    const { gateway, toHost, toServer, host, atServer } = setUp();
    host({ jsonrpc: '2.0', id: 7, method: 'tools/list', params: { _meta: envelope({}) } });
    const forwarded = atServer('tools/list');
    expect(forwarded).toMatchObject({ params: {} });
    expect(String(forwarded.id)).toMatch(/^sentinel-modern-/);
    // The 2025-era server hears that the host is initialized, never an initialize it does not need.
    expect(atServer('notifications/initialized')).toBeDefined();
    expect(toServer.some((m) => m.method === 'initialize')).toBe(false);
    await gateway.send({ jsonrpc: '2.0', id: forwarded.id, result: { tools: [] } });
    expect(toHost.at(-1)).toMatchObject({ id: 7, result: { tools: [], resultType: 'complete', ttlMs: 0 } });
  });

  it('gathers backend requests into one input_required, and the retry answers them', async () => {
    const { gateway, toHost, toServer, host, atServer } = setUp();
    host({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'ask', _meta: envelope({ elicitation: {}, sampling: {} }) },
    });
    const call = atServer('tools/call');
    await gateway.send({
      jsonrpc: '2.0',
      id: 100,
      method: 'elicitation/create',
      params: { message: 'name?' },
    });
    await gateway.send({
      jsonrpc: '2.0',
      id: 101,
      method: 'sampling/createMessage',
      params: { maxTokens: 1 },
    });
    const round = await waitFor('the input_required', () => toHost.find((m) => m.id === 1));
    const result = round.result as { inputRequests: Record<string, unknown>; requestState: string };
    expect(result).toMatchObject({ resultType: 'input_required' });
    expect(Object.keys(result.inputRequests)).toEqual(['elicitation-1', 'sampling-2']);
    host({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: {
        name: 'ask',
        requestState: result.requestState,
        inputResponses: {
          'elicitation-1': { action: 'accept', content: { n: 'Ada' } },
          'sampling-2': { role: 'assistant' },
        },
        _meta: envelope({ elicitation: {}, sampling: {} }),
      },
    });
    expect(toServer.filter((m) => m.id === 100 || m.id === 101).map((m) => m.result)).toEqual([
      { action: 'accept', content: { n: 'Ada' } },
      { role: 'assistant' },
    ]);
    await gateway.send({ jsonrpc: '2.0', id: call.id, result: { content: [] } });
    expect(toHost.at(-1)).toMatchObject({ id: 2, result: { content: [], resultType: 'complete' } });
  });

  it('fails a request whose backend asks only what it did not declare (-32021), refusing the backend', async () => {
    const { gateway, toHost, toServer, host } = setUp();
    host({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ask', _meta: envelope({}) } });
    await gateway.send({ jsonrpc: '2.0', id: 100, method: 'roots/list' });
    const failed = await waitFor('the failure', () => toHost.find((m) => m.id === 1));
    expect(failed.error).toMatchObject({ code: -32021, data: { requiredCapabilities: { roots: {} } } });
    expect(toServer.find((m) => m.id === 100)?.error).toMatchObject({ code: -32601 });
  });

  it('gives up on a host that never retries: the backend is refused and the request cancelled', async () => {
    const { gateway, toHost, toServer, host, atServer } = setUp(50);
    host({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'ask', _meta: envelope({ elicitation: {} }) },
    });
    const call = atServer('tools/call');
    await gateway.send({ jsonrpc: '2.0', id: 100, method: 'elicitation/create', params: { message: '?' } });
    const round = await waitFor('the input_required', () => toHost.find((m) => m.id === 1));
    const { requestState } = round.result as { requestState: string };
    await waitFor('the cancellation', () =>
      toServer.find((m) => m.method === 'notifications/cancelled' && m.params?.requestId === call.id),
    );
    expect(toServer.find((m) => m.id === 100)?.error).toMatchObject({ code: -32601 });
    // A state the gateway no longer knows is not its to judge: it goes on, for the backend to refuse.
    host({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'ask', requestState, inputResponses: {}, _meta: envelope({ elicitation: {} }) },
    });
    expect(atServer('tools/call')).toMatchObject({
      params: { name: 'ask', requestState, inputResponses: {} },
    });
  });

  it('passes a backend\u2019s own input_required to the host, and the retry back, as they were', async () => {
    const { gateway, toHost, host, atServer } = setUp();
    const declared = envelope({ elicitation: {} });
    host({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ask', _meta: declared } });
    const first = atServer('tools/call');
    // The backend judges what the host declared, under the envelope's own key.
    expect(first.params?._meta).toEqual({
      'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
    });
    const own = {
      resultType: 'input_required',
      inputRequests: { user_name: { method: 'elicitation/create', params: { message: 'Name?' } } },
      requestState: 'backend-state',
    };
    await gateway.send({ jsonrpc: '2.0', id: first.id, result: own });
    expect(toHost.at(-1)).toMatchObject({ id: 1, result: own });
    const answers = { user_name: { action: 'accept', content: { name: 'Ada' } } };
    host({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'ask', inputResponses: answers, requestState: 'backend-state', _meta: declared },
    });
    const retry = atServer('tools/call');
    expect(retry.id).not.toBe(first.id);
    expect(retry.params).toMatchObject({
      name: 'ask',
      inputResponses: answers,
      requestState: 'backend-state',
    });
    await gateway.send({ jsonrpc: '2.0', id: retry.id, result: { content: [] } });
    expect(toHost.at(-1)).toMatchObject({ id: 2, result: { content: [], resultType: 'complete' } });
    host({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'ask', inputResponses: null, _meta: declared },
    });
    expect(toHost.at(-1)).toMatchObject({ id: 3, error: { code: -32602 } });
  });
});
