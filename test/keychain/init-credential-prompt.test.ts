/**
 * `init --from`'s credential move on a terminal, driven as a person would: util-linux `script` gives the
 * CLI a real terminal, and the test answers each question when it appears. One credential is moved as
 * read (Y), one with another value typed at the hidden prompt (e), one is left (n). The keychain holds what
 * was chosen, the config holds references for the moved two and the literal for the third, and no value
 * that was typed or moved is shown on the terminal.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeychainTests } from '../helpers/keyring.js';
import { CLI, fixture } from '../helpers/paths.js';

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const suffix = randomBytes(3).toString('hex');
const READ = `sk-read-${randomBytes(8).toString('hex')}`;
const REPLACED = `sk-old-${randomBytes(8).toString('hex')}`;
const TYPED = `sk-typed-${randomBytes(8).toString('hex')}`;
const LEFT = `sk-left-${randomBytes(8).toString('hex')}`;

let home: string;
let configPath: string;

const secretTool = (name: string) =>
  spawnSync('secret-tool', ['lookup', 'service', 'mcp-sentinel', 'username', name], { encoding: 'utf8' })
    .stdout;

// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\r/g, '');

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'sentinel-init-tty-'));
  configPath = join(home, 'sentinel.json');
  const hostFile = join(home, '.config', 'Claude', 'claude_desktop_config.json');
  mkdirSync(dirname(hostFile), { recursive: true });
  const server = (name: string, env: Record<string, string>) => ({
    command: 'node',
    // The file, not its start snapshot: a snapshot starts only in the Node that made it, and this entry
    // names whichever `node` is first on PATH, as a host's does.
    args: [fixture('fixture-server.mjs')],
    env: { FIXTURE_NAME: name, ...env },
  });
  writeFileSync(
    hostFile,
    JSON.stringify({
      mcpServers: {
        [`weather${suffix}`]: server('weather', { WEATHER_API_KEY: READ }),
        [`tickets${suffix}`]: server('tickets', { TICKETS_TOKEN: REPLACED }),
        [`notes${suffix}`]: server('notes', { NOTES_API_KEY: LEFT }),
      },
    }),
  );
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

/** Runs `init --from claude-desktop` on a terminal, giving `answer(question)` as each question appears. */
function initOnTerminal(
  answer: (question: string) => string,
): Promise<{ code: number | null; output: string }> {
  const command = `'${process.execPath}' '${CLI}' init --from claude-desktop --path '${configPath}'`;
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  // Where the last answered question ended, and whether a hidden prompt comes next (after an "e"): the
  // hidden prompt redraws itself as it is typed into, so each question is looked for once, after the last.
  let cursor = 0;
  let hiddenNext = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`init on a terminal did not finish; output:\n${plain(output)}`));
    }, 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const rest = plain(output).slice(cursor);
      const pattern = hiddenNext ? /Value for secret [^:]+:/ : /Move .*?\? \[Y\/n\/e=enter another value\] /;
      const found = pattern.exec(rest);
      if (!found) return;
      cursor += found.index + found[0].length;
      const reply = answer(found[0]);
      hiddenNext = reply === 'e';
      // Typed once the prompt owns the terminal (raw mode for the hidden one), as a person would.
      setTimeout(() => child.stdin.write(`${reply}\r`), 150);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output: plain(output) });
    });
  });
}

// Under CI a missing `script` fails the test instead of skipping it.
describe.skipIf(!runKeychainTests || (!hasScript && !process.env.CI))(
  "init --from on a terminal (needs the private keyring of scripts/with-keyring.sh and util-linux's script)",
  () => {
    it('moves the credentials the user accepts, with the value read or one typed hidden, and leaves the rest', async () => {
      const names: Record<string, string> = {};
      const { code, output } = await initOnTerminal((question) => {
        const proposed = /as "([^"]+)"/.exec(question)?.[1];
        if (question.startsWith('Value for secret')) return TYPED;
        if (question.includes(`weather${suffix}`)) return ((names.read = proposed!), 'Y');
        if (question.includes(`tickets${suffix}`)) return ((names.typed = proposed!), 'e');
        return ((names.left = proposed!), 'n');
      });

      expect(code, output).toBe(0);
      expect(Object.keys(names).sort()).toEqual(['left', 'read', 'typed']);
      expect(output).toContain(`stored secret "${names.read}" in the keychain`);
      expect(output).toContain(`stored secret "${names.typed}" in the keychain`);
      for (const value of [READ, REPLACED, TYPED]) expect(output).not.toContain(value);

      expect(secretTool(names.read!)).toBe(READ);
      expect(secretTool(names.typed!)).toBe(TYPED);
      expect(secretTool(names.left!)).toBe('');

      const config = readFileSync(configPath, 'utf8');
      const servers = (JSON.parse(config) as { mcpServers: Record<string, { env: Record<string, string> }> })
        .mcpServers;
      expect(servers[`weather${suffix}`]!.env.WEATHER_API_KEY).toBe(`secret:${names.read}`);
      expect(servers[`tickets${suffix}`]!.env.TICKETS_TOKEN).toBe(`secret:${names.typed}`);
      expect(servers[`notes${suffix}`]!.env.NOTES_API_KEY).toBe(LEFT);
      for (const value of [READ, REPLACED, TYPED]) expect(config).not.toContain(value);
      // The credential left literal is named with the command that moves it.
      expect(output).toContain(`mcp-sentinel secrets set ${names.left}`);
    });
  },
);
