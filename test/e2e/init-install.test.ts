/**
 * `init` and `install` through the built CLI, against temp copies of real-shaped host config files at
 * their Linux locations under a temp HOME (never the real one): the starter config, an import with the
 * commands that move its credentials, install's whole journey into one host (dry run, write, backup,
 * idempotence, --remove), and what only the CLI shows: messages, exit codes, each host's usual file. The
 * planning for each host's file format runs in-process in test/unit/install-per-host.test.ts.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'jsonc-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectOnlyLinesAdded } from '../helpers/host-file-edits.js';
import { runCli } from '../helpers/host.js';
import { CLI, FIXTURES } from '../helpers/paths.js';

type HostId = 'claude-desktop' | 'claude-code' | 'cursor' | 'vscode';

let home: string;
let env: Record<string, string>;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'sentinel-install-'));
  env = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    APPDATA: join(home, 'AppData', 'Roaming'),
    MCP_SENTINEL_CONFIG: '',
  };
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

/** Where each host keeps its file on Linux, under the temp HOME. */
function hostFile(host: HostId): string {
  switch (host) {
    case 'claude-desktop':
      return join(home, '.config', 'Claude', 'claude_desktop_config.json');
    case 'claude-code':
      return join(home, '.claude.json');
    case 'cursor':
      return join(home, '.cursor', 'mcp.json');
    case 'vscode':
      return join(home, '.config', 'Code', 'User', 'mcp.json');
  }
}

function placeHostFixture(host: HostId): { path: string; original: string } {
  const path = hostFile(host);
  mkdirSync(dirname(path), { recursive: true });
  copyFileSync(join(FIXTURES, 'hosts', `${host}.json`), path);
  return { path, original: readFileSync(path, 'utf8') };
}

function backups(path: string): string[] {
  return readdirSync(dirname(path)).filter(
    (name) => name.startsWith(`${path.split('/').at(-1)!}.`) && name.endsWith('.bak'),
  );
}

