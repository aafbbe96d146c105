/** `init --from` and `install` with --json: one JSON document on stdout saying what was done, no credential value. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/host.js';
import { fixtureServerArgs } from '../helpers/paths.js';

const home = mkdtempSync(join(tmpdir(), 'sentinel-json-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), MCP_SENTINEL_CONFIG: '' };
const hostFile = join(home, '.config', 'Claude', 'claude_desktop_config.json');
const cli = (args: string[]) => runCli(args, { env, timeoutMs: 60_000 });

describe('--json on init and install', () => {
  it('init --from --json lists the import and the credentials to move', async () => {
    mkdirSync(dirname(hostFile), { recursive: true });
    writeFileSync(
      hostFile,
      JSON.stringify({
        mcpServers: {
          fx: {
            command: process.execPath,
            args: fixtureServerArgs(),
            env: { API_KEY: 'PLANTED-json-1234' },
          },
        },
      }),
    );
    const { code, stdout, stderr } = await cli(['init', '--from', 'claude-desktop', '--json']);
    expect(code, stderr).toBe(0);
    expect(stdout).not.toContain('PLANTED');
    expect(JSON.parse(stdout)).toMatchObject({
      written: join(home, '.config', 'mcp-sentinel', 'config.json'),
      imported: { host: 'claude-desktop', file: hostFile, servers: ['fx'] },
      stored: [],
      credentials: [
        {
          path: 'mcpServers.fx.env.API_KEY',
          secret: 'fx-api_key',
          command: 'mcp-sentinel secrets set fx-api_key',
        },
      ],
    });
  });

  it('install --dry-run --json and install --json say what changes', async () => {
    const dry = await cli(['install', '--host', 'claude-desktop', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const planned = JSON.parse(dry.stdout) as {
      action: string;
      dryRun: boolean;
      written: boolean;
      diff: string;
    };
    expect(planned).toMatchObject({ action: 'add', dryRun: true, written: false, moved: ['fx'] });
    expect(planned.diff).toMatch(/^\+\s+"sentinel": \{$/m);
    const done = await cli(['install', '--host', 'claude-desktop', '--json']);
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({
      host: 'claude-desktop',
      file: hostFile,
      action: 'add',
      written: true,
      moved: ['fx'],
    });
    expect(readFileSync(hostFile, 'utf8')).toContain('"sentinel"');
  });
});
