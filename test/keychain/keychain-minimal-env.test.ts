/**
 * The Linux keychain as a host starts mcp-sentinel: with only HOME, PATH, SHELL, TERM and USER (and
 * XDG_RUNTIME_DIR) the session bus is found at $XDG_RUNTIME_DIR/bus; and doctor tells a locked login keyring
 * from an unlocked one, with a hint that unlocks it. Runs against the private keyring of
 * scripts/with-keyring.sh (each test that locks it makes its own).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fallbackBusAddress } from '../../src/secrets/session-bus.js';
import { runCli } from '../helpers/host.js';
import { runKeychainTests } from '../helpers/keyring.js';
import { CLI, ROOT } from '../helpers/paths.js';

function run(command: string, args: string[], env: Record<string, string>, input = '') {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('fallbackBusAddress', () => {
  const sockets = new Set(['/run/user/1000/bus', '/tmp/rt/bus']);
  it.each([
    [{ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/x' }, 1000, undefined],
    [{ XDG_RUNTIME_DIR: '/tmp/rt' }, 1000, 'unix:path=/tmp/rt/bus'],
    [{ XDG_RUNTIME_DIR: '/tmp/none' }, 1000, 'unix:path=/run/user/1000/bus'],
    [{}, 1000, 'unix:path=/run/user/1000/bus'],
    [{}, 1001, undefined],
  ])('%j, uid %s → %s', (env, uid, expected) => {
    expect(fallbackBusAddress(env, uid, (path) => sockets.has(path))).toBe(expected);
  });
});

describe.skipIf(!runKeychainTests)(
  "the keychain under a host's minimal environment (needs scripts/with-keyring.sh)",
  () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'sentinel-minimal-env-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('finds the session bus at $XDG_RUNTIME_DIR/bus when DBUS_SESSION_BUS_ADDRESS is missing', async () => {
      const address = process.env.DBUS_SESSION_BUS_ADDRESS ?? '';
      const socket = /unix:path=([^,]+)/.exec(address)?.[1];
      expect(socket, `a unix:path bus address, got ${address}`).toBeDefined();
      const runtime = join(dir, 'run');
      mkdirSync(runtime, { mode: 0o700 });
      symlinkSync(socket!, join(runtime, 'bus'));
      const stored = await runCli(['secrets', 'set', 'minimal-env-probe'], { input: 'value-from-keychain' });
      expect(stored.code, stored.stderr).toBe(0);

      const minimal = {
        HOME: process.env.HOME ?? '/',
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        SHELL: '/bin/sh',
        TERM: 'dumb',
        USER: process.env.USER ?? 'user',
        XDG_RUNTIME_DIR: runtime,
      };
      const got = await run(
        process.execPath,
        [CLI, 'secrets', 'get', 'minimal-env-probe', '--reveal'],
        minimal,
      );
      expect(got.stderr).toBe('');
      expect(got.stdout).toBe('value-from-keychain');
      await runCli(['secrets', 'delete', 'minimal-env-probe']);
    });

    it('doctor reports a locked login keyring as locked, with a hint that unlocks it', async () => {
      const config = join(dir, 'config.json');
      writeFileSync(
        config,
        JSON.stringify({ mcpServers: { a: { command: 'node', env: { T: 'secret:locked-probe' } } } }),
      );
      // A keyring of its own, locked before doctor runs (locking the shared one would fail other tests).
      const script = [
        'dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets',
        'org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null',
        `&& exec ${process.execPath} ${CLI} doctor --json --config ${config} --host claude-desktop`,
      ].join(' ');
      const { stdout, stderr } = await run(
        'sh',
        [join(ROOT, 'scripts', 'with-keyring.sh'), 'sh', '-c', script],
        {
          ...(process.env as Record<string, string>),
          MCP_SENTINEL_KEYRING_DIR: '',
        },
      );
      const report = JSON.parse(stdout) as { keychain: { status: string; reason: string; hint?: string } };
      expect(report.keychain.status, stderr).toBe('fail');
      expect(report.keychain.reason).toContain('locked');
      expect(report.keychain.hint).toContain('seahorse');
      expect(report.keychain.hint).toContain('gnome-keyring-daemon --replace --unlock');
    }, 60_000);
  },
);
