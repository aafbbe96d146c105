/**
 * `mcp-sentinel doctor` through the built CLI, against real backends: healthy stdio and Streamable HTTP
 * servers, a command that does not exist, a server that never answers initialize, one that answers 401,
 * one whose secret is missing. Each must be reported as it is, with the right exit code, a stable JSON
 * report, no secret value anywhere in the output, and no process left behind.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/host.js';
import { fixtureServerArgs } from '../helpers/paths.js';
import { startHttpServer, type RunningServer } from '../helpers/servers.js';

/** A value that must never be printed: it reaches two backends through secret references. */
const PLANTED = 'planted-S3CRET-value-7d41c0';
/** Marks every process this file's configs start, so that leftovers can be found after the CLI exits. */
const MARKER = `doctor-e2e-${process.pid}`;
/** Long enough for a healthy backend to start on a loaded machine: "stuck" is the one that waits it out. */
const TIMEOUT_MS = 3_000;

function fixtureServer(name: string, env: Record<string, string> = {}) {
  return {
    command: process.execPath,
    args: fixtureServerArgs(MARKER),
    env: { FIXTURE_NAME: name, ...env },
  };
}

/** Running processes whose command line carries the marker. */
function markedProcesses(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (cmdline.includes(MARKER) && !state.slice(state.lastIndexOf(')') + 2).startsWith('Z'))
        found.push(pid);
    } catch {
      // gone while reading
    }
  }
  return found;
}

async function noneLeft(): Promise<number[]> {
  const deadline = Date.now() + 3_000;
  let left = markedProcesses();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = markedProcesses();
  }
  return left;
}

