/**
 * Node's compile cache, through the built CLI: where Node has it (22.1 and later) the compiled code goes
 * to `<user cache>/mcp-sentinel/compile`, private to the user, and nothing of the config (a planted
 * credential) is ever written there; on Node 20, which has none, nothing is written at all.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, writeTempConfig } from '../helpers/host.js';
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

describe('the compile cache', () => {
  it(`is ${nodeHasIt ? 'kept privately under the user cache directory, without the config' : 'not written on a Node without one'}`, async () => {
    const cache = mkdtempSync(join(tmpdir(), 'sentinel-compile-'));
    cleanups.push(() => rmSync(cache, { recursive: true, force: true }));
    const planted = 'planted-credential-7f3a9c1e5b';
    const config = writeTempConfig({
      mcpServers: { fx: fixtureServer('fx', { API_TOKEN: planted }) },
    });
    cleanups.push(config.cleanup);
    const result = await runCli(['tools', '--config', config.path, '--json'], {
      env: { XDG_CACHE_HOME: cache },
    });
    expect(result.code).toBe(0);
    const dir = join(cache, 'mcp-sentinel', 'compile');
    if (!nodeHasIt) {
      expect(() => statSync(dir)).toThrow();
      return;
    }
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = filesUnder(dir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(readFileSync(file, 'latin1')).not.toContain(planted);
  });
});
