/**
 * The whole set-up journey of a new user, through the built CLI on a temporary HOME: a Claude Desktop file
 * with several real stdio servers (a fixture, server-everything and the published filesystem, memory and
 * sequential-thinking servers) and one literal API key; `init --from` storing the key in the keychain;
 * `install`; then the host's entry started exactly as written, with a host's minimal environment. Every
 * backend is served once, no file under HOME holds the key, and `install --remove` gives the original file
 * back byte for byte.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/host.js';
import { runKeychainTests } from '../helpers/keyring.js';
import { EVERYTHING, fixture } from '../helpers/paths.js';
import { descendantsOf, waitGone } from '../helpers/processes.js';

const require = createRequire(import.meta.url);
const published = (name: string) =>
  join(dirname(require.resolve(`@modelcontextprotocol/${name}/package.json`)), 'dist', 'index.js');

const KEY = 'sk-live-PLANTED0123456789abcdef';

let home: string;
let env: Record<string, string>;
let hostFile: string;
let original: string;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : entry.isFile() ? [path] : [];
  });
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'sentinel-journey-'));
  env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), MCP_SENTINEL_CONFIG: '' };
  hostFile = join(home, '.config', 'Claude', 'claude_desktop_config.json');
  mkdirSync(dirname(hostFile), { recursive: true });
  mkdirSync(join(home, 'Desktop'));
  // Written the way people write these by hand: one-line entries, the key in env, other settings around.
  original = `{
  "mcpServers": {
    "everything": { "command": "node", "args": [${JSON.stringify(EVERYTHING)}, "stdio"] },
    "filesystem": {
      "command": "node",
      "args": [${JSON.stringify(published('server-filesystem'))}, ${JSON.stringify(join(home, 'Desktop'))}]
    },
    "memory": {
      "command": "node",
      "args": [${JSON.stringify(published('server-memory'))}],
      "env": { "MEMORY_FILE_PATH": ${JSON.stringify(join(home, 'memory.jsonl'))} }
    },
    "sequential-thinking": { "command": "node", "args": [${JSON.stringify(published('server-sequential-thinking'))}] },
    "weather": {
      "command": "node",
      "args": [${JSON.stringify(fixture('fixture-server.mjs'))}],
      "env": { "FIXTURE_NAME": "weather", "FIXTURE_TOOLS": "forecast,alerts", "WEATHER_API_KEY": "${KEY}" }
    }
  },
  "globalShortcut": "Alt+Space"
}
`;
  writeFileSync(hostFile, original);
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, { env, timeoutMs: 60_000 });

describe.skipIf(!runKeychainTests)(
  'the set-up journey (needs the private keyring of scripts/with-keyring.sh)',
  () => {
    it('init --from stores the key and writes a reference', async () => {
      const { code, stdout, stderr } = await cli(['init', '--from', 'claude-desktop', '--store-secrets']);
      expect(code, stderr).toBe(0);
      expect(stdout).toContain('stored secret "weather-weather_api_key" in the keychain');
      expect(stdout).toContain('mcp-sentinel install --host claude-desktop');
      const config = readFileSync(join(home, '.config', 'mcp-sentinel', 'config.json'), 'utf8');
      expect(config).toContain('"WEATHER_API_KEY": "secret:weather-weather_api_key"');
      expect(stdout + stderr + config).not.toContain(KEY);
    });

    it('install takes the imported entries out of the host file, leaving one entry and no literal', async () => {
      const dry = await cli(['install', '--host', 'claude-desktop', '--dry-run']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(/^-\s+"memory": \{$/m);
      expect(dry.stdout).toContain('would have took out "everything", "filesystem", "memory"');
      expect(dry.stdout).not.toContain(KEY);
      expect(readFileSync(hostFile, 'utf8')).toBe(original);

      const { code, stdout, stderr } = await cli(['install', '--host', 'claude-desktop']);
      expect(code, stderr).toBe(0);
      expect(stdout).toContain(
        'took out "everything", "filesystem", "memory", "sequential-thinking", "weather": mcp-sentinel serves them now (undo with: mcp-sentinel install --host claude-desktop --remove)',
      );
      const now = JSON.parse(readFileSync(hostFile, 'utf8')) as Record<string, unknown>;
      expect(Object.keys(now.mcpServers as object)).toEqual(['sentinel']);
      expect(now.globalShortcut).toBe('Alt+Space');

      const leaks = filesUnder(home).filter((file) => readFileSync(file, 'utf8').includes(KEY));
      expect(leaks).toEqual([]);
      // The backup holds the reference in place of the key.
      const backups = readdirSync(dirname(hostFile)).filter((name) => name.endsWith('.bak'));
      expect(backups).toHaveLength(1);
      expect(readFileSync(join(dirname(hostFile), backups[0]!), 'utf8')).toContain(
        '"WEATHER_API_KEY": "${secret:weather-weather_api_key}"',
      );
    });

    it("the host's entry, started exactly as written with a minimal environment, serves every backend once", async () => {
      const entry = (JSON.parse(readFileSync(hostFile, 'utf8')) as { mcpServers: Record<string, unknown> })
        .mcpServers.sentinel as { command: string; args: string[] };
      // What a desktop host passes (the SDK's default environment: HOME, LOGNAME, PATH, SHELL, TERM, USER),
      // plus the session bus of the stand-in keychain.
      const transport = new StdioClientTransport({
        command: entry.command,
        args: entry.args,
        env: { HOME: home, DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS ?? '' },
        cwd: '/',
        stderr: 'pipe',
      });
      let stderr = '';
      transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const client = new Client({ name: 'journey-host', version: '1.0.0' });
      await client.connect(transport);
      const pid = transport.pid!;
      try {
        const { tools } = await client.listTools();
        const names = tools.map((tool) => tool.name).filter((name) => !name.startsWith('sentinel__'));
        expect(new Set(names).size, 'no tool listed twice').toBe(names.length);
        const backends = new Set(names.map((name) => name.split('__')[0]));
        expect([...backends].sort(), stderr).toEqual([
          'everything',
          'filesystem',
          'memory',
          'sequential-thinking',
          'weather',
        ]);
        const result = await client.callTool({
          name: 'weather__env',
          arguments: { name: 'WEATHER_API_KEY' },
        });
        expect(JSON.stringify(result.content)).toContain(KEY);
      } finally {
        const children = descendantsOf(pid);
        await client.close();
        expect(await waitGone([pid, ...children])).toEqual([]);
      }
      expect(stderr).not.toContain(KEY);
    }, 90_000);

    it('install --remove puts the original file back byte for byte', async () => {
      const { code, stdout, stderr } = await cli(['install', '--host', 'claude-desktop', '--remove']);
      expect(code, stderr).toBe(0);
      expect(stdout).toContain(
        'put back "everything", "filesystem", "memory", "sequential-thinking", "weather"',
      );
      expect(stdout).not.toContain(KEY);
      expect(readFileSync(hostFile, 'utf8')).toBe(original);
      expect(statSync(hostFile).isFile()).toBe(true);
    });
  },
);