/** A server that answers every request with 401 and a Basic realm. */
async function startUnauthorized(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    res
      .writeHead(401, { 'www-authenticate': 'Basic realm="corp-intranet"', 'content-type': 'text/plain' })
      .end('no');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Report {
  reportVersion: number;
  config: {
    path: string;
    status: string;
    issues: { path: string; message: string }[];
    credentials: { status: string };
  };
  keychain: { status: string; store: string };
  references: {
    server: string;
    kind: string;
    name?: string;
    status: string;
    source?: string;
    reason: string;
  }[];
  backends: {
    name: string;
    status: string;
    reason: string;
    hint?: string;
    transport: string;
    checks: { id: string; status: string; reason: string }[];
    server?: { name: string; version: string };
    protocolVersion?: string;
    counts?: { tools: number };
  }[];
  hosts: { host: string; status: string; checks: { id: string; status: string; reason: string }[] }[];
  summary: { ok: number; warn: number; fail: number; status: string; exitCode: number };
}

describe('doctor on a config with every kind of backend', () => {
  let dir: string;
  let home: string;
  let configPath: string;
  let web: RunningServer;
  let gate: Awaited<ReturnType<typeof startUnauthorized>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sentinel-doctor-'));
    home = join(dir, 'home');
    [web, gate] = await Promise.all([
      startHttpServer(
        fixtureServerArgs(),
        { FIXTURE_TRANSPORT: 'streamable-http', FIXTURE_NAME: 'web' },
        '/mcp',
      ),
      startUnauthorized(),
    ]);
    configPath = join(dir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify(
        {
          mcpServers: {
            local: fixtureServer('local', { FIXTURE_TOOLS: 'echo,search', API_TOKEN: 'secret:planted' }),
            web: { type: 'streamable-http', url: web.url, headers: { 'X-Api-Key': 'secret:planted' } },
            missing: { command: 'mcp-sentinel-no-such-command-xyz', args: ['--stdio'] },
            stuck: fixtureServer('stuck', { FIXTURE_MODE: 'hang-init' }),
            locked: { type: 'streamable-http', url: gate.url },
            nosecret: fixtureServer('nosecret', { TOKEN: 'secret:never-stored' }),
          },
        },
        null,
        2,
      ),
    );
    chmodSync(configPath, 0o600);
    env = {
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      APPDATA: join(home, 'AppData'),
      MCP_SENTINEL_SECRET_PLANTED: PLANTED,
      // No keychain: the missing secret must be reported whatever the machine has.
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-bus')}`,
    };
  });

  afterAll(async () => {
    await Promise.all([web?.close(), gate?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (args: string[]) =>
    runCli(['doctor', '--config', configPath, '--timeout', String(TIMEOUT_MS), ...args], { env });

  it('reports each backend as it is, exits 1, prints no secret and leaves no process', async () => {
    const started = Date.now();
    const { code, stdout, stderr } = await run([]);
    // Bounded by the start timeout (the stuck backend's wait), with room for a loaded machine.
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 5);
    expect(code).toBe(1);
    expect(stdout + stderr).not.toContain(PLANTED);
    expect(stdout).toMatch(
      /✔ local\s+stdio \d+ ms\s+local 1\.0\.0, protocol [\d-]+; 3 tools, 1 resources, 1 prompts/,
    );
    expect(stdout).toMatch(/✔ web\s+streamable-http \d+ ms\s+web 1\.0\.0/);
    expect(stdout).toMatch(
      /✖ missing\s+stdio .*command "mcp-sentinel-no-such-command-xyz" was not found on PATH/,
    );
    expect(stdout).toMatch(
      new RegExp(`✖ stuck\\s+stdio .*timed out: no answer to initialize within ${TIMEOUT_MS} ms`),
    );
    expect(stdout).toMatch(
      /✖ locked\s+streamable-http .*401 Unauthorized \(realm "corp-intranet"\): it needs credentials/,
    );
    expect(stdout).toMatch(/✖ nosecret\s+stdio .*secret "never-stored"/);
    expect(stdout).toMatch(
      /✔ local\s+secret:planted\s+secret "planted" comes from MCP_SENTINEL_SECRET_PLANTED/,
    );
    expect(stdout).toMatch(/\d+ ok, \d+ warnings?, \d+ failed/);
    expect(stdout).not.toContain('\u001b['); // piped: plain text
    expect(await noneLeft()).toEqual([]);
  });

  it('prints a stable JSON report with --json', async () => {
    // Two runs at once: the second shows the report is stable.
    const [first, again] = await Promise.all([run(['--json']), run(['--json'])]);
    expect(first.code).toBe(1);
    expect(first.stdout + first.stderr).not.toContain(PLANTED);
    const report = JSON.parse(first.stdout) as Report;
    expect(Object.keys(report)).toEqual([
      'reportVersion',
      'sentinelVersion',
      'config',
      'keychain',
      'references',
      'backends',
      'hosts',
      'summary',
    ]);
    expect(report.reportVersion).toBe(1);
    expect(report.config).toMatchObject({ path: configPath, status: 'ok', issues: [] });
    expect(report.config.credentials.status).toBe('ok');

    const byName = Object.fromEntries(report.backends.map((b) => [b.name, b]));
    expect(report.backends.map((b) => b.name)).toEqual([
      'local',
      'web',
      'missing',
      'stuck',
      'locked',
      'nosecret',
    ]);
    expect(byName.local).toMatchObject({
      status: 'ok',
      transport: 'stdio',
      server: { name: 'local', version: '1.0.0' },
      counts: { tools: 3 },
    });
    expect(byName.local!.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(byName.web).toMatchObject({ status: 'ok', transport: 'streamable-http', counts: { tools: 2 } });
    expect(byName.missing!.status).toBe('fail');
    expect(byName.missing!.checks.map((c) => [c.id, c.status])).toEqual([
      ['command', 'fail'],
      ['connect', 'fail'],
    ]);
    expect(byName.missing!.hint).toMatch(/absolute path/);
    expect(byName.stuck!.checks).toEqual([
      expect.objectContaining({ id: 'command', status: 'ok' }),
      expect.objectContaining({ id: 'initialize', status: 'fail' }),
    ]);
    expect(byName.locked!.checks).toEqual([
      expect.objectContaining({ id: 'connect', status: 'fail', reason: expect.stringContaining('401') }),
    ]);
    expect(byName.nosecret!.checks).toEqual([
      expect.objectContaining({ id: 'command', status: 'ok' }),
      expect.objectContaining({ id: 'references', status: 'fail' }),
    ]);

    const refs = report.references.map((r) => [r.server, r.kind, r.name, r.status, r.source]);
    expect(refs).toEqual([
      ['local', 'secret', 'planted', 'ok', 'environment'],
      ['web', 'secret', 'planted', 'ok', 'environment'],
      ['nosecret', 'secret', 'never-stored', 'fail', undefined],
    ]);
    expect(report.keychain.status).toBe('fail');
    expect(report.hosts.map((h) => h.host)).toEqual(['claude-desktop', 'claude-code', 'cursor', 'vscode']);
    expect(report.summary).toMatchObject({ status: 'fail', exitCode: 1 });

    // Stable: a second run gives the same report except for timings.
    const second = JSON.parse(again.stdout) as Report;
    const timeless = (r: Report) =>
      JSON.stringify(r, (key, value: unknown) => (key === 'ms' || key === 'reason' ? undefined : value));
    expect(timeless(second)).toBe(timeless(report));
    expect(await noneLeft()).toEqual([]);
  });

  it('checks only the servers named, and exits 0 when they are healthy', async () => {
    const { code, stdout } = await run(['--json', '--host', 'claude-desktop', 'local', 'web']);
    const report = JSON.parse(stdout) as Report;
    expect(report.backends.map((b) => [b.name, b.status])).toEqual([
      ['local', 'ok'],
      ['web', 'ok'],
    ]);
    expect(report.hosts.map((h) => [h.host, h.status])).toEqual([['claude-desktop', 'ok']]);
    expect(code).toBe(0);
  });

  it('refuses an unknown server name with exit 2', async () => {
    const { code, stderr } = await run(['locall']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no server named "locall".*\n.*did you mean "local"/);
  });

  it('reports the OAuth token of an oauth2 backend (expiry shown, token never shown)', async () => {
    const { startOAuthServer } = await import('../fixtures/oauth-server.js');
    const { startAuthGate } = await import('../fixtures/auth-gate.js');
    const oauth = await startOAuthServer({
      clients: [{ id: 'doctor-client', secret: PLANTED }],
      ttlSeconds: 600,
    });
    const tokens: string[] = [];
    const protectedGate = await startAuthGate({
      authorize: (req) => {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (token) tokens.push(token);
        return token !== undefined && oauth.verify(token, { clientId: 'doctor-client' }) !== undefined;
      },
    });
    const cfg = join(dir, 'oauth.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        mcpServers: {
          api: {
            type: 'streamable-http',
            url: protectedGate.url,
            auth: {
              type: 'oauth2',
              tokenUrl: oauth.tokenUrl,
              clientId: 'doctor-client',
              clientSecret: 'secret:planted',
            },
          },
        },
      }),
    );
    try {
      const { code, stdout, stderr } = await runCli(
        ['doctor', '--config', cfg, '--json', '--timeout', '5000'],
        { env },
      );
      const report = JSON.parse(stdout) as Report;
      const api = report.backends[0]!;
      expect(api.status).toBe('ok');
      expect(api.checks.find((c) => c.id === 'auth')).toMatchObject({
        status: 'ok',
        reason: expect.stringMatching(/OAuth token obtained from .*expires in \d+ min/),
      });
      expect(code).toBe(0);
      expect(tokens.length).toBeGreaterThan(0);
      const human = await runCli(['doctor', '--config', cfg, '--timeout', '5000'], { env });
      expect(human.stdout).toMatch(/✔ api\s+streamable-http \d+ ms\s+auth-gate 1\.0\.0/);
      expect(human.stdout).toMatch(
        /✔ auth: OAuth token obtained from http:\/\/127\.0\.0\.1:\d+\/\S+, expires in (9|10) min/,
      );
      for (const secret of [PLANTED, ...tokens]) {
        expect(stdout + stderr).not.toContain(secret);
        expect(human.stdout + human.stderr).not.toContain(secret);
      }
      expect(await noneLeft()).toEqual([]);
    } finally {
      await Promise.all([protectedGate.close(), oauth.close()]);
    }
  });
});

