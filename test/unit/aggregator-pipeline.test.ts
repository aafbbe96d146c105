/**
 * The stages of the host pipeline in-process: the order stages run in, early-initialize holding what
 * the host sends until `initialize` is answered (and keeping `initialize` to itself), and the end of it
 * (serve's own, or the SDK server of the try commands) answering through the request router without
 * ever having seen `initialize` (unknown methods refused, logging/setLevel ours, not the SDK's, the
 * host's reverse-request answers, timeouts and cancellations).
 */
import { describe, expect, it } from 'vitest';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import type { BackendManager } from '../../src/backends/manager.js';
import { composeStages, type Stage } from '../../src/aggregator/pipeline/stages.js';
import { createEarlyInitialize } from '../../src/aggregator/pipeline/early-initialize.js';
import { SdkLink } from '../../src/aggregator/pipeline/sdk-link.js';
import { createHostServer } from '../../src/aggregator/host-server.js';
import { createHostPeer } from '../../src/aggregator/pipeline/host-peer.js';
import { RequestRouter } from '../../src/aggregator/router.js';
import { waitFor } from '../helpers/wait.js';

const request = (id: number, method: string, params?: Record<string, unknown>) =>
  ({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }) as JSONRPCMessage;
const notification = (method: string) => ({ jsonrpc: '2.0', method }) as JSONRPCMessage;
const initialize = (id: number) =>
  request(id, 'initialize', {
    protocolVersion: '2025-06-18',
    capabilities: { roots: {} },
    clientInfo: { name: 'test-host', version: '1' },
  });
const describeMessage = (m: JSONRPCMessage) =>
  'method' in m ? `${m.method}${'id' in m ? `#${String(m.id)}` : ''}` : `response#${String(m.id)}`;

describe('composeStages', () => {
  const taking =
    (name: string, takes: string, seen: string[]): Stage =>
    (message, next) => {
      seen.push(name);
      if (!('method' in message) || message.method !== takes) next(message);
    };

  it.each([
    { method: 'a', stages: ['one'], end: false },
    { method: 'b', stages: ['one', 'two'], end: false },
    { method: 'c', stages: ['one', 'two'], end: true },
  ])('$method runs through $stages (end reached: $end)', ({ method, stages, end }) => {
    const seen: string[] = [];
    let ended = false;
    const deliver = composeStages([taking('one', 'a', seen), taking('two', 'b', seen)], () => (ended = true));
    deliver(notification(method));
    expect(seen).toEqual(stages);
    expect(ended).toBe(end);
  });
});

