/**
 * The dispatch stage of the host pipeline in-process: the requests the router has handlers for are
 * answered there with params and results exactly as they came (the SDK's 2025 codec would rewrite a
 * tool's non-object output schema and lift 2026-07-28 fields), failures as JSON-RPC errors with the
 * thrower's code, message and data; the host's cancellation and its going away abort the handler, whose
 * late answer is never sent; everything else goes on to the SDK server.
 */
import { describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { createDispatchStage } from '../../src/aggregator/pipeline/dispatch.js';
import { RequestRouter } from '../../src/aggregator/router.js';
import type { Handler } from '../../src/aggregator/parts.js';
import { waitFor } from '../helpers/wait.js';

const request = (id: number | string, method: string, params?: Record<string, unknown>) =>
  ({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }) as JSONRPCMessage;

function setUp(handlers: Record<string, Handler>) {
  const sent: Record<string, unknown>[] = [];
  const passed: JSONRPCMessage[] = [];
  const dispatch = createDispatchStage(new RequestRouter().define(handlers), async (message) => {
    sent.push(message as Record<string, unknown>);
  });
  const deliver = (message: JSONRPCMessage) => dispatch.stage(message, (m) => void passed.push(m));
  const answerTo = (id: number | string) =>
    waitFor(`the answer to ${id}`, () => sent.find((m) => m.id === id));
  return { dispatch, sent, passed, deliver, answerTo };
}

const NON_OBJECT_OUTPUT = {
  name: 'count',
  inputSchema: { type: 'object' },
  outputSchema: { type: 'integer' },
};

describe('the dispatch stage', () => {
  it.each([
    {
      name: 'a tool list with a non-object output schema, unchanged',
      method: 'tools/list',
      params: undefined,
      handler: (async () => ({ tools: [NON_OBJECT_OUTPUT] })) as Handler,
      expected: { result: { tools: [NON_OBJECT_OUTPUT] } },
    },
    {
      name: 'params with 2026-07-28 envelope keys and retry fields, unchanged',
      method: 'tools/call',
      params: {
        name: 'x',
        _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' },
        inputResponses: { a: { action: 'accept' } },
        requestState: 'opaque',
      },
      handler: (async (given) => ({ given })) as Handler,
      expected: {
        result: {
          given: {
            name: 'x',
            _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' },
            inputResponses: { a: { action: 'accept' } },
            requestState: 'opaque',
          },
        },
      },
    },
    {
      name: "a backend's -32002 with its data, unchanged",
      method: 'resources/read',
      params: { uri: 'x://gone' },
      handler: (async () => {
        throw Object.assign(new Error('Resource not found'), { code: -32002, data: { uri: 'x://gone' } });
      }) as Handler,
      expected: { error: { code: -32002, message: 'Resource not found', data: { uri: 'x://gone' } } },
    },
    {
      name: 'a failure without a code, as an internal error',
      method: 'prompts/get',
      params: {},
      handler: (() => {
        throw new Error('broken at once');
      }) as unknown as Handler,
      expected: { error: { code: -32603, message: 'broken at once' } },
    },
  ])('answers $name', async ({ method, params, handler, expected }) => {
    const { deliver, answerTo, passed } = setUp({ [method]: handler });
    deliver(request(1, method, params));
    expect(await answerTo(1)).toEqual({ jsonrpc: '2.0', id: 1, ...expected });
    expect(passed).toEqual([]);
  });

  it('sends what a handler notifies before its answer, in order', async () => {
    const { deliver, sent, answerTo } = setUp({
      'tools/call': async (_params, context) => {
        await context.sendNotification({ method: 'notifications/progress', params: { progress: 1 } });
        return { content: [] };
      },
    });
    deliver(request('a', 'tools/call', { name: 'x' }));
    await answerTo('a');
    expect(sent.map((m) => m.method ?? `answer ${String(m.id)}`)).toEqual([
      'notifications/progress',
      'answer a',
    ]);
  });

  it.each([
    {
      name: 'the host cancels it',
      end: (deliver: (m: JSONRPCMessage) => void) =>
        deliver({
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: 5 },
        } as JSONRPCMessage),
    },
    { name: 'the host goes away', end: (_deliver: unknown, close: () => void) => close() },
  ])('aborts a handler when $name, and never sends its late answer', async ({ end }) => {
    let signal: AbortSignal | undefined;
    let finish!: () => void;
    const { dispatch, deliver, sent } = setUp({
      'tools/call': async (_params, context) => {
        signal = context.signal;
        await new Promise<void>((resolve) => (finish = resolve));
        return { content: [] };
      },
    });
    deliver(request(5, 'tools/call', { name: 'x' }));
    await waitFor('the handler running', () => signal);
    end(deliver, () => dispatch.close());
    expect(signal!.aborted).toBe(true);
    finish();
    await new Promise((resolve) => setImmediate(resolve)); // every microtask of the late answer has run
    expect(sent).toEqual([]);
  });

  it.each([
    { name: 'ping', message: request(1, 'ping') },
    { name: 'a method nobody handles', message: request(2, 'no/such') },
    { name: "the host's answer to a backend's request", message: { jsonrpc: '2.0', id: 0, result: {} } },
    { name: 'a notification', message: { jsonrpc: '2.0', method: 'notifications/initialized' } },
    {
      name: 'a cancellation (the SDK server may have that request)',
      message: { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 9 } },
    },
  ])('hands $name on to the SDK server', ({ message }) => {
    const { deliver, passed, sent } = setUp({ 'tools/list': async () => ({ tools: [] }) });
    deliver(message as JSONRPCMessage);
    expect(passed).toEqual([message]);
    expect(sent).toEqual([]);
  });
});
