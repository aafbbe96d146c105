/**
 * `init --from` and `install` against a real-shaped config file of each host, in-process: what each host's
 * servers import as (literal credentials listed by name, never by value), and install's plan and write per
 * host: one entry added with every other entry, key, comment and byte kept, a backup of the original,
 * idempotence, and the entry's removal giving back the original byte for byte. Files are refused untouched
 * when they cannot be edited safely. test/e2e/init-install.test.ts runs the same journeys through the CLI.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectOnlyLinesAdded } from '../helpers/host-file-edits.js';
import { HOSTS, type HostId } from '../../src/hosts.js';
import { readHostFile } from '../../src/install/host-file.js';
import { importHostServers } from '../../src/install/import.js';
import { applyInstall, planInstall, sentinelEntry } from '../../src/install/install.js';
import { FIXTURES } from '../helpers/paths.js';

const launch = {
  platform: 'linux' as const,
  nodePath: '/usr/bin/node',
  cliPath: '/opt/s/bin/mcp-sentinel.js',
};
const CONFIG = '/home/someone/.config/mcp-sentinel/config.json';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-install-host-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A copy of the host's fixture file in the test's directory. */
function placeHostFixture(host: HostId): { path: string; original: string } {
  const path = join(dir, `${host}.json`);
  copyFileSync(join(FIXTURES, 'hosts', `${host}.json`), path);
  return { path, original: readFileSync(path, 'utf8') };
}

function backups(path: string): string[] {
  const base = path.split('/').at(-1)!;
  return readdirSync(dir).filter((name) => name.startsWith(`${base}.`) && name.endsWith('.bak'));
}

async function hostData(host: HostId, path: string): Promise<Record<string, unknown>> {
  const def = HOSTS[host];
  return (await readHostFile(path, { allowComments: def.allowsComments, serversKey: def.serversKey })).data;
}

describe('init --from, per host', () => {
  it.each([
    ['claude-desktop', ['filesystem', 'github'], ['github-github_personal_access_token'], [], 'ghp_PLANTED'],
    [
      'claude-code',
      ['linear', 'memory'],
      ['linear-authorization'],
      ['Bearer ${secret:linear-authorization}'],
      'lin_api_PLANTED',
    ],
    ['cursor', ['sentry', 'postgres'], ['postgres-pgpassword'], [], 'PLANTED-pg-password'],
    ['vscode', ['perplexity', 'fetch'], [], ['${input:perplexity-key} is a VS Code prompt'], undefined],
  ] as const)(
    '%s: imports the servers and lists literal credentials without their values',
    async (host, names, secrets, mentioned, planted) => {
      const { path, original } = placeHostFixture(host);
      const result = importHostServers(host, await hostData(host, path));
      expect(Object.keys(result.servers)).toEqual(names);
      expect(result.credentials.map((c) => c.secretName)).toEqual(secrets);
      // What init prints about the import: notes, skipped entries and each credential's name, path and
      // replacement.
      const printed = JSON.stringify([
        result.notes,
        result.skipped,
        result.credentials.map((c) => [c.secretName, c.path, c.replacement, c.note]),
      ]);
      for (const text of mentioned) expect(printed).toContain(text);
      if (planted) expect(printed).not.toContain(planted);
      expect(readFileSync(path, 'utf8')).toBe(original);
    },
  );

  it('imports stdio entries verbatim and remote ones with their transport', async () => {
    const { path } = placeHostFixture('cursor');
    const result = importHostServers('cursor', await hostData('cursor', path));
    // Cursor sends "${DATABASE_URL}" as it is: mcp-sentinel must too, so its "$" is escaped.
    expect(result.notes.join('\n')).toMatch(/Cursor does not expand \$\{DATABASE_URL\}/);
    expect(result.servers).toEqual({
      sentry: { type: 'sse', url: 'https://mcp.sentry.dev/sse' },
      postgres: {
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-postgres', '$${DATABASE_URL}'],
        env: { PGPASSWORD: 'PLANTED-pg-password' },
      },
    });
  });
});

