/**
 * Public names stay with their backend: while one restarts, another backend with a colliding name does not
 * take its name (the host would call the wrong tool), and is not renamed when it comes back. A tool dropped
 * by a ready backend is unknown, not "being restarted".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TestHost } from '../helpers/host.js';
import { fixtureServerArgs } from '../helpers/paths.js';
import { waitFor } from '../helpers/wait.js';

const fixtureServer = (name: string, env: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  command: process.execPath,
  args: fixtureServerArgs(),
  env: { FIXTURE_NAME: name, ...env },
  ...extra,
});

async function call(host: TestHost, name: string, args: Record<string, unknown> = {}) {
  const result = await host.client.callTool({ name, arguments: args });
  const text = (result.content as { type: string; text?: string }[])[0]?.text ?? '';
  return { text, isError: result.isError === true };
}

describe('two backends exporting the same name without a prefix', () => {
  it("the second never gets the first one's name while the first restarts", async () => {
    const host = await TestHost.start({
      config: {
        settings: { restart: { initialDelayMs: 1_500, maxDelayMs: 1_500, maxRestarts: 5, windowMs: 60_000 } },
        mcpServers: {
          a: fixtureServer('a', { FIXTURE_SPECIAL: '1' }, { prefix: '' }),
          b: fixtureServer('b', {}, { prefix: '' }),
        },
      },
    });
    try {
      const owners = async () => {
        const { tools } = await host.client.listTools();
        return new Map(tools.map((t) => [t.name, t.description?.split('\n')[0]]));
      };
      const before = await owners();
      expect(before.get('echo')).toBe('echo of a');
      const bEcho = [...before].find(([, d]) => d === 'echo of b')?.[0];
      expect(bEcho).toMatch(/^echo_/);
      expect((await call(host, bEcho!, { n: 1 })).text).toBe('b/echo: {"n":1}');

      await expect(call(host, 'crash')).rejects.toThrow(/backend "a"/);
      await waitFor('a to be restarting', async () => !(await owners()).has('crash'));
      const during = await owners();
      expect(during.get('echo')).toBeUndefined();
      expect(during.get(bEcho!)).toBe('echo of b');
      const wrong = await call(host, 'echo', { n: 2 });
      expect(wrong.isError).toBe(true);
      expect(wrong.text).toMatch(/backend "a"/);
      expect((await call(host, bEcho!, { n: 3 })).text).toBe('b/echo: {"n":3}');

      await waitFor('a to be back', async () => (await owners()).get('echo') === 'echo of a');
      expect((await owners()).get(bEcho!)).toBe('echo of b');
      expect((await call(host, 'echo', { n: 4 })).text).toBe('a/echo: {"n":4}');
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
    }
  });
});

describe('a tool that a ready backend stops listing', () => {
  it('is unknown, not "being restarted"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-names-'));
    const tools = join(dir, 'tools');
    writeFileSync(tools, 'echo,gone');
    const host = await TestHost.start({
      config: {
        mcpServers: { fx: fixtureServer('fx', { FIXTURE_SPECIAL: '1', FIXTURE_TOOLS_FILE: tools }) },
      },
    });
    try {
      const names = async () => (await host.client.listTools()).tools.map((t) => t.name);
      expect(await names()).toContain('fx__gone');
      expect((await call(host, 'fx__gone')).text).toBe('fx/gone: {}');
      writeFileSync(tools, 'echo');
      await call(host, 'fx__add-tool', { name: 'new' }); // announces a tools/list_changed
      await waitFor('the re-list', async () => {
        const now = await names();
        return now.includes('fx__new') && !now.includes('fx__gone');
      });
      await expect(call(host, 'fx__gone')).rejects.toThrow(/Unknown tool: fx__gone/);
      expect((await call(host, 'fx__echo', { n: 1 })).text).toBe('fx/echo: {"n":1}');
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
