/**
 * Nothing is left running when the host quits, however it quits: stdin EOF, SIGTERM, SIGINT, SIGHUP, or
 * dying without a word (the parent-PID watchdog). A backend that ignores SIGTERM and stdin EOF and has a
 * grandchild is taken down with its whole process group; requests in flight are answered first.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHost, writeTempConfig, callTool } from '../helpers/host.js';
import { CLI } from '../helpers/paths.js';
import { descendantsOf, isRunning, waitGone } from '../helpers/processes.js';
import { behaviourServer, readRecord } from '../helpers/reliability.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-shutdown-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** SIGKILLs whatever of `pids` still runs (cleanup after a failed assertion; a passing test leaves none). */
function sigkill(pids: number[]): void {
  for (const pid of pids) {
    try {
      if (pid) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

describe('shutdown', () => {
  it('on stdin EOF, kills a backend that ignores SIGTERM and EOF together with its grandchild', async () => {
    const record = join(dir, 'stubborn.jsonl');
    const host = await TestHost.start({
      config: {
        // Two grace periods of 0.5 s (2 s by default): the EOF's, then the SIGTERM's.
        settings: { stopGraceMs: 500 },
        mcpServers: {
          stubborn: behaviourServer('stubborn', { FIXTURE_MODE: 'ignore-term', FIXTURE_RECORD: record }),
          plain: behaviourServer('plain'),
        },
      },
    });
    // Whatever fails below, the host is closed and every process seen is killed, stubborn ones included.
    const seen: number[] = [];
    let closed = false;
    try {
      await host.client.listTools();
      seen.push(...host.processTree());
      const { pid, grandchild } = JSON.parse((await callTool(host, 'stubborn__pids')).text) as {
        pid: number;
        grandchild: number;
      };
      seen.push(pid, grandchild);
      expect(isRunning(grandchild)).toBe(true);
      expect(host.processTree()).toEqual(expect.arrayContaining([pid, grandchild]));
      const started = Date.now();
      closed = true;
      const { code, leftovers } = await host.close();
      expect(code).toBe(0);
      expect(leftovers).toEqual([]);
      expect(await waitGone([pid, grandchild], 1_000)).toEqual([]);
      // The grace periods of the setting, not the default's 4 s, with room for a loaded machine.
      expect(Date.now() - started).toBeLessThan(3_500);
      expect(readRecord(record).some((e) => e.event === 'grandchild')).toBe(true);
    } finally {
      if (!closed) await host.close();
      sigkill(seen);
    }
  });

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
    'on %s, answers the request in flight, then exits with nothing left',
    async (signal) => {
      const host = await TestHost.start({
        config: { mcpServers: { fx: behaviourServer('fx'), other: behaviourServer('other') } },
      });
      let tree: number[] = [];
      try {
        await host.client.listTools();
        const inFlight = callTool(host, 'fx__hang');
        // Lines are read in order: once the ping is answered, the call is in flight inside the sentinel.
        await host.client.ping();
        tree = host.processTree();
        expect(tree.length).toBeGreaterThanOrEqual(2);
        const exited = new Promise<number | null>((resolve) =>
          host.child.once('exit', (code) => resolve(code)),
        );
        host.child.kill(signal);
        await expect(inFlight).rejects.toThrow(/mcp-sentinel is shutting down \(SIG/);
        expect(await exited).toBe(0);
        expect(await waitGone(tree, 3_000)).toEqual([]);
        expect(host.nonProtocolStdout()).toEqual([]);
      } finally {
        await host.close();
        sigkill(tree);
      }
    },
  );

  it('exits when its host dies without closing stdin (parent-PID watchdog), taking its backends along', async () => {
    const config = writeTempConfig({ mcpServers: { fx: behaviourServer('fx') } });
    // A "host" that starts the sentinel with our stdin pipe (so no EOF reaches it) and is then killed.
    const wrapper = spawn(
      process.execPath,
      [
        '-e',
        `const c = require('node:child_process').spawn(process.execPath, [${JSON.stringify(CLI)}, 'serve', '--config', ${JSON.stringify(config.path)}], { stdio: ['inherit', 'ignore', 'ignore'] });
         process.stdout.write(c.pid + '\\n'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    let sentinel = 0;
    let backends: number[] = [];
    try {
      sentinel = await new Promise<number>((resolve) =>
        wrapper.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
      );
      const initialize = {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'w', version: '1' } },
      };
      wrapper.stdin.write(
        JSON.stringify(initialize) +
          '\n' +
          JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) +
          '\n',
      );
      backends = await waitFor('the backend to start', () => {
        const found = descendantsOf(sentinel);
        return found.length > 0 ? found : undefined;
      });
      wrapper.kill('SIGKILL');
      expect(await waitGone([sentinel, ...backends], 6_000)).toEqual([]);
    } finally {
      wrapper.kill('SIGKILL');
      wrapper.stdin.destroy();
      sigkill([sentinel, ...backends]);
      config.cleanup();
    }
  });
});
