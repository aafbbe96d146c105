/**
 * Bad configs: the built CLI exits with code 2, lists every problem with its key path, starts no backend and
 * writes nothing to stdout (for `serve`, stdout belongs to JSON-RPC).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/host.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-config-errors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const marker = () => join(dir, `spawned-${Math.random().toString(36).slice(2)}`);

describe('config errors', () => {
  it.each([
    ['malformed JSON', 'bad.json', '{"mcpServers": {"a": {"command": "node",}}', /is not valid JSON/],
    ['malformed YAML', 'bad.yaml', 'mcpServers:\n  a:\n    command: [node\n', /is not valid JSON or YAML/],
    ['an empty file', 'empty.json', '', /empty|not valid/],
  ])('%s: exit 2 with the reason', async (_what, file, text, expected) => {
    const path = write(file, text);
    for (const command of ['tools', 'serve']) {
      const { code, stdout, stderr } = await runCli([command, '--config', path]);
      expect(code, stderr).toBe(2);
      expect(stderr).toMatch(expected);
      expect(stdout).toBe('');
    }
  });

  it('lists every problem at once: wrong types, unknown keys, a URL that does not parse, an unknown transport, a prefix collision', async () => {
    const spawned = marker();
    const spawn = {
      command: process.execPath,
      args: ['-e', `require('fs').writeFileSync(${JSON.stringify(spawned)}, 'x')`],
    };
    const path = write(
      'many.json',
      JSON.stringify({
        extra: true,
        settings: { requestTimeoutMs: 'soon' },
        mcpServers: {
          wrong: { command: 42, args: 'nope', comand: 'x' },
          badurl: { type: 'streamable-http', url: 'not a url' },
          pigeon: { type: 'carrier-pigeon', url: 'https://example.com/mcp' },
          one: { ...spawn, prefix: 'shared' },
          two: { ...spawn, prefix: 'shared' },
        },
      }),
    );
    for (const command of ['tools', 'serve']) {
      const { code, stdout, stderr } = await runCli([command, '--config', path]);
      expect(code, stderr).toBe(2);
      expect(stdout).toBe('');
      for (const line of [
        /extra: unknown key/,
        /settings\.requestTimeoutMs: expected integer/,
        /mcpServers\.wrong\.command: expected string, got number 42/,
        /mcpServers\.wrong\.args: expected array/,
        /mcpServers\.wrong\.comand: unknown key \(did you mean "command"\?\)/,
        /mcpServers\.badurl\.url: "not a url" is not a valid URL/,
        /mcpServers\.pigeon\.type: expected one of "sse", "streamable-http", "http"/,
        /mcpServers\.two\.prefix: prefix "shared" is already used by "one"/,
      ]) {
        expect(stderr).toMatch(line);
      }
    }
    const { existsSync } = await import('node:fs');
    expect(existsSync(spawned)).toBe(false);
  });

  it('a config file that does not exist: exit 2 and a hint', async () => {
    const { code, stderr } = await runCli(['tools', '--config', join(dir, 'nope.json')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/does not exist/);
  });
});