describe('early-initialize', () => {
  function gate() {
    const sent: JSONRPCMessage[] = [];
    const delivered: string[] = [];
    const early = createEarlyInitialize(async (message) => void sent.push(message));
    let answer!: (result: Record<string, unknown>) => void;
    const answered = new Promise<Record<string, unknown>>((resolve) => (answer = resolve));
    const versions: unknown[] = [];
    let answeredEarly = 0;
    const connect = () =>
      early.connect({
        answer: (version) => {
          versions.push(version);
          return answered;
        },
        answeredEarly: () => void answeredEarly++,
        deliver: (m) => void delivered.push(describeMessage(m)),
      });
    return { early, sent, delivered, connect, answer, versions, answeredEarly: () => answeredEarly };
  }

  it.each([
    {
      name: 'holds what comes before the rest of the pipeline exists, then hands it on in order',
      before: [notification('notifications/x'), request(1, 'ping')],
      after: [],
      expected: ['notifications/x', 'ping#1'],
    },
    {
      name: 'holds what comes while initialize waits, and keeps initialize to itself',
      before: [initialize(1), request(2, 'tools/list')],
      after: [request(3, 'ping')],
      expected: ['tools/list#2', 'ping#3'],
    },
    {
      name: 'answers one initialize itself; a second one goes on like any request',
      before: [initialize(1), initialize(2)],
      after: [],
      expected: ['initialize#2'],
    },
  ])('$name', async ({ before, after, expected }) => {
    const { early, sent, delivered, connect, answer } = gate();
    for (const message of before) early.receive(message);
    connect();
    for (const message of after) early.receive(message);
    const initializes = before.filter((m) => 'method' in m && m.method === 'initialize');
    if (initializes.length > 0) {
      expect(delivered).toEqual([]); // nothing passes the answer
      answer({ protocolVersion: '2025-06-18' });
      await waitFor('the held messages', () => delivered.length === expected.length);
      expect(sent).toEqual([{ jsonrpc: '2.0', id: 1, result: { protocolVersion: '2025-06-18' } }]);
    }
    expect(delivered).toEqual(expected);
  });

  it('keeps what the warm start answered for the rest of the pipeline, without answering it again', () => {
    const { early, sent, delivered, connect, answeredEarly } = gate();
    expect(early.beforeConnect()).toBe(true);
    early.answered(initialize(1));
    early.answered(request(2, 'tools/list'));
    expect(early.clientCapabilities()).toEqual({ roots: {} });
    expect(early.clientInfo()).toEqual({ name: 'test-host', version: '1' });
    connect();
    expect(early.beforeConnect()).toBe(false);
    early.receive(request(3, 'ping'));
    expect(delivered).toEqual(['tools/list#2', 'ping#3']);
    expect(sent).toEqual([]);
    expect(answeredEarly()).toBe(1);
  });

  it('passes the asked protocol version to the answer and keeps what the host said of itself', async () => {
    const { early, connect, answer, versions, sent } = gate();
    expect(early.clientCapabilities()).toBeUndefined();
    expect(early.clientInfo()).toBeUndefined();
    early.receive(initialize(7));
    expect(early.clientCapabilities()).toEqual({ roots: {} });
    expect(early.clientInfo()).toEqual({ name: 'test-host', version: '1' });
    connect();
    answer({});
    await waitFor('initialize answered', () => sent.length === 1);
    expect(versions).toEqual(['2025-06-18']);
  });
});

