/**
 * Everything the protocol carries gets through, both ways: progress in order and none dropped, cancellation
 * to the backend's own request id, timeouts, reverse requests (sampling, elicitation, roots) when the host
 * has the capability and a clear refusal when it has not, logging, list changes and resource subscriptions.
 * Each case runs against stdio, Streamable HTTP and SSE backends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CallToolResultSchema,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ElicitationCompleteNotificationSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { TestHost, callTool } from '../helpers/host.js';
import {
  TRANSPORTS,
  behaviourBackend,
  readRecord,
  responsesTo,
  sendRawCall,
  sendRawCancel,
  stdoutMessages,
  type BehaviourBackend,
} from '../helpers/reliability.js';
import { waitFor } from '../helpers/wait.js';

describe.each(TRANSPORTS)('protocol completeness through the aggregator, %s backends', (transport) => {
  let host: TestHost;
  let backends: BehaviourBackend[] = [];
  let dir: string;
  let record: string;
  let sampled: AbortSignal | undefined;
  const logs: unknown[] = [];
  const updated: string[] = [];
  let listChanged = 0;
  const completedElicitations: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sentinel-protocol-'));
    record = join(dir, 'record.jsonl');
    backends = await Promise.all([
      // Generous: sampling, elicitation, roots and 20 progress steps must fit on a loaded machine.
      behaviourBackend(transport, 'fx', { FIXTURE_RECORD: record }, { timeoutMs: 30_000 }),
      // Its own backend for the timeout test, so a short timeout cannot fail the others.
      behaviourBackend(transport, 'short', { FIXTURE_RECORD: record }, { timeoutMs: 400 }),
      behaviourBackend(transport, 'other'),
    ]);
    const [fx, short, other] = backends.map((backend) => backend.entry);
    host = await TestHost.start({
      capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: { listChanged: true } },
      config: { mcpServers: { fx, short, other } },
      connect: false,
    });
    host.client.setRequestHandler(CreateMessageRequestSchema, async (request, extra) => {
      if (JSON.stringify(request.params.messages).includes('to be cancelled')) {
        // The sample-cancel tool's request: answered only if its cancellation never comes.
        sampled = extra.signal;
        const ended = AbortSignal.any([extra.signal, AbortSignal.timeout(20_000)]);
        await new Promise((resolve) => ended.addEventListener('abort', resolve, { once: true }));
        throw new Error('aborted');
      }
      return { model: 'test-model', role: 'assistant', content: { type: 'text', text: 'sampled!' } };
    });
    host.client.setRequestHandler(ElicitRequestSchema, async (request) =>
      request.params.mode === 'url' ? { action: 'accept' } : { action: 'accept', content: { who: 'tester' } },
    );
    host.client.setNotificationHandler(
      ElicitationCompleteNotificationSchema,
      (n) => void completedElicitations.push(n.params.elicitationId),
    );
    host.client.setRequestHandler(ListRootsRequestSchema, async () => ({
      roots: [{ uri: 'file:///work', name: 'work' }],
    }));
    host.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
    host.client.setNotificationHandler(
      ResourceUpdatedNotificationSchema,
      (n) => void updated.push(n.params.uri),
    );
    host.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
    await host.client.connect(host.transport);
    await host.client.listTools();
  });

  afterAll(async () => {
    const closed = await host?.close();
    await Promise.all(backends.map((backend) => backend.close()));
    rmSync(dir, { recursive: true, force: true });
    expect(closed?.leftovers).toEqual([]);
  });

  it('relays every progress notification under the host token, in order, the last one before the result', async () => {
    const token = 'progress-token-1';
    const result = await host.client.request(
      {
        method: 'tools/call',
        params: { name: 'fx__progress', arguments: { steps: 20 }, _meta: { progressToken: token } },
      },
      CallToolResultSchema,
    );
    expect(result.content[0]).toMatchObject({ text: 'fx/progress: 20 steps' });
    // Read the wire, not the SDK client, which can itself drop a progress sent in the same chunk (sdk #2580).
    const messages = stdoutMessages(host);
    const progress = messages
      .map((m, index) => ({ m, index }))
      .filter(
        ({ m }) =>
          m.method === 'notifications/progress' &&
          (m.params as { progressToken?: string }).progressToken === token,
      );
    expect(progress.map(({ m }) => (m.params as { progress: number }).progress)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const responseIndex = messages.findIndex(
      (m) => !('method' in m) && JSON.stringify(m.result ?? '').includes('fx/progress: 20 steps'),
    );
    expect(progress.at(-1)!.index).toBeLessThan(responseIndex);
  });

  it('keeps a call alive past the backend\u2019s timeoutMs while its progress keeps arriving', async () => {
    const started = Date.now();
    // short's timeoutMs is 400: four steps 250 ms apart take twice that, each gap well under it.
    const result = await host.client.request(
      {
        method: 'tools/call',
        params: {
          name: 'short__progress',
          arguments: { steps: 4, intervalMs: 250 },
          _meta: { progressToken: 'keep-alive' },
        },
      },
      CallToolResultSchema,
      { timeout: 30_000 },
    );
    expect(result.content[0]).toMatchObject({ text: 'short/progress: 4 steps' });
    expect(Date.now() - started).toBeGreaterThan(400);
  });

  it('forwards a host cancellation to the backend under the backend\u2019s own request id, and answers nothing after it', async () => {
    const calls = () => readRecord(record).filter((e) => e.name === 'fx' && e.event === 'call');
    const before = calls().length;
    const id = `cancel-${transport}`;
    sendRawCall(host, id, 'fx__hang');
    // Cancel only once the call has reached the backend, or there would be nothing to cancel there.
    await waitFor('the call to reach fx', () => calls().length > before);
    sendRawCancel(host, id);
    const cancelled = await waitFor('the backend to see the cancellation', () =>
      readRecord(record).find((e) => e.name === 'fx' && e.event === 'cancelled'),
    );
    // The cancellation names the very request the backend received, under the id the sentinel gave it.
    expect(calls().at(-1)!.requestId).toEqual(cancelled.requestId);
    expect(cancelled.requestId).not.toEqual(id);
    // On every transport that id is the forwarder's own.
    expect(String(cancelled.requestId)).toMatch(/^sentinel-\d+$/);
    // A later call to the same backend is answered, and the cancelled one still is not.
    expect((await callTool(host, 'fx__echo', { after: 'cancel' })).text).toBe('fx/echo: {"after":"cancel"}');
    expect(responsesTo(host, id)).toEqual([]);
  });

  it('times a request out after the backend\u2019s timeoutMs, naming the backend, and cancels it there', async () => {
    const cancelledAtShort = () =>
      readRecord(record).filter((e) => e.name === 'short' && e.event === 'cancelled').length;
    const before = cancelledAtShort();
    const started = Date.now();
    await expect(callTool(host, 'short__hang')).rejects.toThrow(/backend "short": Request timed out/);
    expect(Date.now() - started).toBeLessThan(2_000);
    await waitFor('the timeout cancellation', () => cancelledAtShort() > before);
  });

  it('relays sampling, elicitation and roots requests to a host that declared them', async () => {
    expect((await callTool(host, 'fx__sample')).text).toContain('sampled!');
    expect(JSON.parse((await callTool(host, 'fx__elicit')).text)).toMatchObject({
      action: 'accept',
      content: { who: 'tester' },
    });
    expect(JSON.parse((await callTool(host, 'fx__roots')).text)).toEqual({
      roots: [{ uri: 'file:///work', name: 'work' }],
    });
  });

  it('tells the host of the end of a URL elicitation the backend asked it for, and of no other', async () => {
    const id = `consent-${transport}`;
    const { text } = await callTool(host, 'fx__elicit', { url: 'https://consent.example/approve', id });
    expect(JSON.parse(text)).toEqual({ action: 'accept' });
    await waitFor('the elicitation to be told complete', () => completedElicitations.includes(id));
    // The backend ended another elicitation first, one it never asked for: that one stays with it.
    expect(completedElicitations).toEqual([id]);
  });

  it('passes a backend\u2019s cancellation of its own sampling request on to the host', async () => {
    const { text } = await callTool(host, 'fx__sample-cancel');
    expect(text).toMatch(/^cancelled/);
    await waitFor('the host handler to be aborted', () => sampled?.aborted === true);
  });

  it('forwards logging/setLevel to every backend and relays their log messages tagged with the backend', async () => {
    await host.client.setLoggingLevel('warning');
    for (const backend of ['fx', 'short']) {
      await waitFor(`setLevel at ${backend}`, () =>
        readRecord(record).find((e) => e.name === backend && e.event === 'setLevel' && e.level === 'warning'),
      );
    }
    await callTool(host, 'fx__log', { level: 'info', message: 'too quiet' });
    await callTool(host, 'fx__log', { level: 'error', message: 'loud enough' });
    const entry = await waitFor('a relayed log message', () =>
      logs.find((l) => (l as { data?: string }).data === 'loud enough'),
    );
    expect(entry).toMatchObject({ level: 'error', logger: 'fx/fx' });
    expect(logs.some((l) => (l as { data?: string }).data === 'too quiet')).toBe(false);
  });

  it('re-lists after a burst of tools/list_changed and tells the host once', async () => {
    const before = listChanged;
    await callTool(host, 'fx__add-tool', { name: 'fresh' });
    await waitFor('list_changed at the host', () => listChanged > before);
    const { tools } = await host.client.listTools();
    expect(tools.map((t) => t.name)).toContain('fx__fresh');
    expect((await callTool(host, 'fx__fresh', { n: 1 })).text).toBe('fx/fresh: {"n":1}');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(listChanged - before).toBe(1);
  });

  it('routes resource subscriptions to the owning backend and relays resources/updated', async () => {
    const uri = 'fixture://fx/info';
    await host.client.subscribeResource({ uri });
    await waitFor('subscribe at fx', () =>
      readRecord(record).find((e) => e.name === 'fx' && e.event === 'subscribe' && e.uri === uri),
    );
    expect((await callTool(host, 'fx__touch', { uri })).text).toBe('touched');
    await waitFor('resources/updated at the host', () => updated.includes(uri));
    await host.client.unsubscribeResource({ uri });
    await waitFor('unsubscribe at fx', () =>
      readRecord(record).find((e) => e.name === 'fx' && e.event === 'unsubscribe' && e.uri === uri),
    );
  });

  it('answers ping from the host, and a backend\u2019s ping gets an answer too', async () => {
    await expect(host.client.ping()).resolves.toBeDefined();
    expect((await callTool(host, 'fx__ping')).text).toBe('pong');
  });

  it('relays a backend\u2019s JSON-RPC error unchanged', async () => {
    const error = await callTool(host, 'fx__fail').then(
      () => undefined,
      (e: unknown) => e as { code: number; message: string; data: unknown },
    );
    expect(error).toMatchObject({ code: -32042, data: { why: 'asked to' } });
    expect(error!.message).toContain('asked to fail');
  });

  it('wrote nothing but JSON-RPC to stdout', () => {
    expect(host.nonProtocolStdout()).toEqual([]);
  });
});

describe.each(TRANSPORTS)('reverse requests when the host lacks the capability, %s backend', (transport) => {
  it('refuses sampling, elicitation and roots with a reason, and the call fails cleanly', async () => {
    const fx = await behaviourBackend(transport, 'fx');
    const host = await TestHost.start({ config: { mcpServers: { fx: fx.entry } } });
    try {
      await host.client.listTools();
      for (const [tool, capability] of [
        ['fx__sample', 'sampling'],
        ['fx__elicit', 'elicitation'],
        ['fx__roots', 'roots'],
      ] as const) {
        await expect(callTool(host, tool)).rejects.toThrow(
          new RegExp(`did not declare the "${capability}" capability`),
        );
      }
      expect((await callTool(host, 'fx__echo', { ok: 1 })).text).toBe('fx/echo: {"ok":1}');
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
      await fx.close();
    }
  });
});
