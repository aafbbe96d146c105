/** doctor warns when a host file starts mcp-sentinel and, beside it, servers mcp-sentinel also serves. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkHostDuplicates } from '../../src/install/host-duplicates.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-dup-'));
  mkdirSync(join(dir, 'Claude'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const servers = { memory: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] } };
const sentinel = { command: '/usr/bin/node', args: ['/opt/mcp-sentinel/bin/mcp-sentinel.js', 'serve'] };

function hostFile(entries: Record<string, unknown>): void {
  writeFileSync(join(dir, 'Claude', 'claude_desktop_config.json'), JSON.stringify({ mcpServers: entries }));
}

describe('checkHostDuplicates', () => {
  it.each([
    ['mcp-sentinel and a server it serves', { sentinel, mem: servers.memory }, 'warn'],
    ['only mcp-sentinel', { sentinel }, undefined],
    ['the servers without mcp-sentinel (not installed yet)', { mem: servers.memory }, undefined],
  ])('%s', async (_, entries, status) => {
    hostFile(entries);
    const check = await checkHostDuplicates('claude-desktop', servers, { XDG_CONFIG_HOME: dir });
    expect(check?.status).toBe(status);
    if (check) {
      expect(check.reason).toMatch(/also starts "mem", which mcp-sentinel serves: it runs twice/);
      expect(check.hint).toBe(
        'run: mcp-sentinel install --host claude-desktop (takes them out; --remove puts them back)',
      );
    }
  });

  it('says nothing when the host has no file', async () => {
    expect(
      await checkHostDuplicates('claude-desktop', servers, { XDG_CONFIG_HOME: join(dir, 'none') }),
    ).toBeUndefined();
  });
});