describe.each([
  { end: "the pipeline's own end (serve)", createHost: createHostPeer },
  { end: 'the SDK server (the try commands)', createHost: createHostServer },
])('$end at the end of the pipeline', ({ createHost }) => {
  async function serverWith(router: RequestRouter) {
    const sent: JSONRPCMessage[] = [];
    const manager = { backends: [] } as unknown as BackendManager;
    let initialized = 0;
    const host = createHost(router, manager, () => void initialized++);
    const link = new SdkLink(async (message) => void sent.push(message));
    await host.server.connect(link);
    // As in serve: the SDK server never sees initialize, only the host's notifications/initialized.
    link.deliver(notification('notifications/initialized'));
    await waitFor('initialized', () => initialized === 1);
    return { sent, link, host };
  }
  const response = (sent: JSONRPCMessage[], id: number) =>
    waitFor(`the response to ${id}`, () => sent.find((m) => 'id' in m && m.id === id && !('method' in m)));

  it.each([
    { method: 'tools/list', params: undefined, expected: { result: { tools: [], params: {} } } },
    {
      method: 'logging/setLevel',
      params: { level: 'info' },
      expected: { result: { tools: [], params: { level: 'info' } } },
    },
    {
      method: 'no/such',
      params: undefined,
      expected: { error: { code: -32601, message: 'Method not found' } },
    },
    { method: 'ping', params: undefined, expected: { result: {} } },
  ])('answers $method through the router (or the SDK for ping)', async ({ method, params, expected }) => {
    const router = new RequestRouter().define({
      'tools/list': async (given) => ({ tools: [], params: given }),
      'logging/setLevel': async (given) => ({ tools: [], params: given }),
    });
    const { sent, link } = await serverWith(router);
    link.deliver(request(1, method, params));
    expect(await response(sent, 1)).toMatchObject(expected);
  });

  it('hands a handler the cancellation of its request and a way to notify the host', async () => {
    let aborted: AbortSignal | undefined;
    const router = new RequestRouter().define({
      'slow/op': async (_params, context) => {
        aborted = context.signal;
        await context.sendNotification({
          method: 'notifications/progress',
          params: { progressToken: 't', progress: 1 },
        });
        return new Promise(() => undefined);
      },
    });
    const { sent, link } = await serverWith(router);
    link.deliver(request(2, 'slow/op'));
    await waitFor('the progress notification', () =>
      sent.some((m) => 'method' in m && m.method === 'notifications/progress'),
    );
    link.deliver({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 2 },
    } as JSONRPCMessage);
    await waitFor('the handler aborted', () => aborted?.aborted);
  });

  it.each([
    { name: 'tasks/get', params: { taskId: 'b:1' } },
    {
      name: 'tools/call with envelope keys and multi round-trip fields',
      params: {
        name: 'echo',
        _meta: { 'io.modelcontextprotocol/clientInfo': { name: 'h', version: '1' }, progressToken: 3 },
        inputResponses: { a: { action: 'accept' } },
        requestState: 'opaque',
      },
    },
  ])('hands the router $name with its params as the host sent them', async ({ params }) => {
    const method = 'taskId' in params ? 'tasks/get' : 'tools/call';
    const router = new RequestRouter().define({ [method]: async (given) => ({ given }) });
    const { sent, link } = await serverWith(router);
    link.deliver(request(4, method, params));
    expect(await response(sent, 4)).toMatchObject({ result: { given: params } });
  });

  it.each([
    { name: 'a result', answer: { result: { action: 'accept' } }, expected: { action: 'accept' } },
    {
      name: 'an error, unprefixed',
      answer: { error: { code: -32600, message: 'no thanks', data: { why: 1 } } },
      expected: { code: -32600, message: 'no thanks', data: { why: 1 } },
    },
  ])("carries a backend's request to the host and back: $name", async ({ answer, expected }) => {
    const { sent, link, host } = await serverWith(new RequestRouter());
    const outcome = host
      .request('elicitation/create', { message: 'ok?' }, new AbortController().signal, 5_000)
      .then(
        (result) => result,
        (error: unknown) => ({ ...(error as object), message: (error as Error).message }),
      );
    const asked = await waitFor('the request to the host', () =>
      sent.find((m) => 'method' in m && m.method === 'elicitation/create' && 'id' in m),
    );
    link.deliver({ jsonrpc: '2.0', id: (asked as { id: number }).id, ...answer } as JSONRPCMessage);
    expect(await outcome).toMatchObject(expected);
  });

  it("numbers the backends' requests to the host from 1, their cancellations too", async () => {
    // A host built on the v1 SDK ignores the cancellation of a request numbered 0.
    const { sent, host } = await serverWith(new RequestRouter());
    const asking = new AbortController();
    const outcome = host.request('roots/list', undefined, asking.signal, 5_000).catch(() => 'cancelled');
    await waitFor('the request to the host', () =>
      sent.some((m) => 'method' in m && m.method === 'roots/list'),
    );
    asking.abort();
    expect(await outcome).toBe('cancelled');
    expect(sent.map((m) => ('method' in m ? [m.method, 'id' in m ? m.id : m.params?.requestId] : m))).toEqual(
      [
        ['roots/list', 1],
        ['notifications/cancelled', 1],
      ],
    );
  });

  it("answers a backend's request the host leaves unanswered as a JSON-RPC timeout", async () => {
    const { host } = await serverWith(new RequestRouter());
    const failure = await host
      .request('roots/list', undefined, new AbortController().signal, 50)
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: -32001, message: 'Request timed out' });
  });

  it("fails a backend's request in flight when the host goes away", async () => {
    const { link, host } = await serverWith(new RequestRouter());
    const failure = host
      .request('sampling/createMessage', { messages: [] }, new AbortController().signal, 5_000)
      .catch((error: unknown) => error);
    await link.close();
    expect(await failure).toMatchObject({ code: -32000 });
  });

  it('refuses a method defined twice', () => {
    const router = new RequestRouter().define({ 'a/b': async () => ({}) });
    expect(() => router.define({ 'a/b': async () => ({}) })).toThrow(/defined twice/);
  });
});
