/** Host file writes: a file changed after planning is refused, backups never overwrite each other, init --force backs up. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SentinelError } from '../../src/errors.js';
import { backupFile } from '../../src/install/host-file.js';
import { applyInstall, planInstall, sentinelEntry } from '../../src/install/install.js';
import { runCli } from '../helpers/host.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-install-writes-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const launch = {
  platform: 'linux' as const,
  nodePath: '/usr/bin/node',
  cliPath: '/opt/s/bin/mcp-sentinel.js',
};

describe('install writes', () => {
  it('refuses with exit code 1 when the host file changed after it was planned', async () => {
    const file = join(dir, 'claude_desktop_config.json');
    writeFileSync(file, '{\n  "mcpServers": {}\n}\n');
    const plan = await planInstall({
      host: 'claude-desktop',
      file,
      name: 'sentinel',
      entry: sentinelEntry('claude-desktop', '/c.json', launch),
    });
    const edited = '{\n  "mcpServers": { "mine": { "command": "x" } }\n}\n';
    writeFileSync(file, edited); // the host saves its own change meanwhile
    const error = await applyInstall(plan).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SentinelError);
    expect((error as SentinelError).message).toMatch(/changed/);
    expect((error as SentinelError).exitCode).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(edited);
    expect(readdirSync(dir).filter((n) => n.endsWith('.bak'))).toEqual([]);
  });

  it('refuses when a file appeared where none was planned', async () => {
    const file = join(dir, 'new.json');
    const plan = await planInstall({
      host: 'cursor',
      file,
      name: 'sentinel',
      entry: sentinelEntry('cursor', '/c.json', launch),
    });
    writeFileSync(file, '{"mcpServers": {"mine": {"command": "x"}}}');
    await expect(applyInstall(plan)).rejects.toMatchObject({ code: 'HOST_WRITE' });
    expect(readFileSync(file, 'utf8')).toBe('{"mcpServers": {"mine": {"command": "x"}}}');
  });

  it('keeps one backup per file per day (the first), and never overwrites a backup', async () => {
    const file = join(dir, 'mcp.json');
    const now = new Date('2026-01-02T03:04:05.678Z');
    writeFileSync(file, 'original');
    const first = await backupFile(file, now);
    expect(first).toBe(`${file}.2026-01-02.bak`);
    writeFileSync(file, 'second');
    expect(await backupFile(file, new Date('2026-01-02T22:00:00Z'))).toBe(first);
    expect(readFileSync(first!, 'utf8')).toBe('original');
    // A backup with its own text (a migration's) is always written, beside the day's.
    const own = await backupFile(file, now, 'with references');
    expect(own).not.toBe(first);
    expect(readFileSync(own!, 'utf8')).toBe('with references');
    expect(readFileSync(first!, 'utf8')).toBe('original');
    const tomorrow = await backupFile(file, new Date('2026-01-03T00:00:01Z'));
    expect(readFileSync(tomorrow!, 'utf8')).toBe('second');
  });
});

describe('init --force', () => {
  it('backs up the existing config first and says where', async () => {
    const target = join(dir, 'config.json');
    writeFileSync(target, '{"mcpServers": {"precious": {"command": "x"}}}', { mode: 0o600 });
    const { code, stdout } = await runCli(['init', '--path', target, '--force']);
    expect(code).toBe(0);
    const backup = /backup of the old file: (\S+)/.exec(stdout)?.[1];
    expect(backup).toBeDefined();
    expect(readFileSync(backup!, 'utf8')).toBe('{"mcpServers": {"precious": {"command": "x"}}}');
    expect(statSync(backup!).mode & 0o777).toBe(0o600);
    expect(readFileSync(target, 'utf8')).not.toContain('precious');
  });
});