describe('install, per host', () => {
  it.each(['claude-desktop', 'claude-code', 'cursor', 'vscode'] as const)(
    '%s: adds one entry, keeps everything else, backs up, is idempotent, and removing it restores the file',
    async (host) => {
      const { path, original } = placeHostFixture(host);
      const entry = sentinelEntry(host, CONFIG, launch);
      const options = { host, file: path, name: 'sentinel' };

      const plan = await planInstall({ ...options, entry });
      expect(plan).toMatchObject({ action: 'add', before: original, fileExists: true, moved: [] });
      // Planning writes nothing (that is what --dry-run shows).
      expect(readFileSync(path, 'utf8')).toBe(original);
      expect(backups(path)).toEqual([]);

      expect(await applyInstall(plan)).toMatchObject({ written: true });
      const after = readFileSync(path, 'utf8');
      expect(after).toBe(plan.after);
      const key = HOSTS[host].serversKey;
      const before = parse(original) as Record<string, Record<string, unknown>>;
      const now = parse(after) as Record<string, Record<string, unknown>>;
      const { sentinel, ...others } = now[key]!;
      expect(others).toEqual(before[key]);
      expect({ ...now, [key]: others }).toEqual(before);
      expect(sentinel).toEqual({
        ...(host === 'vscode' || host === 'claude-code' ? { type: 'stdio' } : {}),
        command: launch.nodePath,
        args: [launch.cliPath, 'serve', '--config', CONFIG],
      });
      expectOnlyLinesAdded(original, after);
      const [backup] = backups(path);
      expect(readFileSync(join(dir, backup!), 'utf8')).toBe(original);

      const again = await planInstall({ ...options, entry });
      expect(again.action).toBe('unchanged');
      expect(await applyInstall(again)).toEqual({ written: false });
      expect(readFileSync(path, 'utf8')).toBe(after);
      expect(backups(path)).toHaveLength(1);

      const removal = await planInstall(options);
      expect(removal.action).toBe('remove');
      expect(await applyInstall(removal)).toMatchObject({ written: true });
      expect(readFileSync(path, 'utf8')).toBe(original);
      // One backup per file per day: the day's first (the original) is kept.
      expect(backups(path)).toHaveLength(1);
      expect(readFileSync(join(dir, backups(path)[0]!), 'utf8')).toBe(original);
      expect((await planInstall(options)).action).toBe('absent');
    },
  );

  it('updates an outdated entry in place, keeping keys the user added to it', async () => {
    const path = join(dir, 'claude_desktop_config.json');
    const old = { command: 'node', args: ['/old/mcp-sentinel/bin/mcp-sentinel.js'], env: { A: '1' } };
    writeFileSync(path, JSON.stringify({ mcpServers: { sentinel: old } }, null, 2));
    const entry = sentinelEntry('claude-desktop', CONFIG, launch);
    const plan = await planInstall({ host: 'claude-desktop', file: path, name: 'sentinel', entry });
    expect(plan.action).toBe('update');
    await applyInstall(plan);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      mcpServers: { sentinel: { ...entry, env: { A: '1' } } },
    });
  });

  it.each([
    ['not JSON at all', 'mcpServers: [oops', /host config .* is not valid JSON/],
    ['a trailing comma', '{"mcpServers": {"a": {"command": "x"},}}', /host config .* is not valid JSON/],
    [
      'servers that are not an object',
      '{"mcpServers": []}',
      /"mcpServers" in host config .* is not an object/,
    ],
    ['an array', '[]', /host config .* is not a JSON object/],
  ])('refuses a host file with %s and leaves it untouched', async (_, text, message) => {
    const path = join(dir, 'claude_desktop_config.json');
    writeFileSync(path, text);
    const entry = sentinelEntry('claude-desktop', CONFIG, launch);
    await expect(
      planInstall({ host: 'claude-desktop', file: path, name: 'sentinel', entry }),
    ).rejects.toMatchObject({
      code: 'HOST_CONFIG',
      message: expect.stringMatching(message),
      hint: expect.stringContaining('it was not changed'),
    });
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(backups(path)).toEqual([]);
  });
});
