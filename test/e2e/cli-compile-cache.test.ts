/**
 * The compile cache, through the built CLI: the compiled code (Node's own compile cache on Node 22.1 and
 * later, V8's code cache of the bundle's chunks on Node 20) goes to `<user cache>/mcp-sentinel/compile`,
 * private to the user, and nothing of the config (a planted credential) is ever written there. A damaged
 * entry costs nothing but the compile it was to save.
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestHost, runCli, writeTempConfig } from '../helpers/host.js';
import { ROOT } from '../helpers/paths.js';
import { fixtureServer } from '../helpers/servers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const nodeHasIt = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';

/** A private cache directory for one test (NODE_COMPILE_CACHE, which the suite sets, cleared). */
function cacheHome(): { env: Record<string, string>; dir: string } {
  const home = mkdtempSync(join(tmpdir(), 'sentinel-compile-'));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  return {
    env: { XDG_CACHE_HOME: home, NODE_COMPILE_CACHE: '' },
    dir: join(home, 'mcp-sentinel', 'compile'),
  };
}

describe('the compile cache', () => {
  it('is kept privately under the user cache directory, without the config', async () => {
    const cache = cacheHome();
    const planted = 'planted-credential-7f3a9c1e5b';
    const config = writeTempConfig({
      mcpServers: { fx: fixtureServer('fx', { API_TOKEN: planted }) },
    });
    cleanups.push(config.cleanup);
    const result = await runCli(['tools', '--config', config.path, '--json'], { env: cache.env });
    expect(result.code).toBe(0);
    expect(statSync(cache.dir).mode & 0o777).toBe(0o700);
    const files = filesUnder(cache.dir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(readFileSync(file, 'latin1')).not.toContain(planted);
  });

  it.skipIf(nodeHasIt)('on Node 20, replaces a damaged entry and starts as usual', async () => {
    const cache = cacheHome();
    expect((await runCli(['--version'], { env: cache.env })).code).toBe(0);
    const entries = filesUnder(cache.dir);
    expect(entries.map((file) => basename(file))).toContain('main.cjs');
    for (const file of entries) writeFileSync(file, 'not a code cache');
    const again = await runCli(['--version'], { env: cache.env });
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    for (const file of entries) expect(readFileSync(file, 'latin1')).not.toBe('not a code cache');
  });

  it.skipIf(nodeHasIt)('on Node 20, keeps the entries of a build under the hash of its chunks', async () => {
    // Not the entry chunk's size and time: V8 takes an entry for any source of the same length, and npm
    // packs every file with one fixed time, so two versions could share them and run the older code.
    const cache = cacheHome();
    expect((await runCli(['--version'], { env: cache.env })).code).toBe(0);
    const buildId = readFileSync(join(ROOT, 'dist', 'bundle', 'build-id'), 'utf8').trim();
    expect(buildId).toMatch(/^[0-9a-f]{16}$/);
    const builds = readdirSync(cache.dir).flatMap((node) => readdirSync(join(cache.dir, node)));
    expect(builds).toEqual([buildId]);
  });

  it.skipIf(nodeHasIt)('on Node 20, keeps the entries of the three newest builds only', async () => {
    const cache = cacheHome();
    const root = join(cache.dir, `v8-${process.version}-${process.arch}`);
    const day = 24 * 3600;
    const old = [1, 2, 3].map((age) => {
      const dir = join(root, `1000-${age}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'main.cjs'), 'an entry of an older build');
      const when = Date.now() / 1000 - age * day;
      utimesSync(dir, when, when);
      return dir;
    });
    expect((await runCli(['--version'], { env: cache.env })).code).toBe(0);
    const builds = readdirSync(root).map((name) => join(root, name));
    expect(builds).toHaveLength(3);
    expect(builds).toEqual(expect.arrayContaining(old.slice(0, 2)));
    expect(builds).not.toContain(old[2]);
  });

  it.skipIf(nodeHasIt)('on Node 20, removes the cache of another Node unused for a month', async () => {
    const cache = cacheHome();
    const other = (version: string, ageDays: number) => {
      const dir = join(cache.dir, `v8-${version}-${process.arch}`);
      mkdirSync(join(dir, '1000-1'), { recursive: true });
      const when = Date.now() / 1000 - ageDays * 24 * 3600;
      utimesSync(dir, when, when);
      return dir;
    };
    const stale = other('v18.0.0', 40);
    const recent = other('v22.0.0', 2);
    expect((await runCli(['--version'], { env: cache.env })).code).toBe(0);
    const left = readdirSync(cache.dir).map((name) => join(cache.dir, name));
    expect(left).toContain(recent);
    expect(left).not.toContain(stale);
    expect(left).toContain(join(cache.dir, `v8-${process.version}-${process.arch}`));
  });

  it.skipIf(nodeHasIt)('on Node 20, serve and the other commands keep entries of their own', async () => {
    // serve compiles part of the bundle under other V8 flags (its young generation held small), and V8
    // rejects an entry made under other flags: with one entry per chunk, each would rewrite the other's.
    const cache = cacheHome();
    const config = writeTempConfig({ mcpServers: { fx: fixtureServer('fx') } });
    cleanups.push(config.cleanup);
    const both = async () => {
      const host = await TestHost.start({
        config: { mcpServers: { fx: fixtureServer('fx') } },
        env: cache.env,
      });
      await host.client.listTools();
      expect((await host.close()).leftovers).toEqual([]);
      expect((await runCli(['tools', '--config', config.path], { env: cache.env })).code).toBe(0);
    };
    const written = () => new Map(filesUnder(cache.dir).map((file) => [file, statSync(file).mtimeMs]));
    await both();
    const first = written();
    expect([...first.keys()].some((file) => file.endsWith('.young-held'))).toBe(true);
    await both();
    expect(written()).toEqual(first);
  });
});
