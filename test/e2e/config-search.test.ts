/**
 * A config file found by the search that does not parse is an error naming it, never a silent fall-back
 * to the global config.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/host.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-config-search-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a malformed config found by the search', () => {
  it('exits 2 naming the file, although a valid global config exists', async () => {
    const xdg = join(dir, 'xdg');
    mkdirSync(join(xdg, 'mcp-sentinel'), { recursive: true });
    writeFileSync(join(xdg, 'mcp-sentinel', 'config.json'), JSON.stringify({ mcpServers: {} }));
    const project = join(dir, 'project');
    mkdirSync(project);
    const local = join(project, '.mcp-sentinelrc.json');
    writeFileSync(local, '{"mcpServers": {"a": {"command": "node",}}');
    const env = { HOME: dir, XDG_CONFIG_HOME: xdg, MCP_SENTINEL_CONFIG: '' };
    for (const command of ['tools', 'serve']) {
      const { code, stdout, stderr } = await runCli([command], { cwd: project, env });
      expect(code, stderr).toBe(2);
      expect(stderr).toContain(`Config file ${local} is not valid JSON`);
      expect(stdout).toBe('');
    }
  });
});
