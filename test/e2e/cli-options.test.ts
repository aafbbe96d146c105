/** Command-line behaviour through the built CLI on the project's Node: options, usage errors and exit codes. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/host.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-cli-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function config(servers: Record<string, unknown> = {}): string {
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify({ mcpServers: servers }));
  return path;
}

describe('--dotenv', () => {
  it.each([['tools'], ['doctor']])('%s: a missing file is our own error with exit 2', async (command) => {
    const path = config();
    const missing = join(dir, 'missing.env');
    const { code, stderr } = await runCli([command, '-c', path, '--dotenv', missing]);
    expect(stderr).not.toMatch(/^node:/m);
    expect(stderr).toContain(`env file ${missing} does not exist`);
    expect(code).toBe(2);
  });

  it('feeds $VAR references, under the real environment', async () => {
    const path = config({
      a: { command: process.execPath, args: ['-e', ''], env: { X: '$ONLY_IN_FILE', Y: '$BOTH' } },
    });
    const file = join(dir, 'extra.env');
    writeFileSync(file, 'ONLY_IN_FILE=1\nBOTH=file\n');
    const { stdout } = await runCli(['doctor', '-c', path, '--dotenv', file, '--json', '--timeout', '1000'], {
      env: { BOTH: 'real' },
    });
    const report = JSON.parse(stdout) as { references: { name?: string; status: string }[] };
    expect(report.references.filter((r) => r.status !== 'ok')).toEqual([]);
    expect(report.references.map((r) => r.name).sort()).toEqual(['BOTH', 'ONLY_IN_FILE']);
  });
});

describe('tools --json', () => {
  it('redacts secrets in backend error messages on stdout', async () => {
    const value = `/nonexistent/CANARY-${process.pid}-tools`;
    const path = config({ a: { command: 'secret:tok' } });
    const { code, stdout, stderr } = await runCli(['tools', '-c', path, '--json'], {
      env: { MCP_SENTINEL_SECRET_TOK: value },
    });
    expect(code).toBe(1);
    const parsed = JSON.parse(stdout) as { backends: { error?: string }[] };
    expect(parsed.backends[0]!.error).toContain('[redacted]');
    expect(stdout + stderr).not.toContain(value);
  });
});

describe('usage errors exit 2', () => {
  it.each([
    [['doctor', '--timeout', '5']],
    [['doctor', '--bogus']],
    [['init', '--from', 'notepad']],
    [['install']],
    [['install', '--host', 'cursor', '--bogus']],
    [['secrets', 'get']],
    [['secrets', 'set', 'a', 'b']],
    [['tools', '--bogus']],
  ])('%j', async (args) => {
    const { code, stderr } = await runCli(args, { env: { HOME: dir, XDG_CONFIG_HOME: dir } });
    expect(stderr).toMatch(/error/);
    expect(code).toBe(2);
  });

  it('init --host-config without --from is refused, and nothing is written', async () => {
    const target = join(dir, 'config.json');
    const { code, stderr } = await runCli(['init', '--path', target, '--host-config', join(dir, 'x.json')]);
    expect(stderr).toMatch(/--host-config is only used with --from/);
    expect(code).toBe(2);
    expect(existsSync(target)).toBe(false);
  });

  it('doctor --name is checked like install --name', async () => {
    const { code, stderr } = await runCli(['doctor', '-c', config(), '--name', 'bad name!']);
    expect(stderr).toMatch(/--name "bad name!" is not a valid server key/);
    expect(code).toBe(2);
  });
});

describe('host file write failures', () => {
  it('exit 1, not the config exit code', async () => {
    // A name so long that the backup beside it cannot be created (ENAMETOOLONG, root or not).
    const hostFile = join(dir, `${'h'.repeat(240)}.json`);
    writeFileSync(hostFile, '{"mcpServers": {}}');
    const { code, stderr } = await runCli([
      'install',
      '--host',
      'cursor',
      '--host-config',
      hostFile,
      '-c',
      config(),
    ]);
    expect(stderr).toMatch(/could not back up/);
    expect(code).toBe(1);
    expect(readFileSync(hostFile, 'utf8')).toBe('{"mcpServers": {}}');
  });
});
