/**
 * A 2025-era host in front of 2026-07-28-only backends (v2 SDK servers, over stdio and over Streamable
 * HTTP) gets what the 2025 era gives it, carried over the 2026-07-28 wire: every progress notification of
 * a call (the last one right before the result included), log messages at the level it set with
 * `logging/setLevel`, the backend's sampling and elicitation as requests to it, and updates of a resource
 * it subscribed to (a `subscriptions/listen` stream at the backend).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CallToolResultSchema,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { TestHost, callTool } from '../helpers/host.js';
import { fixture, fixtureStartArgs } from '../helpers/paths.js';
import { startHttpServer, type RunningServer } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

const WIRE = { MODERN_WIRE_TOOLS: '1' };

describe.each(['stdio', 'http'] as const)('a 2025-era host in front of a 2026-07-28 %s backend', (kind) => {
  let server: RunningServer | undefined;
  let host: TestHost;
  const logs: string[] = [];
  const updates: string[] = [];
  const prompts: string[] = [];

  beforeAll(async () => {
    if (kind === 'http') server = await startHttpServer([fixture('modern-server.mjs')], WIRE, '/mcp');
    const entry =
      kind === 'http'
        ? { type: 'http', url: server!.url }
        : { command: process.execPath, args: fixtureStartArgs('modern-stdio-server.mjs'), env: WIRE };
    host = await TestHost.start({
      capabilities: { sampling: {}, elicitation: {} },
      config: { mcpServers: { modern: entry } },
      connect: false,
    });
    host.client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      const first = request.params.messages[0]?.content;
      prompts.push(first && 'text' in first ? String(first.text) : '');
      return {
        role: 'assistant',
        content: { type: 'text', text: 'Paris' },
        model: 'm',
        stopReason: 'endTurn',
      };
    });
    host.client.setRequestHandler(ElicitRequestSchema, async () => ({
      action: 'accept',
      content: { confirm: true },
    }));
    host.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logs.push(String(n.params.data));
    });
    host.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updates.push(n.params.uri);
    });
    await host.client.connect(host.transport);
  });
  afterAll(async () => {
    expect((await host?.close())?.leftovers).toEqual([]);
    await server?.close();
  });

  it('relays every progress notification of a call, in order, before its result', async () => {
    // Read on the wire: the SDK client in the test drops progress that arrives in the same read as the
    // result (it dispatches notifications a microtask late), which says nothing about mcp-sentinel.
    type Line = { id?: unknown; method?: string; params?: { progressToken?: unknown; progress?: number } };
    for (let round = 0; round < 5; round++) {
      const from = host.stdoutLines.length;
      await host.client.callTool({ name: 'modern__progress', arguments: {} }, CallToolResultSchema, {
        onprogress: () => undefined,
      });
      const lines = host.stdoutLines.slice(from).map((line) => JSON.parse(line) as Line);
      const result = lines.findIndex((m) => m.id !== undefined && m.method === undefined);
      const progress = lines.slice(0, result).filter((m) => m.method === 'notifications/progress');
      expect(progress.map((m) => m.params?.progress)).toEqual([0, 50, 100]);
      expect(progress.every((m) => m.params?.progressToken === lines[result]!.id)).toBe(true);
    }
  });

  it('sends log messages at the level the host set', async () => {
    await host.client.setLoggingLevel('info');
    expect(await callTool(host, 'modern__log', { message: 'seen at info' })).toMatchObject({
      text: 'logged',
    });
    await waitFor('the log message', () => logs.includes('seen at info'));
    await host.client.setLoggingLevel('error');
    await callTool(host, 'modern__log', { message: 'not at error' });
    // The message of a call comes before its result: a second call's result means none was sent.
    await callTool(host, 'modern__echo', { text: 'after' });
    expect(logs).not.toContain('not at error');
  });

  it('asks the host for sampling and elicitation, and gives the answers to the backend', async () => {
    expect(await callTool(host, 'modern__sample', { prompt: 'Capital of France?' })).toEqual({
      text: 'sampled: Paris',
      isError: false,
    });
    expect(prompts).toEqual(['Capital of France?']);
    expect(await callTool(host, 'modern__confirm', { what: 'it' })).toMatchObject({
      text: 'confirmed it: {"confirm":true}',
    });
  });

  it('tells the host of updates to a resource it subscribed to, until it unsubscribes', async () => {
    await host.client.subscribeResource({ uri: 'modern://note' });
    await callTool(host, 'modern__touch', {});
    await waitFor('the update', () => updates.includes('modern://note'));
    await host.client.unsubscribeResource({ uri: 'modern://note' });
    await callTool(host, 'modern__touch', {});
    // Subscribed again, a change is told once more: the one made while unsubscribed never was.
    await host.client.subscribeResource({ uri: 'modern://note' });
    await callTool(host, 'modern__touch', {});
    await waitFor('the update after subscribing again', () => updates.length >= 2);
    await callTool(host, 'modern__echo', { text: 'after' });
    expect(updates).toEqual(['modern://note', 'modern://note']);
    expect(host.nonProtocolStdout()).toEqual([]);
  });
});
