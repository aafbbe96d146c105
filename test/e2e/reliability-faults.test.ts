/**
 * Backends that fail: killed in the middle of concurrent calls, crashing mid-call, exiting right after every
 * start, missing commands, over-size and malformed replies. Each time the others keep working, the failing
 * backend's calls fail fast with an error naming it, and it comes back under the same names when it can.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { TestHost, callTool } from '../helpers/host.js';
import { FAST_RESTARTS, behaviourServer, readRecord } from '../helpers/reliability.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-faults-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const toolNames = async (host: TestHost) => (await host.client.listTools()).tools.map((t) => t.name).sort();

describe('a backend killed in the middle of 50 concurrent calls across three backends', () => {
  it('fails only its own calls, fast and by name, and comes back under the same names', async () => {
    const record = join(dir, 'killed.jsonl');
    const host = await TestHost.start({
      config: {
        settings: FAST_RESTARTS,
        mcpServers: {
          a: behaviourServer('a'),
          b: behaviourServer('b'),
          c: behaviourServer('c', { FIXTURE_RECORD: record }),
        },
      },
      connect: false,
    });
    let listChanged = 0;
    host.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
    await host.client.connect(host.transport);
    try {
      const before = await toolNames(host);
      expect(before.filter((n) => n.startsWith('c__')).length).toBeGreaterThan(3);
      const { pid } = JSON.parse((await callTool(host, 'c__pids')).text) as { pid: number };

      // a and b answer after 2 s; c's calls hang, and each one is recorded when it arrives there.
      const calls = Array.from({ length: 50 }, (_, i) => {
        const backend = ['a', 'b', 'c'][i % 3]!;
        const call =
          backend === 'c'
            ? callTool(host, 'c__hang', { i })
            : callTool(host, `${backend}__slow`, { ms: 2_000, i });
        return call.then(
          (result) => ({ backend, i, ok: !result.isError, text: result.text, at: Date.now() }),
          (error: Error) => ({ backend, i, ok: false, text: error.message, at: Date.now() }),
        );
      });
      await waitFor(
        'all 16 calls to reach c',
        () => readRecord(record).filter((e) => e.event === 'call').length === 16,
      );
      const killedAt = Date.now();
      process.kill(-pid, 'SIGKILL');
      const results = await Promise.all(calls);

      for (const r of results.filter((r) => r.backend !== 'c')) {
        expect(r, JSON.stringify(r)).toMatchObject({
          ok: true,
          text: `${r.backend}/slow: {"ms":2000,"i":${r.i}}`,
        });
        // They were in flight while c was killed.
        expect(r.at).toBeGreaterThan(killedAt);
      }
      const killed = results.filter((r) => r.backend === 'c');
      expect(killed).toHaveLength(16);
      for (const r of killed) {
        expect(r.ok).toBe(false);
        expect(r.text).toMatch(/backend "c" was killed by SIGKILL during the request/);
        expect(r.at - killedAt).toBeLessThan(1_000);
      }

      // Its tools left and came back, under the same names, and they work again.
      await waitFor('c to come back', async () => (await toolNames(host)).includes('c__echo'));
      expect(await toolNames(host)).toEqual(before);
      expect(listChanged).toBeGreaterThanOrEqual(1);
      expect((await callTool(host, 'c__echo', { back: true })).text).toBe('c/echo: {"back":true}');
      const { pid: newPid } = JSON.parse((await callTool(host, 'c__pids')).text) as { pid: number };
      expect(newPid).not.toBe(pid);
      expect(host.nonProtocolStdout()).toEqual([]);
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });
});

describe('crashes, bad replies and restarts', () => {
  let host: TestHost;
  let storm: string;

  beforeAll(async () => {
    storm = join(dir, 'storm.jsonl');
    host = await TestHost.start({
      config: {
        settings: { restart: { initialDelayMs: 100, maxDelayMs: 400, maxRestarts: 3, windowMs: 60_000 } },
        mcpServers: {
          fx: behaviourServer('fx'),
          steady: behaviourServer('steady'),
          storm: behaviourServer('storm', { FIXTURE_MODE: 'exit-after-init', FIXTURE_RECORD: storm }),
          missing: { command: 'definitely-not-a-command-4711' },
        },
      },
    });
    await host.client.listTools();
  });

  afterAll(async () => {
    expect((await host?.close())?.leftovers).toEqual([]);
  });

  it('fails a call at once when its backend crashes mid-call, then restarts it', async () => {
    const started = Date.now();
    await expect(callTool(host, 'fx__crash')).rejects.toThrow(
      /backend "fx" exited with code 1 during the request/,
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await callTool(host, 'steady__echo', { during: 'restart' })).text).toBe(
      'steady/echo: {"during":"restart"}',
    );
    await waitFor('fx to be back', async () => !(await callTool(host, 'fx__echo', { n: 1 })).isError);
  });

  it('answers a call to a restarting backend at once with the reason', async () => {
    // A host of its own whose first restart waits 1 to 2 s, so the call surely meets the backend restarting.
    const slow = await TestHost.start({
      config: {
        settings: { restart: { initialDelayMs: 2_000, maxDelayMs: 2_000, maxRestarts: 3, windowMs: 60_000 } },
        mcpServers: { fx: behaviourServer('fx') },
      },
    });
    try {
      await slow.client.listTools();
      await expect(callTool(slow, 'fx__crash')).rejects.toThrow(/backend "fx" exited with code 1/);
      const started = Date.now();
      const result = await callTool(slow, 'fx__echo');
      expect(Date.now() - started).toBeLessThan(500);
      expect(result.isError).toBe(true);
      expect(result.text).toMatch(/^backend "fx" exited with code 1/);
      expect(result.text).toContain('being restarted');
      await waitFor(
        'fx to be back',
        async () => !(await callTool(slow, 'fx__echo', { n: 2 })).isError,
        15_000,
      );
      expect((await callTool(slow, 'fx__echo', { n: 3 })).text).toBe('fx/echo: {"n":3}');
    } finally {
      expect((await slow.close()).leftovers).toEqual([]);
    }
  });

  it('fails a call whose reply is malformed JSON-RPC, without waiting for the timeout', async () => {
    const started = Date.now();
    await expect(callTool(host, 'fx__malformed')).rejects.toThrow(/malformed JSON-RPC response/);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await callTool(host, 'fx__echo', { after: 'malformed' })).text).toBe(
      'fx/echo: {"after":"malformed"}',
    );
    await host.waitForStderr('skipped a malformed JSON-RPC response');
  });

  it('skips non-JSON lines between real replies', async () => {
    expect((await callTool(host, 'fx__garbage')).text).toBe('fx/garbage: ok');
    expect((await callTool(host, 'fx__echo', { after: 'garbage' })).text).toBe(
      'fx/echo: {"after":"garbage"}',
    );
  });

  it('restarts a backend that writes an over-size line, with a clear error, others unaffected', async () => {
    await expect(callTool(host, 'fx__huge-line')).rejects.toThrow(
      /backend "fx" sent a message larger than 10 MiB/,
    );
    expect((await callTool(host, 'steady__echo', { after: 'huge' })).text).toBe(
      'steady/echo: {"after":"huge"}',
    );
    await waitFor('fx to be back', async () => !(await callTool(host, 'fx__echo', { n: 3 })).isError, 15_000);
  });

  it('does not become a fork storm when a backend exits right after every start, and says it gave up', async () => {
    await host.waitForStderr(/\[storm\].*gave up after 3 restarts/, 15_000);
    const starts = readRecord(storm).filter((e) => e.event === 'start').length;
    expect(starts).toBeGreaterThanOrEqual(2);
    expect(starts).toBeLessThanOrEqual(4);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(readRecord(storm).filter((e) => e.event === 'start').length).toBe(starts);
    expect((await toolNames(host)).some((n) => n.startsWith('storm__'))).toBe(false);
  });

  it('never retries a command that does not exist', async () => {
    await host.waitForStderr('command "definitely-not-a-command-4711" was not found');
    expect(host.stderr.split('definitely-not-a-command-4711" was not found').length - 1).toBe(1);
  });

  it('wrote nothing but JSON-RPC to stdout', () => {
    expect(host.nonProtocolStdout()).toEqual([]);
  });
});
