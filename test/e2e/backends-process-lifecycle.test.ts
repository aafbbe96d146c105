/**
 * Process lifecycle corner cases: a shutdown that arrives while a failed start is still taking its process
 * tree down, and a backend that crashes and leaves a grandchild behind.
 */
import { describe, expect, it } from 'vitest';
import { TestHost } from '../helpers/host.js';
import { fixtureServerArgs } from '../helpers/paths.js';
import { isRunning, waitGone } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

const fixtureServer = (name: string, env: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  command: process.execPath,
  args: fixtureServerArgs(),
  env: { FIXTURE_NAME: name, FIXTURE_SPECIAL: '1', ...env },
  ...extra,
});

describe('a shutdown during a failed start', () => {
  it('still takes down the stubborn backend and its grandchild before exiting', async () => {
    // The backend ignores stdin EOF and SIGTERM and never answers initialize: its start times out, and
    // closing it takes two grace periods before the SIGKILL. The host quits in the middle of that.
    const host = await TestHost.start({
      config: {
        settings: { startupTimeoutMs: 300, stopGraceMs: 500 },
        mcpServers: {
          stubborn: fixtureServer('stubborn', {
            FIXTURE_MODE: 'ignore-term',
            FIXTURE_START_DELAY_MS: '60000',
          }),
        },
      },
    });
    const tree = await waitFor('the backend and its grandchild', () => {
      const pids = host.processTree();
      return pids.length >= 2 && pids;
    });
    // The start has timed out and taking the tree down is under way: the backend got its SIGTERM (and
    // ignores it), the SIGKILL is a grace period away.
    await host.waitForStderr('stubborn: ignoring SIGTERM');
    const { code, leftovers } = await host.close();
    expect(code).toBe(0);
    expect(leftovers).toEqual([]);
    expect(await waitGone(tree, 500)).toEqual([]);
  }, 20_000);
});

describe('a backend that crashes', () => {
  it('does not leave the processes it started running', async () => {
    const host = await TestHost.start({
      config: {
        settings: {
          stopGraceMs: 500,
          restart: { initialDelayMs: 50, maxDelayMs: 200, maxRestarts: 20, windowMs: 60_000 },
        },
        mcpServers: { stubborn: fixtureServer('stubborn', { FIXTURE_MODE: 'ignore-term' }) },
      },
    });
    let pids: { pid: number; grandchild: number } | undefined;
    try {
      const result = await host.client.callTool({ name: 'stubborn__pids', arguments: {} });
      pids = JSON.parse((result.content as { text: string }[])[0]!.text) as typeof pids;
      expect(isRunning(pids!.grandchild)).toBe(true);
      await host.client.callTool({ name: 'stubborn__crash', arguments: {} }).catch(() => undefined);
      // The grandchild ignores SIGTERM: it goes with the SIGKILL after the grace period.
      expect(await waitGone([pids!.pid, pids!.grandchild], 5_000)).toEqual([]);
    } finally {
      for (const pid of [pids?.pid, pids?.grandchild]) {
        try {
          if (pid) process.kill(pid, 'SIGKILL');
        } catch {
          // gone, as it should be
        }
      }
      expect((await host.close()).leftovers).toEqual([]);
    }
  }, 20_000);
});
