/**
 * The keychain for real: a Secret Service on a D-Bus session bus. Run it in a throwaway one with
 *   sh scripts/with-keyring.sh npx vitest run test/keychain
 * (`npm test` does so when gnome-keyring is installed). It runs only there (MCP_SENTINEL_TEST_KEYRING=1) or
 * in CI (CI set), where it runs regardless and fails loudly; a desktop keyring is never used by accident.
 *
 * Every name carries a random suffix and is deleted afterwards; the CLI is spawned synchronously with a
 * timeout, so no process outlives a test.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeychainStore, createSecretStore, envVarForSecret } from '../../src/secrets/index.js';
import { runKeychainTests } from '../helpers/keyring.js';

const runKeychain = runKeychainTests;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'mcp-sentinel.js');
const run = randomBytes(4).toString('hex');
const created = new Set<string>();

function uniqueName(label: string): string {
  const name = `test-${label}-${run}`;
  created.add(name);
  return name;
}

function secretTool(...args: string[]): { status: number | null; stdout: string } {
  const result = spawnSync('secret-tool', args, { encoding: 'utf8', timeout: 10_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout };
}

function cli(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env },
  });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(!runKeychain)('OS keychain (Secret Service)', () => {
  const keychain = createKeychainStore();

  afterAll(async () => {
    for (const name of created) await keychain.delete(name).catch(() => undefined);
  });

  it('answers a probe', async () => {
    const probe = await keychain.probe();
    expect(probe.error).toBeUndefined();
    expect(probe).toMatchObject({ ok: true, store: 'Secret Service (D-Bus)' });
  });

  it('stores, reads, lists and deletes a secret, visible to secret-tool as service/username', async () => {
    const name = uniqueName('roundtrip');
    const value = `v-${randomBytes(8).toString('hex')} with spaces, $dollars and ünïcode`;
    await keychain.set(name, value);
    expect(await keychain.get(name)).toBe(value);
    expect(await keychain.list()).toContain(name);

    const lookup = secretTool('lookup', 'service', 'mcp-sentinel', 'username', name);
    expect(lookup.status).toBe(0);
    expect(lookup.stdout).toBe(value);

    await keychain.set(name, 'second value');
    expect(await keychain.get(name)).toBe('second value');

    expect(await keychain.delete(name)).toBe(true);
    expect(await keychain.get(name)).toBeUndefined();
    expect(await keychain.list()).not.toContain(name);
    expect(secretTool('lookup', 'service', 'mcp-sentinel', 'username', name).status).not.toBe(0);
  });

  it('reads a secret stored by hand with secret-tool', async () => {
    const name = uniqueName('by-hand');
    const stored = spawnSync(
      'secret-tool',
      ['store', '--label=mcp-sentinel test', 'service', 'mcp-sentinel', 'username', name],
      { input: 'hand-made', encoding: 'utf8', timeout: 10_000 },
    );
    expect(stored.status).toBe(0);
    expect(await keychain.get(name)).toBe('hand-made');
  });

  it('reports a missing secret as undefined, and deleting it as false', async () => {
    const name = uniqueName('missing');
    expect(await keychain.get(name)).toBeUndefined();
    expect(await keychain.delete(name)).toBe(false);
  });

  it('refuses invalid names before touching the keychain', async () => {
    await expect(keychain.get('bad name')).rejects.toMatchObject({ code: 'SECRET_INVALID_NAME' });
    await expect(keychain.set('-x', 'v')).rejects.toMatchObject({ code: 'SECRET_INVALID_NAME' });
  });

  it('lets MCP_SENTINEL_SECRET_<NAME> win over the keychain for reads, while writes go to the keychain', async () => {
    const name = uniqueName('env');
    const store = createSecretStore({ env: { [envVarForSecret(name)]: 'from-env' } });
    await store.set(name, 'from-keychain');
    expect(await store.get(name)).toBe('from-env');
    expect(await keychain.get(name)).toBe('from-keychain');
    expect(await store.list()).toContain(name);
    expect(await store.delete(name)).toBe(true);
    expect(await store.get(name)).toBe('from-env');
    expect(await createSecretStore({ env: {} }).get(name)).toBeUndefined();
  });
});

describe.skipIf(!runKeychain)('mcp-sentinel secrets (built CLI)', () => {
  const keychain = createKeychainStore();
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sentinel-secrets-'));
  });
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    for (const name of created) await keychain.delete(name).catch(() => undefined);
  });

  it('set (from stdin), list, get (only with --reveal) and delete', () => {
    const name = uniqueName('cli');
    const value = `cli-${randomBytes(8).toString('hex')}`;
    const noLeak = (stderr: string): void => expect(stderr).not.toContain(value);

    const set = cli(['secrets', 'set', name], { input: value + '\n' });
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(set.stdout).toContain(name);
    expect(set.stdout).not.toContain(value);
    expect(secretTool('lookup', 'service', 'mcp-sentinel', 'username', name).stdout).toBe(value); // newline trimmed

    const list = cli(['secrets', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(name);
    expect(list.stdout).not.toContain(value);
    noLeak(list.stderr);

    const refused = cli(['secrets', 'get', name]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('--reveal');
    noLeak(refused.stderr);

    const revealed = cli(['secrets', 'get', name, '--reveal']);
    expect(revealed.code).toBe(0);
    expect(revealed.stdout).toBe(value);
    noLeak(revealed.stderr);

    const deleted = cli(['secrets', 'delete', name]);
    expect(deleted.code).toBe(0);
    noLeak(deleted.stderr);

    const gone = cli(['secrets', 'get', name, '--reveal']);
    expect(gone.code).toBe(1);
    expect(gone.stdout).toBe('');
    expect(gone.stderr).toContain(`secrets set ${name}`);

    const deletedAgain = cli(['secrets', 'delete', name]);
    expect(deletedAgain.code).toBe(1);
  });

  it('trims a CRLF ending, refuses an empty value and never takes the value from arguments', () => {
    const name = uniqueName('cli-input');
    expect(cli(['secrets', 'set', name], { input: 'crlf-value\r\n' }).code).toBe(0);
    expect(secretTool('lookup', 'service', 'mcp-sentinel', 'username', name).stdout).toBe('crlf-value');

    const empty = cli(['secrets', 'set', name], { input: '\n' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/empty/);

    const inArgv = cli(['secrets', 'set', name, 'argv-value-123'], { input: 'stdin-value' });
    expect(inArgv.code).not.toBe(0);
    expect(inArgv.stderr).not.toContain('argv-value-123');
    expect(secretTool('lookup', 'service', 'mcp-sentinel', 'username', name).stdout).toBe('crlf-value');
  });

  // util-linux `script` gives the CLI a real terminal, so this drives the hidden prompt as a person would.
  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasScript)('reads the value from a hidden prompt on a terminal', async () => {
    const name = uniqueName('tty');
    const value = `typed-${randomBytes(6).toString('hex')}`;
    const command = `'${process.execPath}' '${BIN}' secrets set ${name}`;
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`prompt test timed out; output: ${output}`)), 15_000);
        child.stdout.on('data', (chunk: Buffer) => {
          const before = output;
          output += chunk.toString('utf8');
          if (!before.includes('Value for secret') && output.includes('Value for secret')) {
            // Typed once the prompt owns the terminal (raw mode), so the terminal does not echo it either.
            setTimeout(() => child.stdin.write(`${value}\r`), 200);
          }
        });
        child.on('error', reject);
        child.on('exit', (exitCode) => {
          clearTimeout(timer);
          resolve(exitCode);
        });
      });
      expect(code).toBe(0);
      // eslint-disable-next-line no-control-regex
      expect(output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')).toContain(`stored secret ${name}`);
      expect(output).not.toContain(value);
      expect(secretTool('lookup', 'service', 'mcp-sentinel', 'username', name).stdout).toBe(value);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses an invalid name with exit code 2', () => {
    const result = cli(['secrets', 'set', 'bad name'], { input: 'value-xyz' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid secret name/);
  });

  it('lists what the config uses and what it needs but lacks (JSON)', () => {
    const used = uniqueName('used');
    const lacking = uniqueName('lacking');
    const fromEnv = uniqueName('from-env');
    const config = join(dir, 'sentinel.json');
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: {
          remote: {
            type: 'http',
            url: 'https://example.com/mcp',
            headers: { Authorization: `Bearer \${secret:${used}}`, 'X-Other': `secret:${lacking}` },
          },
          local: { command: 'node', args: ['server.js'], env: { TOKEN: `secret:${fromEnv}` } },
        },
      }),
    );
    expect(cli(['secrets', 'set', used], { input: 'used-value' }).code).toBe(0);

    const result = cli(['secrets', 'list', '--config', config, '--json'], {
      env: { [envVarForSecret(fromEnv)]: 'env-value' },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const listing = JSON.parse(result.stdout) as {
      missing: string[];
      secrets: { name: string; stored: boolean; fromEnv: boolean; usedBy: string[] }[];
    };
    const row = (name: string) => listing.secrets.find((s) => s.name === name);
    expect(row(used)).toEqual({ name: used, stored: true, fromEnv: false, usedBy: ['remote'] });
    expect(row(lacking)).toEqual({ name: lacking, stored: false, fromEnv: false, usedBy: ['remote'] });
    expect(row(fromEnv)).toEqual({ name: fromEnv, stored: false, fromEnv: true, usedBy: ['local'] });
    expect(listing.missing).toContain(lacking);
    expect(listing.missing).not.toContain(used);
    expect(listing.missing).not.toContain(fromEnv);
    expect(result.stdout).not.toContain('used-value');
    expect(result.stdout).not.toContain('env-value');
  });

  it('says what to do when there is no session bus (exit 1, typed error)', () => {
    const result = cli(['secrets', 'list'], {
      env: { DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-such-bus')}` },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/keychain is unavailable/);
    expect(result.stderr).toMatch(/gnome-keyring|MCP_SENTINEL_SECRET_/);
  });
});
