/** `secrets list` and `get` without a keychain (containers, CI): the environment view, from the same sources. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/host.js';

let dir: string;
let configPath: string;
/** No session bus: the keychain is unavailable at once. */
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-secrets-nokeychain-'));
  configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      mcpServers: {
        a: { command: 'x', env: { A: 'secret:from-env', B: 'secret:from-dotenv', C: 'secret:nowhere' } },
      },
    }),
  );
  writeFileSync(join(dir, '.env'), 'MCP_SENTINEL_SECRET_FROM_DOTENV=dotenv-value\n');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('secrets without a keychain', () => {
  it('list still shows what the environment provides, warns on stderr and exits 1', async () => {
    const { code, stdout, stderr } = await runCli(['secrets', 'list', '-c', configPath, '--json'], {
      env: { ...NO_KEYCHAIN, MCP_SENTINEL_SECRET_FROM_ENV: 'env-value' },
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/warn .*keychain.*showing only what the environment provides/);
    const listing = JSON.parse(stdout) as {
      secrets: { name: string; fromEnv: boolean }[];
      missing: string[];
      keychainError?: { code: string };
    };
    expect(listing.keychainError?.code).toMatch(/^KEYCHAIN_/);
    expect(listing.secrets.filter((s) => s.fromEnv).map((s) => s.name)).toEqual(['from-dotenv', 'from-env']);
    expect(listing.missing).toEqual(['nowhere']);
    expect(stdout + stderr).not.toMatch(/env-value|dotenv-value/);
  });

  it('get --reveal reads the same sources as list (the .env beside the config)', async () => {
    const { code, stdout } = await runCli(['secrets', 'get', 'from-dotenv', '--reveal', '-c', configPath], {
      env: NO_KEYCHAIN,
    });
    expect(code).toBe(0);
    expect(stdout).toBe('dotenv-value');
  });
});
