/**
 * The caching hints of a 2026-07-28 backend (`ttlMs`, `cacheScope` on its list results), through the built
 * CLI: a list whose ttl has passed is fetched from the backend again before the host is served it, a
 * manifest whose lists' ttl has passed is not used (the backend starts instead of being listed from the
 * cache), and lists the backend says are private are never written to the manifest cache (an older copy
 * goes too). A 2025-era backend beside it, which gives no hints, is cached as before.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestHost, callTool } from '../helpers/host.js';
import { fixtureStartArgs } from '../helpers/paths.js';
import { fixtureServer } from '../helpers/servers.js';
import { waitFor } from '../helpers/wait.js';

const dirs: string[] = [];
const hosts: TestHost[] = [];
afterEach(async () => {
  for (const host of hosts.splice(0)) expect((await host.close()).leftovers).toEqual([]);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'sentinel-hints-'));
  dirs.push(dir);
  const hintsFile = join(dir, 'hints.json');
  const recordFile = join(dir, 'record.log');
  const cache = join(dir, 'cache');
  const config = {
    mcpServers: {
      modern: {
        command: process.execPath,
        args: fixtureStartArgs('modern-stdio-server.mjs'),
        env: { MODERN_CACHE_HINTS_FILE: hintsFile, MODERN_RECORD: recordFile },
      },
      legacy: fixtureServer('legacy'),
    },
  };
  return {
    config,
    cache,
    hints(tools: { ttlMs?: number; cacheScope?: string } | undefined) {
      if (tools) writeFileSync(hintsFile, JSON.stringify({ 'tools/list': tools }));
      else rmSync(hintsFile, { force: true });
    },
    /** How many times the modern backend received `method`. */
    received(method: string): number {
      try {
        return readFileSync(recordFile, 'utf8')
          .split('\n')
          .filter((line) => line === method).length;
      } catch {
        return 0;
      }
    },
    manifests(): string[] {
      try {
        return readdirSync(join(cache, 'mcp-sentinel', 'manifests')).filter((f) => f.endsWith('.json'));
      } catch {
        return [];
      }
    },
  };
}

async function start(config: object, cache: string): Promise<TestHost> {
  const host = await TestHost.start({ config, env: { XDG_CACHE_HOME: cache } });
  hosts.push(host);
  return host;
}

async function stop(host: TestHost): Promise<void> {
  hosts.splice(hosts.indexOf(host), 1);
  expect((await host.close()).leftovers).toEqual([]);
}

const toolNames = async (host: TestHost) => (await host.client.listTools()).tools.map((t) => t.name).sort();
const ALL_TOOLS = ['legacy__echo', 'legacy__env', 'modern__confirm', 'modern__echo', 'modern__sign'];

describe('the caching hints of a 2026-07-28 backend', () => {
  it('re-fetches a list whose ttlMs has passed before serving it, and serves a fresh one from memory', async () => {
    const stale = setup();
    stale.hints({ ttlMs: 0, cacheScope: 'public' });
    const host = await start(stale.config, stale.cache);
    expect(await toolNames(host)).toEqual(ALL_TOOLS);
    expect(await toolNames(host)).toEqual(ALL_TOOLS);
    // Once at startup, then once for each list the host asked for.
    expect(stale.received('tools/list')).toBe(3);

    const fresh = setup();
    fresh.hints({ ttlMs: 600_000, cacheScope: 'public' });
    const other = await start(fresh.config, fresh.cache);
    expect(await toolNames(other)).toEqual(ALL_TOOLS);
    expect(await toolNames(other)).toEqual(ALL_TOOLS);
    expect(fresh.received('tools/list')).toBe(1);
  });

  it('lists from a manifest while its ttl lasts, and starts the backend once it has passed', async () => {
    const lasting = setup();
    lasting.hints({ ttlMs: 600_000, cacheScope: 'public' });
    const first = await start(lasting.config, lasting.cache);
    expect(await toolNames(first)).toEqual(ALL_TOOLS);
    await waitFor('both manifests', () => lasting.manifests().length === 2);
    await stop(first);
    const again = await start(lasting.config, lasting.cache);
    expect(await toolNames(again)).toEqual(ALL_TOOLS);
    expect(again.processTree()).toEqual([]);
    expect(lasting.received('server/discover')).toBe(1);

    const TTL_MS = 1_000;
    const passing = setup();
    passing.hints({ ttlMs: TTL_MS, cacheScope: 'public' });
    const before = await start(passing.config, passing.cache);
    expect(await toolNames(before)).toEqual(ALL_TOOLS);
    const written = Date.now(); // the lists in the manifest were fetched before this
    await waitFor('both manifests', () => passing.manifests().length === 2);
    await stop(before);
    await waitFor('the ttl to pass', () => Date.now() > written + TTL_MS);
    const after = await start(passing.config, passing.cache);
    expect(await toolNames(after)).toEqual(ALL_TOOLS);
    // The modern backend was started at once for fresh lists; the legacy one is listed from its manifest.
    expect(after.processTree()).toHaveLength(1);
    expect(passing.received('server/discover')).toBe(2);
  });

  it('never writes private lists to the manifest cache, and removes an older copy of them', async () => {
    const env = setup();
    env.hints({ ttlMs: 600_000, cacheScope: 'public' });
    const first = await start(env.config, env.cache);
    expect(await toolNames(first)).toEqual(ALL_TOOLS);
    await waitFor('both manifests', () => env.manifests().length === 2);
    await stop(first);

    // The backend now says its lists are private (the SDK's default): listed from the cache once, and
    // the copy goes as soon as it has started and said so.
    env.hints(undefined);
    const second = await start(env.config, env.cache);
    expect(await toolNames(second)).toEqual(ALL_TOOLS);
    expect((await callTool(second, 'modern__echo', { text: 'hi' })).text).toBe('modern/echo: hi');
    await waitFor('the private lists out of the cache', () => env.manifests().length === 1);
    await stop(second);

    const third = await start(env.config, env.cache);
    expect(await toolNames(third)).toEqual(ALL_TOOLS);
    expect(third.processTree()).toHaveLength(1);
    expect(env.manifests()).toHaveLength(1);
  });
});
