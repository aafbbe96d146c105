/**
 * Lazy start from the manifest cache, through the built CLI: a second start answers every list from the
 * cache with no backend running, a call starts just its backend, a backend whose tools changed since the
 * cache was written is corrected with list_changed, an idle backend stops and starts again on the next
 * call, and no cache file ever holds a secret.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { TestHost, callTool, runCli, writeTempConfig } from '../helpers/host.js';
import { fixtureServer } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

const dirs: string[] = [];
const hosts: TestHost[] = [];
afterEach(async () => {
  for (const host of hosts.splice(0)) expect((await host.close()).leftovers).toEqual([]);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-lazy-'));
  dirs.push(dir);
  return dir;
}

function manifestsOf(cache: string): string[] {
  try {
    return readdirSync(join(cache, 'mcp-sentinel', 'manifests')).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
}

async function start(config: object | string, cache: string): Promise<TestHost> {
  const host = await TestHost.start({ config, env: { XDG_CACHE_HOME: cache } });
  hosts.push(host);
  return host;
}

/** Runs a host once so that every backend's manifest is written, then closes it. */
async function warm(config: object | string, cache: string, backends: number): Promise<void> {
  const host = await start(config, cache);
  await host.client.listTools();
  await waitFor(`${backends} manifests`, () => manifestsOf(cache).length >= backends);
  hosts.splice(hosts.indexOf(host), 1);
  expect((await host.close()).leftovers).toEqual([]);
}

