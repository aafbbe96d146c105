/**
 * Host definitions and the doctor's host checks, table-driven: config paths per OS, the entry install
 * writes, name budgets and tool caps per host, and the JSON editing that keeps everything else intact.
 */
import { describe, expect, it } from 'vitest';
import { checkHost, type CatalogSummary } from '../../src/doctor/hosts.js';
import { findLiteralCredentials } from '../../src/refs/credentials.js';
import { editJson } from '../../src/install/host-file.js';
import { HOSTS, HOST_IDS, hostConfigPath, hostToolName, type HostId } from '../../src/hosts.js';
import { importHostServers } from '../../src/install/import.js';
import { sentinelEntry } from '../../src/install/install.js';
import { toPublicName } from '../../src/aggregator/names.js';

function catalog(tools: string[]): CatalogSummary {
  return { tools, collisions: [], readyBackends: 1, totalBackends: 1 };
}

const statusOf = (host: HostId, tools: string[], id: string) =>
  checkHost(host, 'sentinel', catalog(tools)).checks.find((c) => c.id === id)?.status;

describe('host config paths', () => {
  const home = '/home/u';
  it.each([
    ['claude-desktop', 'linux', { XDG_CONFIG_HOME: '/x' }, '/x/Claude/claude_desktop_config.json'],
    ['claude-desktop', 'linux', {}, '/home/u/.config/Claude/claude_desktop_config.json'],
    ['claude-desktop', 'darwin', {}, '/home/u/Library/Application Support/Claude/claude_desktop_config.json'],
    [
      'claude-desktop',
      'win32',
      { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' },
      'C:\\Users\\u\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
    ],
    ['claude-code', 'linux', {}, '/home/u/.claude.json'],
    ['cursor', 'darwin', {}, '/home/u/.cursor/mcp.json'],
    ['vscode', 'linux', {}, '/home/u/.config/Code/User/mcp.json'],
    ['vscode', 'darwin', {}, '/home/u/Library/Application Support/Code/User/mcp.json'],
    ['vscode', 'win32', { APPDATA: 'C:\\R' }, 'C:\\R\\Code\\User\\mcp.json'],
  ] as const)('%s on %s', (host, platform, env, expected) => {
    expect(hostConfigPath(host, { platform, env, home })).toBe(expected);
  });
});

describe('the entry install writes', () => {
  const launch = {
    platform: 'win32' as const,
    nodePath: 'C:\\node\\node.exe',
    cliPath: 'C:\\m\\bin\\mcp-sentinel.js',
  };
  it('runs node by absolute path (no npx .cmd shim) and passes only the config path', () => {
    const entry = sentinelEntry('claude-desktop', 'C:\\cfg\\config.json', launch);
    expect(entry).toEqual({
      command: 'C:\\node\\node.exe',
      args: ['C:\\m\\bin\\mcp-sentinel.js', 'serve', '--config', 'C:\\cfg\\config.json'],
    });
  });
  it('adds "type": "stdio" where the host wants it', () => {
    expect(sentinelEntry('vscode', '/c.json', launch).type).toBe('stdio');
    expect(sentinelEntry('claude-code', '/c.json', launch).type).toBe('stdio');
    expect(HOSTS.vscode.serversKey).toBe('servers');
  });
});

describe('host name budgets and tool caps', () => {
  // A backend "long" with a 70-character tool: the sentinel shortens it to 64 with a hash.
  const long = toPublicName('long', 'long', '__', 't'.repeat(70), 64);
  const many = Array.from({ length: 90 }, (_, i) => `many__tool_${i}`);

  it('shortens the 70-character tool to exactly 64', () => {
    expect(long).toHaveLength(64);
  });

  it.each([
    ['claude-desktop', 'ok'],
    ['claude-code', 'warn'],
    ['cursor', 'warn'],
    ['vscode', 'warn'],
  ] as const)('a 64-character name on %s: %s', (host, expected) => {
    expect(statusOf(host, [long, 'short__echo'], 'name-length')).toBe(expected);
  });

  it.each([
    ['claude-desktop', undefined],
    ['claude-code', undefined],
    ['cursor', 'warn'],
    ['vscode', 'ok'],
  ] as const)('90 tools on %s: %s', (host, expected) => {
    expect(statusOf(host, many, 'tool-count')).toBe(expected);
  });

  it('names both Cursor caps when 90 tools exceed them, and only the old one for 50', () => {
    expect(checkHost('cursor', 'sentinel', catalog(many)).reason).toMatch(
      /90 tools: Cursor uses at most 80 \(current releases\) or 40 \(older releases\)/,
    );
    const fifty = checkHost('cursor', 'sentinel', catalog(many.slice(0, 50)));
    expect(fifty.checks.find((c) => c.id === 'tool-count')?.reason).toMatch(/40 \(older releases\)$/);
  });

  it('suggests the length that fits the host', () => {
    const result = checkHost('claude-code', 'sentinel', catalog([long]));
    expect(result.hint).toContain('"maxToolNameLength": 49');
    expect(checkHost('cursor', 'sentinel', catalog([long])).hint).toContain('"maxToolNameLength": 52');
  });

  it('finds names VS Code would cut into the same id', () => {
    const a = 'x'.repeat(55) + '_one';
    const b = 'x'.repeat(55) + '_two';
    const result = checkHost('vscode', 'sentinel', catalog([a, b]));
    expect(result.checks.find((c) => c.id === 'collisions')?.status).toBe('warn');
    expect(hostToolName('vscode', 'sentinel', a).name).toHaveLength(64);
  });

  it('fails names outside the model pattern', () => {
    expect(statusOf('claude-desktop', ['bad.name'], 'name-pattern')).toBe('fail');
  });

  it('skips a host when no backend is ready', () => {
    for (const host of HOST_IDS) {
      expect(
        checkHost(host, 'sentinel', { tools: [], collisions: [], readyBackends: 0, totalBackends: 2 }).status,
      ).toBe('skip');
    }
  });
});

describe('editing host files', () => {
  it('adds an entry after a one-line sibling without reformatting it', () => {
    const text = '{\n    "other": 1,\n    "mcpServers": {\n        "a": {"command": "x"}\n    }\n}\n';
    const out = editJson(text, ['mcpServers', 'sentinel'], { command: 'n', args: ['a'] });
    expect(out).toContain(
      '        "a": {"command": "x"},\n        "sentinel": {\n            "command": "n",',
    );
    expect(editJson(out, ['mcpServers', 'sentinel'], undefined)).toBe(text);
  });

  it('keeps comments, tabs and trailing commas of JSONC files', () => {
    const text = '{\n\t// mine\n\t"servers": {\n\t\t"a": { "command": "x" },\n\t},\n}\n';
    const out = editJson(text, ['servers', 'sentinel'], { type: 'stdio' });
    expect(out).toContain('\t// mine');
    expect(out).toContain('\t\t"sentinel": {\n\t\t\t"type": "stdio"\n\t\t}');
  });

  it('creates the servers key in an empty file', () => {
    expect(JSON.parse(editJson('', ['mcpServers', 's'], { command: 'c' }))).toEqual({
      mcpServers: { s: { command: 'c' } },
    });
  });
});

describe('literal credentials and imports', () => {
  it('finds credentials by key name and token shape, never references', () => {
    const found = findLiteralCredentials({
      gh: {
        command: 'x',
        env: {
          GITHUB_TOKEN: 'abc123456',
          DEBUG: '1',
          OTHER: 'ghp_0123456789abcdef',
          REF: 'secret:x',
          TOKEN2: '${T}',
        },
      },
      web: { type: 'http', url: 'https://x', headers: { Authorization: 'Bearer abcdefgh', Accept: 'json' } },
      jira: { type: 'http', url: 'https://y', headers: { Authorization: 'Bearer secret:jira-token' } },
    });
    expect(found.map((f) => f.path)).toEqual([
      'mcpServers.gh.env.GITHUB_TOKEN',
      'mcpServers.gh.env.OTHER',
      'mcpServers.web.headers.Authorization',
      'mcpServers.jira.headers.Authorization',
    ]);
    // A secret written "secret:NAME" inside a longer value is sent literally; the fix is ${secret:NAME}.
    expect(found[3]).toMatchObject({ secretName: 'jira-token', replacement: 'Bearer ${secret:jira-token}' });
    expect(found[2]!.replacement).toBe('Bearer ${secret:web-authorization}');
    expect(JSON.stringify(found)).not.toContain('abcdefgh');
  });

  it('imports VS Code servers, converting ${env:X} and skipping mcp-sentinel itself', () => {
    const result = importHostServers('vscode', {
      servers: {
        a: { type: 'stdio', command: 'npx', args: ['${env:HOME}/x'], envFile: '.env' },
        'my.server': { type: 'http', url: 'https://h/mcp' },
        sentinel: {
          type: 'stdio',
          command: '/usr/bin/node',
          args: ['/opt/mcp-sentinel/bin/mcp-sentinel.js', 'serve'],
        },
      },
    });
    expect(result.servers).toEqual({
      a: { command: 'npx', args: ['${HOME}/x'] },
      my_server: { type: 'streamable-http', url: 'https://h/mcp' },
    });
    expect(result.skipped).toEqual([{ name: 'sentinel', reason: 'is mcp-sentinel itself' }]);
    expect(result.notes.join('\n')).toMatch(/envFile/);
  });
});
