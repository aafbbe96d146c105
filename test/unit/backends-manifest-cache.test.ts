/**
 * The manifest cache's pure parts and its files: what goes into a launch fingerprint (and what does not),
 * where the cache lives on each OS, and how the store writes, reads and refuses.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { launchFingerprint } from '../../src/backends/manifest/fingerprint.js';
import { userCacheDir } from '../../src/backends/manifest/cache-dir.js';
import { createManifestStore, MANIFEST_FORMAT, type Manifest } from '../../src/backends/manifest/store.js';
import { createLogger, redactSecret } from '../../src/log.js';
import type { HttpServerConfig, ServerConfig } from '../../src/config/types.js';

const stdio: ServerConfig = {
  command: 'node',
  args: ['server.js'],
  env: { TOKEN: 'abc123456' },
  cwd: '/tmp',
};

describe('launch fingerprint', () => {
  const base = launchFingerprint(stdio, '1.0.0');
  it.each<[string, ServerConfig | [ServerConfig, string]]>([
    ['another command', { ...stdio, command: 'python' }],
    ['other args', { ...stdio, args: ['other.js'] }],
    ['another env value', { ...stdio, env: { TOKEN: 'changed99' } }],
    ['another env name', { ...stdio, env: { KEY: 'abc123456' } }],
    ['another cwd', { ...stdio, cwd: '/home' }],
    ['another mcp-sentinel version', [stdio, '1.0.1']],
  ])('changes with %s', (_what, changed) => {
    const [spec, version] = Array.isArray(changed) ? changed : [changed, '1.0.0'];
    expect(launchFingerprint(spec, version)).not.toBe(base);
  });

  it.each<[string, ServerConfig]>([
    ['a prefix', { ...stdio, prefix: 'x' }],
    ['a tool filter', { ...stdio, tools: { include: ['a*'] } }],
    ['a timeout', { ...stdio, timeoutMs: 5000 }],
    ['the start mode and idle timeout', { ...stdio, start: 'eager', idleTimeoutMs: 1000 }],
    ['a description', { ...stdio, description: 'note' }],
    ['key order', { cwd: '/tmp', env: { TOKEN: 'abc123456' }, args: ['server.js'], command: 'node' }],
  ])('stays the same with %s', (_what, changed) => {
    expect(launchFingerprint(changed, '1.0.0')).toBe(base);
  });

  it('covers the values of inherited variables, the url, headers and the auth shape of remote entries', () => {
    const inherit: ServerConfig = { ...stdio, inheritEnv: ['HTTPS_PROXY'] };
    expect(launchFingerprint(inherit, '1', { HTTPS_PROXY: 'a' })).not.toBe(
      launchFingerprint(inherit, '1', { HTTPS_PROXY: 'b' }),
    );
    const remote: HttpServerConfig = {
      type: 'http',
      url: 'https://a.example/mcp',
      headers: { 'X-Key': 'k1' },
    };
    const variants: ServerConfig[] = [
      { ...remote, url: 'https://b.example/mcp' },
      { ...remote, headers: { 'X-Key': 'k2' } },
      {
        ...remote,
        auth: { type: 'oauth2' as const, clientId: 'c', clientSecret: 's', tokenUrl: 'https://a/t' },
      },
    ];
    const prints = new Set([remote, ...variants].map((s) => launchFingerprint(s, '1')));
    expect(prints.size).toBe(4);
    // `http` is an alias of `streamable-http`.
    expect(launchFingerprint({ ...remote, type: 'streamable-http' }, '1')).toBe(
      launchFingerprint(remote, '1'),
    );
  });

  it('is a digest: no value of the spec appears in it', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('cache directory', () => {
  it.each<[NodeJS.Platform, NodeJS.ProcessEnv, string]>([
    ['linux', {}, '/home/u/.cache/mcp-sentinel'],
    ['linux', { XDG_CACHE_HOME: '/x' }, '/x/mcp-sentinel'],
    ['darwin', {}, '/home/u/Library/Caches/mcp-sentinel'],
    ['darwin', { XDG_CACHE_HOME: '/x' }, '/x/mcp-sentinel'],
    ['win32', { LOCALAPPDATA: 'C:\\L' }, join('C:\\L', 'mcp-sentinel', 'Cache')],
  ])('on %s with %j is %s', (platform, env, expected) => {
    expect(userCacheDir(env, platform, '/home/u')).toBe(expected);
  });
});

describe('manifest store', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const log = createLogger('test');
  const manifest = (fingerprint: string, tools: string[] = ['echo']): Manifest => ({
    format: MANIFEST_FORMAT,
    fingerprint,
    version: '1.0.0',
    writtenAt: new Date().toISOString(),
    lists: {
      tools: tools.map((name) => ({ name, inputSchema: { type: 'object' } })),
      prompts: [],
      resources: [],
      resourceTemplates: [],
    },
  });
  const storeIn = () => {
    const root = mkdtempSync(join(tmpdir(), 'sentinel-store-'));
    dirs.push(root);
    return { root, store: createManifestStore(join(root, 'mcp-sentinel', 'manifests'), log) };
  };
  const fp = 'a'.repeat(64);

  it('writes files 0600 in a 0700 directory and reads them back', async () => {
    const { root, store } = storeIn();
    expect(await store.write(manifest(fp))).toBe(true);
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'mcp-sentinel')).mode & 0o777).toBe(0o700);
    expect(statSync(join(store.dir, `${fp}.json`)).mode & 0o777).toBe(0o600);
    expect((await store.read(fp))?.lists.tools.map((t) => t.name)).toEqual(['echo']);
    expect(readdirSync(store.dir)).toEqual([`${fp}.json`]);
  });

  it('treats a missing, corrupt, foreign-format or mismatched file as a miss', async () => {
    const { store } = storeIn();
    expect(await store.read(fp)).toBeUndefined();
    await store.write(manifest(fp));
    const file = join(store.dir, `${fp}.json`);
    writeFileSync(file, '{"format": 1, "lists"');
    expect(await store.read(fp)).toBeUndefined();
    writeFileSync(file, JSON.stringify({ ...manifest(fp), format: 2 }));
    expect(await store.read(fp)).toBeUndefined();
    writeFileSync(file, JSON.stringify(manifest('b'.repeat(64))));
    expect(await store.read(fp)).toBeUndefined();
    expect(await store.read('../../etc/passwd')).toBeUndefined();
  });

  it('refuses private lists, reads lists past their ttlMs as a miss, and forgets a file', async () => {
    const { store } = storeIn();
    const now = Date.now();
    const hinted = (scope: 'public' | 'private', ttlMs: number, fetchedAt = now): Manifest => ({
      ...manifest(fp),
      cache: { tools: { ttlMs, scope, fetchedAt } },
    });
    expect(await store.write(hinted('private', 600_000))).toBe(false);
    expect(await store.read(fp)).toBeUndefined();
    expect(await store.write(hinted('public', 600_000))).toBe(true);
    expect((await store.read(fp))?.cache?.tools?.scope).toBe('public');
    expect(await store.write(hinted('public', 1_000, now - 1_001))).toBe(true);
    expect(await store.read(fp)).toBeUndefined();
    await store.forget(fp);
    expect(readdirSync(store.dir)).toEqual([]);
  });

  it('refuses a manifest that holds a registered secret', async () => {
    const { store } = storeIn();
    const release = redactSecret('hunter2-secret-value');
    try {
      expect(await store.write(manifest(fp, ['hunter2-secret-value']))).toBe(false);
      expect(await store.read(fp)).toBeUndefined();
    } finally {
      release();
    }
  });
});
