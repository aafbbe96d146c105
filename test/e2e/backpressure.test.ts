/**
 * A host that stops reading our stdout while a backend keeps producing: memory stays flat because the
 * backend stops being read (its pipe fills and it waits), everything arrives once the host reads again, and
 * a host that reads nothing for `settings.hostStallTimeoutMs` is treated as gone: said on stderr, and the
 * process shuts down leaving nothing running.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TestHost } from '../helpers/host.js';
import { fixture } from '../helpers/paths.js';
import { waitGone } from '../helpers/processes.js';
import { sendRaw, waitForResponse } from '../helpers/reliability.js';
import { waitFor } from '../helpers/wait.js';

const raw = { command: process.execPath, args: [fixture('raw-backend.mjs')] };

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

const spew = (host: TestHost, id: string, ms: number) =>
  sendRaw(
    host,
    JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'raw__spew', arguments: { ms, bytes: 65_536 } },
    }) + '\n',
  );

describe('a host that does not read its output', () => {
  it('keeps RSS within 100 MB over 5 s of backend output, and delivers it all once read', async () => {
    const host = await TestHost.start({ config: { mcpServers: { raw } } });
    try {
      await host.client.listTools();
      const pid = host.child.pid!;
      const baseline = rssBytes(pid);
      host.child.stdout.pause();
      // 5 s: a sentinel that kept reading the backend would buffer hundreds of MB in that time.
      spew(host, 'spew', 5_000);
      let peak = baseline;
      const until = Date.now() + 5_000;
      while (Date.now() < until) {
        peak = Math.max(peak, rssBytes(pid));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(peak - baseline).toBeLessThan(100 * 1024 * 1024);
      host.child.stdout.resume();
      const response = await waitForResponse(host, 'spew', 30_000);
      const text = (response.result as { content: { text: string }[] }).content[0]!.text;
      // The backend was held back: it wrote a few MB in 5 s, not what a pipe read flat out carries.
      expect(Number(/spewed (\d+)/.exec(text)?.[1]) * 65_536).toBeLessThan(64 * 1024 * 1024);
      const spewed = Number(/spewed (\d+)/.exec(text)?.[1]);
      const arrived = () => host.stdoutLines.filter((line) => line.includes('"logger":"raw/spew"')).length;
      await waitFor(`all ${spewed} notifications`, () => arrived() === spewed);
      await host.client.ping();
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  }, 60_000);

  it('treats a host that reads nothing for hostStallTimeoutMs as gone and shuts down cleanly', async () => {
    const host = await TestHost.start({
      config: { settings: { hostStallTimeoutMs: 1_500 }, mcpServers: { raw } },
    });
    try {
      await host.client.listTools();
      const tree = host.processTree();
      expect(tree.length).toBeGreaterThan(0);
      host.child.stdout.pause();
      spew(host, 'stall', 30_000);
      await waitFor('the sentinel to exit', () => host.child.exitCode !== null, 20_000);
      expect(host.stderr).toMatch(/the host has not read its output for \d+ s .*treating it as gone/);
      expect(await waitGone(tree, 5_000)).toEqual([]);
    } finally {
      await host.close();
    }
  }, 60_000);
});
