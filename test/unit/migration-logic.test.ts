/**
 * The pure parts of moving a host's servers to mcp-sentinel: reading config values as templates over the
 * host's literals, recognising host entries the config serves, cutting credentials out into references,
 * and the sanitised copy of the host file that gives the original back byte for byte.
 */
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../src/config/types.js';
import { applyMoves, credentialValues } from '../../src/install/credential-move.js';
import { findLiteralCredentials } from '../../src/refs/credentials.js';
import { findServedDuplicates } from '../../src/install/duplicates.js';
import { editJson } from '../../src/install/host-file.js';
import { importHostServers } from '../../src/install/import.js';
import { restoreText, sanitizeText } from '../../src/install/migrate.js';
import { matchTemplate } from '../../src/install/template.js';

describe('matchTemplate', () => {
  it.each([
    ['Bearer ${secret:pat}', 'Bearer ghp_abc', { pat: 'ghp_abc' }],
    ['secret:pat', 'ghp_abc', { pat: 'ghp_abc' }],
    ['postgres://u:${secret:pw}@db/x', 'postgres://u:p%40ss@db/x', { pw: 'p%40ss' }],
    ['a ${secret:x} b ${secret:x}', 'a 1 b 1', { x: '1' }],
    ['$${DATABASE_URL}', '${DATABASE_URL}', {}],
    ['${HOME}/data', '/home/me/data', {}],
    ['cost $5 (x.y)', 'cost $5 (x.y)', {}],
  ])('%s over %s', (template, literal, secrets) => {
    expect(matchTemplate(template, literal)).toEqual({ secrets });
  });

  it.each([
    ['Bearer ${secret:pat}', 'Token ghp_abc'],
    ['a ${secret:x} b ${secret:x}', 'a 1 b 2'],
    ['plain', 'plainer'],
    ['${A:-$B}', 'x'],
  ])('%s does not match %s', (template, literal) => {
    expect(matchTemplate(template, literal)).toBeUndefined();
  });
});

describe('literal credentials by shape', () => {
  const found = findLiteralCredentials({
    db: { command: 'npx', args: ['server-postgres', 'postgres://app:PLANTED-pw@db.local:5432/shop'] },
    envdb: { command: 'x', env: { DATABASE_URL: 'mysql://root:PLANTED-pw2@127.0.0.1/db' } },
    zapier: { type: 'sse', url: 'https://actions.zapier.com/mcp/s/PLANTEDtoken0123456789abcdef/sse' },
    random: { type: 'http', url: 'https://mcp.example.com/v1/PLANTEDk3y8a7f6e5d4c3b2a1z0y9x8/mcp' },
    id: { type: 'http', url: 'https://mcp.example.com/projects/123e4567-e89b-12d3-a456-426614174000/mcp' },
    plain: { type: 'http', url: 'https://mcp.example.com/api/v2/mcp' },
    prompt: { command: 'x', env: { API_KEY: '$${input:api-key}' }, args: ['--token', '$${input:tok}'] },
    noPassword: { command: 'x', args: ['postgres://app@db/shop'] },
  });

  it('finds URL passwords, path tokens, and leaves ids, plain URLs and VS Code prompts alone', () => {
    expect(found.map((f) => [f.path, f.replacement])).toEqual([
      ['mcpServers.db.args.1', 'postgres://app:${secret:db-password}@db.local:5432/shop'],
      ['mcpServers.envdb.env.DATABASE_URL', 'mysql://root:${secret:envdb-password}@127.0.0.1/db'],
      ['mcpServers.zapier.url', 'https://actions.zapier.com/mcp/s/${secret:zapier-url-token}/sse'],
      ['mcpServers.random.url', 'https://mcp.example.com/v1/${secret:random-url-token}/mcp'],
    ]);
    expect(JSON.stringify(found)).not.toContain('PLANTED');
  });
});

describe('credentialValues and applyMoves', () => {
  const host = {
    mcpServers: {
      gh: {
        command: 'npx',
        args: ['--api-key', 'PLANTED-arg'],
        env: { GITHUB_TOKEN: 'ghp_PLANTED0123456789', COST: '$5' },
      },
      remote: {
        url: 'https://mcp.example.com/mcp?token=PLANTED-q1&page=2',
        headers: { Authorization: 'Bearer PLANTED-bearer' },
      },
    },
  };

  it('cuts each value out of its literal and writes the reference in its place', () => {
    const result = importHostServers('claude-desktop', host);
    const moves = credentialValues(result.servers, result.credentials);
    expect(moves.map((m) => [m.credential.secretName, m.value])).toEqual([
      ['gh-github_token', 'ghp_PLANTED0123456789'],
      ['gh-api-key', 'PLANTED-arg'],
      ['remote-authorization', 'PLANTED-bearer'],
      ['remote-token', 'PLANTED-q1'],
    ]);
    const servers = applyMoves(result.servers, moves);
    expect(servers).toEqual({
      gh: {
        command: 'npx',
        args: ['--api-key', '${secret:gh-api-key}'],
        env: { GITHUB_TOKEN: 'secret:gh-github_token', COST: '$$5' },
        allowSecretsInArgs: true,
      },
      remote: {
        type: 'streamable-http',
        url: 'https://mcp.example.com/mcp?token=${secret:remote-token}&page=2',
        headers: { Authorization: 'Bearer ${secret:remote-authorization}' },
      },
    });
    expect(JSON.stringify(servers)).not.toContain('PLANTED');
    // The moved config still recognises the host's entries as the servers it serves, with their values.
    const duplicates = findServedDuplicates('claude-desktop', host, servers);
    expect(duplicates).toEqual([
      {
        hostName: 'gh',
        configName: 'gh',
        secrets: { 'gh-api-key': 'PLANTED-arg', 'gh-github_token': 'ghp_PLANTED0123456789' },
      },
      {
        hostName: 'remote',
        configName: 'remote',
        secrets: { 'remote-token': 'PLANTED-q1', 'remote-authorization': 'PLANTED-bearer' },
      },
    ]);
  });
});

