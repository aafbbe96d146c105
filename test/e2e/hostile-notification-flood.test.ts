/**
 * A backend that sends 30,000 log notifications as fast as its stdout takes them. Writing them to the host
 * must not pile up one 'drain' listener per message (that turned a ping after the flood into seconds): the
 * host gets every notification, and a ping afterwards is answered at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHost, callTool } from '../helpers/host.js';
import { fixture } from '../helpers/paths.js';
import { waitFor } from '../helpers/wait.js';

describe('a notification flood from a backend', () => {
  let host: TestHost;
  const floods = () => host.stdoutLines.filter((line) => line.includes('"notifications/message"')).length;

  beforeAll(async () => {
    host = await TestHost.start({
      config: { mcpServers: { raw: { command: process.execPath, args: [fixture('raw-backend.mjs')] } } },
    });
    await host.client.listTools();
  });

  afterAll(async () => {
    expect((await host?.close())?.leftovers).toEqual([]);
  });

  it('leaves a ping answered within 100 ms after 30,000 notifications', async () => {
    const result = await callTool(host, 'raw__flood', { count: 30_000 }, { timeout: 60_000 });
    expect(result.text).toBe('flooded 30000');
    // Log notifications go through the SDK client, a few microtasks behind the fast path's result.
    await waitFor('every notification', () => floods() === 30_000, 20_000);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await host.client.ping();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    expect(times[2]).toBeLessThan(100);
  }, 90_000);
});