describe('doctor and the hosts', () => {
  it('warns per host about a 70-character tool name and 90 tools', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-doctor-hosts-'));
    try {
      const many = Array.from({ length: 90 }, (_, i) => `tool_${i}`).join(',');
      const configPath = join(dir, 'config.json');
      writeFileSync(
        configPath,
        JSON.stringify({
          // Every tool listed: with `auto`, Cursor would get the search surface instead of 93 tools.
          settings: { hosts: { cursor: { surface: 'all' } } },
          mcpServers: {
            long: fixtureServer('long', { FIXTURE_TOOLS: 'a'.repeat(70) }),
            many: fixtureServer('many', { FIXTURE_TOOLS: many }),
          },
        }),
      );
      const { code, stdout } = await runCli(
        ['doctor', '--config', configPath, '--json', '--timeout', '5000'],
        {
          env: { HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home', '.config') },
        },
      );
      const report = JSON.parse(stdout) as Report;
      const check = (host: string, id: string) =>
        report.hosts.find((h) => h.host === host)?.checks.find((c) => c.id === id);
      // 90 + 1 + the fixture's "env" tool on each backend
      expect(report.backends.map((b) => b.counts?.tools)).toEqual([2, 91]);

      expect(check('claude-desktop', 'name-length')?.status).toBe('ok');
      expect(report.hosts.find((h) => h.host === 'claude-desktop')?.status).toBe('ok');
      expect(check('claude-code', 'name-length')).toMatchObject({
        status: 'warn',
        reason: expect.stringContaining('mcp__sentinel__'),
      });
      expect(check('cursor', 'name-length')).toMatchObject({
        status: 'warn',
        reason: expect.stringContaining('60'),
      });
      expect(check('vscode', 'name-length')).toMatchObject({
        status: 'warn',
        reason: expect.stringContaining('cuts'),
      });
      expect(check('cursor', 'tool-count')).toMatchObject({
        status: 'warn',
        reason: expect.stringMatching(/^93 tools: Cursor uses at most 80/),
      });
      expect(check('vscode', 'tool-count')?.status).toBe('ok');
      expect(check('claude-code', 'tool-count')).toBeUndefined();
      expect(report.summary).toMatchObject({ fail: 0, status: 'warn', exitCode: 0 });
      expect(code).toBe(0);

      const human = await runCli(
        ['doctor', '--config', configPath, '--host', 'cursor', '--timeout', '5000'],
        {
          env: { HOME: join(dir, 'home') },
        },
      );
      expect(human.stdout).toMatch(
        /! cursor\s+1 tool name is too long: Cursor drops tools whose server name \("sentinel"\) plus tool name exceed 60/,
      );
      expect(human.stdout).toMatch(
        /93 tools: Cursor uses at most 80 \(current releases\) or 40 \(older releases\)/,
      );
      expect(human.stdout).not.toMatch(/claude-code/);
      expect(await noneLeft()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('doctor and bad configs', () => {
  it('reports schema problems with key paths and exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-doctor-bad-'));
    try {
      const configPath = join(dir, 'config.json');
      writeFileSync(
        configPath,
        JSON.stringify({ mcpServers: { a: { command: 'x', argz: [] }, b: { type: 'sse' } } }),
      );
      const human = await runCli(['doctor', '--config', configPath], { env: { HOME: dir } });
      expect(human.code).toBe(2);
      expect(human.stdout).toContain(`✖ Config file ${configPath} has`);
      expect(human.stdout).toMatch(/mcpServers\.a\.argz: unknown key \(did you mean "args"\?\)/);
      const coloured = await runCli(['doctor', '--config', configPath], {
        env: { HOME: dir, FORCE_COLOR: '1' },
      });
      expect(coloured.stdout).toContain('\u001b[31m✖');
      const json = await runCli(['doctor', '--config', configPath, '--json'], { env: { HOME: dir } });
      expect(json.code).toBe(2);
      const report = JSON.parse(json.stdout) as Report;
      expect(report.config.status).toBe('fail');
      expect(report.config.issues.map((i) => i.path)).toContain('mcpServers.a.argz');
      expect(report.summary.exitCode).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns about literal credentials in a file others can read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-doctor-cred-'));
    try {
      const configPath = join(dir, 'config.json');
      writeFileSync(
        configPath,
        JSON.stringify({ mcpServers: { gh: { ...fixtureServer('gh'), env: { GITHUB_TOKEN: PLANTED } } } }),
      );
      chmodSync(configPath, 0o644);
      const { code, stdout, stderr } = await runCli(['doctor', '--config', configPath, '--timeout', '5000'], {
        env: { HOME: dir },
      });
      expect(code).toBe(0);
      expect(stdout).toMatch(
        /! the config holds 1 literal credential \(mcpServers\.gh\.env\.GITHUB_TOKEN\) and other users can read it \(mode 644\)/,
      );
      expect(stdout).toContain(
        'mcp-sentinel secrets set gh-github_token, then write "secret:gh-github_token" in mcpServers.gh.env.GITHUB_TOKEN',
      );
      expect(stdout + stderr).not.toContain(PLANTED);
      expect(await noneLeft()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