describe('findServedDuplicates', () => {
  const config: Record<string, ServerConfig> = {
    files: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/me'] },
    off: { command: 'uvx', args: ['mcp-server-fetch'], disabled: true },
    api: { type: 'streamable-http', url: 'https://api.example.com/mcp' },
  };
  it.each([
    [
      'the same command and args under another name',
      { fs: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/me'] } },
      ['fs'],
    ],
    [
      'other args',
      { fs: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] } },
      [],
    ],
    ['a disabled config server', { fetch: { command: 'uvx', args: ['mcp-server-fetch'] } }, []],
    ['a remote one by URL', { api: { type: 'http', url: 'https://api.example.com/mcp' } }, ['api']],
    [
      'mcp-sentinel itself',
      { sentinel: { command: 'node', args: ['/x/mcp-sentinel/bin/mcp-sentinel.js', 'serve'] } },
      [],
    ],
    [
      'an entry the host has disabled',
      {
        files: {
          command: 'npx',
          args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/me'],
          disabled: true,
        },
      },
      [],
    ],
  ])('%s', (_, entries, expected) => {
    const found = findServedDuplicates('claude-desktop', { mcpServers: entries }, config);
    expect(found.map((d) => d.hostName)).toEqual(expected);
  });
});

describe('the sanitised copy of a host file', () => {
  const original =
    '{\n  "mcpServers": {\n    "a": { "env": { "K": "s3cr\\"et-1", "L": "x s3cr\\"et-1" } },\n    "b": { "url": "https://h/?t=tok-22" }\n  }\n}\n';
  const secrets = { k: 's3cr"et-1', t: 'tok-22', short: 'ab' };

  it('holds references instead of values, and gives the original back byte for byte', () => {
    const sanitized = sanitizeText(original, secrets);
    expect(sanitized.text).not.toContain('s3cr');
    expect(sanitized.text).not.toContain('tok-22');
    expect(sanitized.text).toContain('"K": "${secret:k}"');
    expect(restoreText(sanitized, secrets)).toBe(original);
  });

  it('refuses to restore without every value', () => {
    const sanitized = sanitizeText(original, secrets);
    expect(() => restoreText(sanitized, { k: 's3cr"et-1' })).toThrow(/does not match its record/);
  });
});

describe('editJson taking a property out', () => {
  it.each([
    [
      'a middle entry',
      '{\n  "s": {\n    "a": 1,\n    "b": 2,\n    "c": 3\n  }\n}\n',
      ['s', 'b'],
      '{\n  "s": {\n    "a": 1,\n    "c": 3\n  }\n}\n',
    ],
    [
      'the last entry',
      '{\n  "s": {\n    "a": 1,\n    "b": {\n      "x": 1\n    }\n  }\n}\n',
      ['s', 'b'],
      '{\n  "s": {\n    "a": 1\n  }\n}\n',
    ],
    [
      'the first of two',
      '{\n  "s": {\n    "a": { "x": 1 },\n    "b": 2\n  }\n}\n',
      ['s', 'a'],
      '{\n  "s": {\n    "b": 2\n  }\n}\n',
    ],
    [
      'the last with trailing commas',
      '{\n\t"s": {\n\t\t"a": 1,\n\t\t"b": 2,\n\t}\n}\n',
      ['s', 'b'],
      '{\n\t"s": {\n\t\t"a": 1,\n\t}\n}\n',
    ],
    ['an inline object', '{"s": {"a": 1, "b": 2}}\n', ['s', 'a'], '{"s": {"b": 2}}\n'],
  ])('%s', (_, text, path, expected) => {
    expect(editJson(text, path, undefined)).toBe(expected);
  });
});

describe("Claude Code's per-project servers", () => {
  it('are mentioned as left out', () => {
    const result = importHostServers('claude-code', {
      mcpServers: { a: { command: 'x' } },
      projects: {
        '/p/one': { mcpServers: { b: { command: 'y' }, c: { command: 'z' } } },
        '/p/two': { mcpServers: {} },
      },
    });
    expect(Object.keys(result.servers)).toEqual(['a']);
    expect(result.notes).toContain(
      `left out Claude Code's per-project servers (2 servers in 1 project): only the user-wide "mcpServers" are imported; copy the ones you want into the mcp-sentinel config`,
    );
  });
});
