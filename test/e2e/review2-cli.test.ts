/** Command-line behaviour through the built CLI on the project's Node: options, usage errors and exit codes. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/host.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-review2-'));
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