describe('lazy start from the manifest cache', () => {
  it('lists every tool of 10 backends with none running, and a call starts only its backend', async () => {
    const cache = tempDir();
    const servers = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [
        `b${i}`,
        fixtureServer(`b${i}`, { FIXTURE_TOOLS: 'echo,other' }),
      ]),
    );
    const config = { mcpServers: servers };
    await warm(config, cache, 10);

    const host = await start(config, cache);
    const { tools } = await host.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      Object.keys(servers)
        .flatMap((b) => [`${b}__echo`, `${b}__env`, `${b}__other`])
        .sort(),
    );
    expect(host.processTree()).toEqual([]);

    expect((await callTool(host, 'b3__echo', { v: 1 })).text).toBe('b3/echo: {"v":1}');
    const tree = host.processTree();
    expect(tree).toHaveLength(1);
    expect(readFileSync(`/proc/${tree[0]}/environ`, 'utf8')).toContain('FIXTURE_NAME=b3');
    // The second call goes to the same process.
    expect((await callTool(host, 'b3__other')).text).toBe('b3/other: {}');
    expect(host.processTree()).toEqual(tree);
  });

  it('corrects a cache whose tools changed: list_changed, then the new tool is listed and callable', async () => {
    const cache = tempDir();
    const toolsFile = join(tempDir(), 'tools');
    writeFileSync(toolsFile, 'echo');
    const config = { mcpServers: { fx: fixtureServer('fx', { FIXTURE_TOOLS_FILE: toolsFile }) } };
    await warm(config, cache, 1);

    writeFileSync(toolsFile, 'echo,fresh');
    const host = await start(config, cache);
    let changed = 0;
    host.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
    const before = (await host.client.listTools()).tools.map((t) => t.name);
    expect(before).not.toContain('fx__fresh');
    expect(host.processTree()).toEqual([]);

    expect((await callTool(host, 'fx__echo')).text).toBe('fx/echo: {}');
    await waitFor('tools/list_changed', () => changed > 0);
    const after = (await host.client.listTools()).tools.map((t) => t.name);
    expect(after).toContain('fx__fresh');
    expect((await callTool(host, 'fx__fresh', { n: 2 })).text).toBe('fx/fresh: {"n":2}');

    // The cache was corrected: the next start lists the new tool without starting the backend.
    await waitFor('the corrected manifest', () =>
      manifestsOf(cache).some((f) =>
        readFileSync(join(cache, 'mcp-sentinel', 'manifests', f), 'utf8').includes('"fresh"'),
      ),
    );
  });

  it('stops a backend after idleTimeoutMs without traffic and starts it again on the next call', async () => {
    const cache = tempDir();
    const config = {
      // Long enough that a loaded machine does not stop it between two steps of this test.
      settings: { idleTimeoutMs: 1_000 },
      mcpServers: { fx: fixtureServer('fx', { FIXTURE_SPECIAL: '1' }) },
    };
    const host = await start(config, cache);
    await host.client.listTools();
    // Its pid from the backend itself: a poll for the process could miss it once it stopped again.
    const first = (JSON.parse((await callTool(host, 'fx__pids')).text) as { pid: number }).pid;
    // A call longer than the idle timeout is not cut off by it.
    expect((await callTool(host, 'fx__slow', { ms: 1_500 })).isError).toBe(false);
    await waitFor('the idle stop', () => host.processTree().length === 0, 10_000);
    expect(host.stderr).toContain('without traffic');

    expect((await callTool(host, 'fx__echo', { again: true })).text).toBe('fx/echo: {"again":true}');
    const second = host.processTree();
    expect(second).toHaveLength(1);
    expect(second[0]).not.toBe(first);
    expect((await host.client.listTools()).tools.map((t) => t.name)).toContain('fx__echo');
  });

  it('starts every backend at once with start: "eager", cache or not', async () => {
    const cache = tempDir();
    const config = { mcpServers: { a: fixtureServer('a'), b: fixtureServer('b', {}, { start: 'eager' }) } };
    await warm(config, cache, 2);
    const host = await start(config, cache);
    await host.client.listTools();
    const tree = await waitFor('b to start', () => host.processTree().length === 1 && host.processTree());
    expect(readFileSync(`/proc/${tree[0]}/environ`, 'utf8')).toContain('FIXTURE_NAME=b');
  });

  it('never writes a secret into a cache file, even one the backend lists back', async () => {
    const cache = tempDir();
    const planted = 'plantedSecretValue4711xyz';
    const env = { MCP_SENTINEL_SECRET_PLANTED: planted, PLANTED_TOKEN: planted };
    const config = {
      mcpServers: {
        quiet: fixtureServer('quiet', { API_TOKEN: 'secret:planted', OTHER_TOKEN: '${PLANTED_TOKEN}' }),
        // Its tools list carries the secret: that manifest must be refused, not written.
        echoing: fixtureServer('echoing', { FIXTURE_TOOLS: 'secret:planted' }),
      },
    };
    const host = await TestHost.start({ config, env: { XDG_CACHE_HOME: cache, ...env } });
    hosts.push(host);
    const { tools } = await host.client.listTools();
    expect(tools.map((t) => t.name)).toContain('quiet__echo');
    await waitFor('the manifest of quiet', () => manifestsOf(cache).length >= 1);
    await host.waitForStderr('not cached');

    const dir = join(cache, 'mcp-sentinel', 'manifests');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    for (const file of files) {
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text).not.toContain(planted);
      expect(text).not.toContain('API_TOKEN');
    }
  });

  it('doctor shows per backend whether it is cached, how old the cache is and whether it would start lazily', async () => {
    const cache = tempDir();
    const servers = {
      cached: fixtureServer('cached'),
      eager: fixtureServer('eager', {}, { start: 'eager' }),
    };
    await warm({ mcpServers: servers }, cache, 2);
    const config = writeTempConfig({ mcpServers: { ...servers, fresh: fixtureServer('fresh') } });
    dirs.push(config.dir);
    const env = { XDG_CACHE_HOME: cache };
    const json = await runCli(['doctor', '--config', config.path, '--json'], { env });
    const report = JSON.parse(json.stdout) as {
      backends: { name: string; cache?: Record<string, unknown> }[];
    };
    const byName = Object.fromEntries(report.backends.map((b) => [b.name, b.cache]));
    expect(byName.cached).toMatchObject({ cached: true, lazy: true, tools: 2 });
    expect(byName.cached?.ageMs).toBeGreaterThanOrEqual(0);
    expect(byName.eager).toMatchObject({ cached: true, lazy: false });
    expect(byName.fresh).toMatchObject({ cached: false, lazy: false });

    const text = await runCli(['doctor', '--config', config.path], { env });
    expect(text.stdout).toMatch(
      /cached +\S.*cache: cached \d+ s ago \(2 tools\); listed from the cache, starts on first use/s,
    );
    expect(text.stdout).toContain(
      'cache: not cached yet; starts with mcp-sentinel, and later starts are lazy',
    );
    expect(text.stdout).toContain('starts with mcp-sentinel (start: "eager")');
  });
});