/** A valid config for install to point the host at (what `init` writes; init itself is tested below). */
function initConfig(): string {
  const path = join(home, 'sentinel.json');
  const example = { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'], disabled: true };
  writeFileSync(path, JSON.stringify({ mcpServers: { example } }, null, 2));
  return path;
}

const cli = (args: string[]) => runCli(args, { env });

describe('init', () => {
  it('writes a starter config with $schema at the global location, and refuses to overwrite it', async () => {
    const first = await cli(['init']);
    expect(first.code).toBe(0);
    const path = join(home, '.config', 'mcp-sentinel', 'config.json');
    expect(first.stdout).toContain(`✔ wrote ${path}`);
    expect(first.stdout).toMatch(
      /Next steps:\n.*add your servers.*\n.*mcp-sentinel doctor\n.*mcp-sentinel install --host claude-desktop/,
    );
    const written = JSON.parse(readFileSync(path, 'utf8')) as {
      $schema: string;
      mcpServers: Record<string, unknown>;
    };
    expect(written.$schema).toMatch(/config\.schema\.json$/);
    expect(Object.keys(written.mcpServers)).toEqual(['example']);
    expect(statSync(path).mode & 0o777).toBe(0o600);

    // The starter is valid and healthy as it is: the example is disabled.
    const doctor = await cli(['doctor', '--json']);
    expect(JSON.parse(doctor.stdout)).toMatchObject({ config: { path, status: 'ok' }, summary: { fail: 0 } });

    writeFileSync(path, '{"mcpServers": {"mine": {"command": "x"}}}');
    const again = await cli(['init']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists[\s\S]*--force/);
    expect(readFileSync(path, 'utf8')).toBe('{"mcpServers": {"mine": {"command": "x"}}}');

    expect((await cli(['init', '--force'])).code).toBe(0);
    expect(readFileSync(path, 'utf8')).toContain('"example"');

    // --force where there is nothing to replace writes the file (no backup to take).
    const fresh = join(home, 'fresh', 'sentinel.json');
    const forcedFresh = await cli(['init', '--force', '--path', fresh]);
    expect(forcedFresh.code, forcedFresh.stderr).toBe(0);
    expect(forcedFresh.stdout).not.toMatch(/backup/);
    expect(readFileSync(fresh, 'utf8')).toContain('"example"');
  });

  it('--from imports the servers verbatim, remote ones with their transport, and lists literal credentials without their values', async () => {
    const { path: source, original } = placeHostFixture('cursor');
    const target = join(home, 'imported.json');
    const { code, stdout, stderr } = await cli(['init', '--from', 'cursor', '--path', target]);
    expect(code, stderr).toBe(0);
    // Cursor sends "${DATABASE_URL}" as it is: mcp-sentinel must too, so its "$" is escaped.
    expect(stdout).toMatch(/Cursor does not expand \$\{DATABASE_URL\}/);
    expect(stdout).toContain('mcp-sentinel secrets set postgres-pgpassword');
    expect(stdout + stderr).not.toContain('PLANTED-pg-password');
    const config = JSON.parse(readFileSync(target, 'utf8')) as { mcpServers: Record<string, unknown> };
    expect(config.mcpServers).toEqual({
      sentry: { type: 'sse', url: 'https://mcp.sentry.dev/sse' },
      postgres: {
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-postgres', '$${DATABASE_URL}'],
        env: { PGPASSWORD: 'PLANTED-pg-password' },
      },
    });
    expect(readFileSync(source, 'utf8')).toBe(original);
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it('refuses a malformed host file with a clear error and writes nothing', async () => {
    const path = hostFile('claude-desktop');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '{\n  "mcpServers": {\n    "a": {"command": "x",}\n  }\n}\n');
    const target = join(home, 'imported.json');
    const { code, stderr } = await cli(['init', '--from', 'claude-desktop', '--path', target]);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /host config .*claude_desktop_config\.json is not valid JSON \(PropertyNameExpected at line 3, column 26\)/,
    );
    expect(existsSync(target)).toBe(false);
  });
});

describe('install', () => {
  // VS Code's file is the hardest shape (comments, a trailing comma, tabs, "servers").
  it.each(['vscode'] as const)(
    '%s: adds one entry, keeps everything else, backs up, is idempotent, and --remove restores the file',
    async (host) => {
      const config = initConfig();
      const { path, original } = placeHostFixture(host);

      const dry = await cli(['install', '--host', host, '--config', config, '--dry-run']);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/^\+\s+"sentinel": \{$/m);
      expect(dry.stdout).toContain('(dry run: nothing was written)');
      expect(readFileSync(path, 'utf8')).toBe(original);
      expect(backups(path)).toEqual([]);

      const first = await cli(['install', '--host', host, '--config', config]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain(`added "sentinel" in`);
      const after = readFileSync(path, 'utf8');
      const key = host === 'vscode' ? 'servers' : 'mcpServers';
      const before = parse(original) as Record<string, Record<string, unknown>>;
      const now = parse(after) as Record<string, Record<string, unknown>>;
      const { sentinel, ...others } = now[key]!;
      expect(others).toEqual(before[key]);
      expect({ ...now, [key]: others }).toEqual(before);
      expect(sentinel).toEqual({
        ...(host === 'vscode' || host === 'claude-code' ? { type: 'stdio' } : {}),
        command: process.execPath,
        args: [CLI, 'serve', '--config', config],
      });
      expectOnlyLinesAdded(original, after);
      const [backup] = backups(path);
      expect(readFileSync(join(dirname(path), backup!), 'utf8')).toBe(original);

      const second = await cli(['install', '--host', host, '--config', config]);
      expect(second.stdout).toContain('already up to date');
      expect(readFileSync(path, 'utf8')).toBe(after);
      expect(backups(path)).toHaveLength(1);

      const removed = await cli(['install', '--host', host, '--remove']);
      expect(removed.code).toBe(0);
      expect(removed.stdout).toContain('removed "sentinel"');
      expect(readFileSync(path, 'utf8')).toBe(original);
      // One backup per file per day: the day's first (the original) is kept.
      expect(backups(path)).toHaveLength(1);
      expect(readFileSync(join(dirname(path), backups(path)[0]!), 'utf8')).toBe(original);
      expect((await cli(['install', '--host', host, '--remove'])).stdout).toContain('nothing to remove');
    },
  );

  it('creates the host file when there is none, and honours --host-config and --name', async () => {
    const config = initConfig();
    const target = join(home, 'elsewhere', 'mcp.json');
    const { code } = await cli([
      'install',
      '--host',
      'cursor',
      '--config',
      config,
      '--host-config',
      target,
      '--name',
      'gw',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(target, 'utf8'))).toEqual({
      mcpServers: { gw: { command: process.execPath, args: [CLI, 'serve', '--config', config] } },
    });
    expect(existsSync(hostFile('cursor'))).toBe(false);
  });

  it('updates an outdated entry in place, keeping keys the user added to it', async () => {
    const config = initConfig();
    const path = hostFile('claude-desktop');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(
      path,
      JSON.stringify(
        {
          mcpServers: {
            sentinel: { command: 'node', args: ['/old/mcp-sentinel/bin/mcp-sentinel.js'], env: { A: '1' } },
          },
        },
        null,
        2,
      ),
    );
    const { stdout } = await cli(['install', '--host', 'claude-desktop', '--config', config]);
    expect(stdout).toContain('updated "sentinel"');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      mcpServers: {
        sentinel: { command: process.execPath, args: [CLI, 'serve', '--config', config], env: { A: '1' } },
      },
    });
  });

  it('refuses to replace or remove a "sentinel" entry it did not write, unless --force', async () => {
    const config = initConfig();
    const path = hostFile('claude-desktop');
    mkdirSync(dirname(path), { recursive: true });
    const theirs = JSON.stringify({
      mcpServers: { sentinel: { command: 'sentinel-av', args: ['--watch'] } },
    });
    writeFileSync(path, theirs);
    for (const extra of [[], ['--remove']]) {
      const refused = await cli(['install', '--host', 'claude-desktop', '--config', config, ...extra]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /"sentinel" in .* is not an mcp-sentinel entry[\s\S]*--name NAME[\s\S]*--force/,
      );
      expect(readFileSync(path, 'utf8')).toBe(theirs);
    }
    const forced = await cli(['install', '--host', 'claude-desktop', '--config', config, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(path, 'utf8')).toContain('mcp-sentinel.js');
  });

  it.each([['a trailing comma', '{"mcpServers": {"a": {"command": "x"},}}']])(
    'refuses a host file with %s and leaves it untouched',
    async (_, text) => {
      const config = initConfig();
      const path = hostFile('claude-desktop');
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      const { code, stderr } = await cli(['install', '--host', 'claude-desktop', '--config', config]);
      expect(code).toBe(2);
      expect(stderr).toMatch(
        /error host config .*claude_desktop_config\.json|error "mcpServers" in host config/,
      );
      expect(stderr).toContain('it was not changed');
      expect(readFileSync(path, 'utf8')).toBe(text);
      expect(backups(path)).toEqual([]);
    },
  );

  it('refuses to install a config that does not exist or is invalid', async () => {
    const missing = await cli(['install', '--host', 'cursor', '--config', join(home, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist[\s\S]*mcp-sentinel init/);
    const bad = join(home, 'bad.json');
    writeFileSync(bad, '{"mcpServers": {"a": {}}}');
    const invalid = await cli(['install', '--host', 'cursor', '--config', bad]);
    expect(invalid.code).toBe(2);
    expect(existsSync(hostFile('cursor'))).toBe(false);
  });

  it('rejects an unknown host as a usage error', async () => {
    const { code, stderr } = await cli(['install', '--host', 'emacs']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Allowed choices are claude-desktop, claude-code, cursor, vscode/);
  });
});
