/**
 * User sign-in end to end, with the built CLI, a real authorization server (oidc-provider: authorization
 * code + PKCE, dynamic registration, rotating refresh tokens, resource indicators, short lifetimes), a real
 * MCP server that checks every token, a scripted browser (BROWSER=fetch-browser.mjs) and the real keychain
 * (scripts/with-keyring.sh): `login`, then `serve` instances that share the token. oidc-provider supports
 * DPoP, so the tokens are DPoP-bound and every instance uses the key kept with the token in the keychain.
 * Serve's own sign-in too: through the `sentinel__sign_in` tool, through the host's URL elicitation, and a
 * `login` in another terminal while serve waits.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ElicitationCompleteNotificationSchema,
  ElicitRequestSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAuthGate, type AuthGate } from '../fixtures/auth-gate.js';
import { startSignInServer, type SignInServer } from '../fixtures/signin-server.js';
import { callTool, runCli, TestHost, writeTempConfig } from '../helpers/host.js';
import { forgetSignIns, runKeychainTests, signInEntries } from '../helpers/keyring.js';
import { fixtureServerArgs, ROOT } from '../helpers/paths.js';
import { waitFor } from '../helpers/wait.js';

const FETCH_BROWSER = join(ROOT, 'test', 'conformance', 'fetch-browser.mjs');
const BROWSER = `${process.execPath} ${FETCH_BROWSER}`;

/** Opens `url` in the scripted browser, as a host does after the user accepts; resolves with its exit code. */
function openInBrowser(url: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FETCH_BROWSER, url], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', resolve);
  });
}

/** Every file under `dir` (recursively) that contains one of `needles`. */
function filesContaining(dir: string, needles: string[]): string[] {
  const hits: string[] = [];
  const walk = (path: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(path);
    } catch {
      return;
    }
    for (const name of entries) {
      const full = join(path, name);
      const info = statSync(full, { throwIfNoEntry: false });
      if (!info) continue;
      if (info.isDirectory()) walk(full);
      else if (info.isFile() && info.size < 5_000_000) {
        const text = readFileSync(full, 'latin1');
        if (needles.some((n) => text.includes(n))) hits.push(full);
      }
    }
  };
  walk(dir);
  return hits;
}

function bearerTokens(gate: AuthGate): string[] {
  return [
    ...new Set(
      gate.requests
        .map((r) => r.headers.authorization)
        .filter((h): h is string => typeof h === 'string' && /^(Bearer|DPoP) /.test(h))
        .map((h) => h.replace(/^(Bearer|DPoP) /, '')),
    ),
  ];
}

describe.skipIf(!runKeychainTests)('sign-in with the real keychain and a real authorization server', () => {
  let as: SignInServer;
  let gate: AuthGate;
  let other: AuthGate;
  let home: string;
  let lockDir: string;
  const hosts: TestHost[] = [];

  beforeAll(async () => {
    as = await startSignInServer({ ttlSeconds: 300 });
    gate = await startAuthGate({
      // oidc-provider supports DPoP, so the tokens are DPoP-bound: the scheme is DPoP, with a proof each time.
      authorize: (req) => {
        const header = req.headers.authorization;
        if (typeof header !== 'string' || !header.startsWith('DPoP ') || !req.headers.dpop) return false;
        return as.verify(header.slice(5), gate.url) !== undefined;
      },
      authorizationServers: [as.issuer],
      scopesSupported: ['mcp:read'],
    });
    other = await startAuthGate({ authorize: (req) => req.headers['x-api-key'] === 'other-key' });
  });
  afterAll(async () => {
    await Promise.all([gate?.close(), other?.close(), as?.close()]);
  });
  afterEach(async () => {
    for (const host of hosts.splice(0)) expect((await host.close()).leftovers).toEqual([]);
    rmSync(home, { recursive: true, force: true });
  });

  const setup = () => {
    home = mkdtempSync(join(tmpdir(), 'sentinel-signin-home-'));
    lockDir = join(home, 'locks');
    const config = writeTempConfig({
      mcpServers: {
        corp: { type: 'streamable-http', url: gate.url },
        plain: {
          type: 'streamable-http',
          url: other.url,
          auth: { type: 'static', headers: { 'X-Api-Key': 'other-key' } },
        },
        local: { command: process.execPath, args: fixtureServerArgs() },
      },
    });
    const env = {
      HOME: home,
      BROWSER,
      MCP_SENTINEL_LOCK_DIR: lockDir,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
    };
    return { config, env };
  };

  const serve = async (configPath: string, env: Record<string, string>, connect = true) => {
    const host = await TestHost.start({
      config: configPath,
      env,
      connect,
      ...(connect ? {} : { capabilities: { elicitation: { url: {} } } }),
    });
    hosts.push(host);
    return host;
  };

  const toolNames = async (host: TestHost) => (await host.client.listTools()).tools.map((t) => t.name);

  it('login signs in through the browser, serve uses the token, and no token is in any file or output', async () => {
    const { config, env } = setup();
    const first = await runCli(['login', 'corp', '--config', config.path], { env });
    expect(first.stderr).toContain('To sign in to corp, open this URL in a browser');
    expect(first.stdout).toMatch(/signed in to corp \(scopes [^)]*, refresh available, expires /);
    expect(first.code).toBe(0);

    const again = await runCli(['login', 'plain', 'local', '--config', config.path], { env });
    expect(again.stdout).toContain('plain uses static credentials from the config: it needs no sign-in');
    expect(again.stdout).toContain('local is a local (stdio) server: it needs no sign-in');
    expect(again.code).toBe(0);

    const doctor = await runCli(['doctor', '--config', config.path, '--json'], { env });
    expect(doctor.stdout).toMatch(
      /signed in \(issuer http:\/\/127\.0\.0\.1:\d+, scopes [^,]+, expires [^,]+, refresh available\)/,
    );

    const host = await serve(config.path, env);
    const { tools } = await host.client.listTools();
    expect(tools.map((t) => t.name)).toContain('corp__echo');
    expect(await callTool(host, 'corp__echo', { text: 'hi' })).toEqual({ text: 'hi', isError: false });

    const tokens = bearerTokens(gate);
    expect(tokens.length).toBeGreaterThan(0);
    expect(filesContaining(home, tokens)).toEqual([]);
    expect(filesContaining(config.dir, tokens)).toEqual([]);
    const printed =
      first.stdout +
      first.stderr +
      again.stdout +
      doctor.stdout +
      doctor.stderr +
      host.stderr +
      host.stdoutLines.join('\n');
    for (const token of tokens) expect(printed).not.toContain(token);
    // The other backend never saw the corp token.
    expect(other.requests.some((r) => r.headers.authorization)).toBe(false);

    const out = await runCli(['logout', 'corp', '--config', config.path], { env });
    expect(out.stderr).toBe('');
    expect(out.stdout).toContain('signed out of corp (tokens revoked at the authorization server)');
    const plain = await runCli(['logout', 'plain', '--config', config.path], { env });
    expect(plain.stdout).toContain(
      'plain uses static credentials from the config: there is no sign-in to forget',
    );
    expect(plain.code).toBe(0);
    config.cleanup();
  }, 90_000);

  it('three serve instances sharing one expiring token make exactly one refresh and all keep working', async () => {
    const { config, env } = setup();
    await forgetSignIns(as.issuer);
    as.setTtl(6);
    const login = await runCli(['login', 'corp', '--config', config.path], { env });
    expect(login.stdout).toMatch(/^signed in to corp/);
    expect(login.code).toBe(0);
    const signedInAt = Date.now();
    as.setTtl(300);
    const refreshesBefore = as.succeeded('refresh_token');
    // Past the refresh margin of a 6 s token (3 s), whatever the load: every instance wants to refresh.
    await waitFor('the token to need a refresh', () => Date.now() - signedInAt > 3_500, 10_000);
    const instances = await Promise.all([1, 2, 3].map(() => serve(config.path, env)));
    const results = await Promise.all(instances.map((host) => callTool(host, 'corp__echo', { text: 'x' })));
    expect(results).toEqual([1, 2, 3].map(() => ({ text: 'x', isError: false })));
    expect(as.succeeded('refresh_token') - refreshesBefore).toBe(1);
    expect(as.grants.filter((g) => g.grantType === 'refresh_token' && g.status !== 200)).toEqual([]);
    config.cleanup();
  }, 90_000);

  it('a revoked refresh token makes the backend ask for sign-in once; the others are unaffected', async () => {
    const { config, env } = setup();
    await forgetSignIns(as.issuer);
    as.setTtl(2);
    const login = await runCli(['login', 'corp', '--config', config.path], { env });
    expect(login.stdout).toMatch(/^signed in to corp/);
    expect(login.code).toBe(0);
    as.setTtl(300);
    // Revoke the sign-in at the authorization server (as the user would in its settings page).
    const entries = (await signInEntries()).filter((c) => c.account.startsWith('token.'));
    const record = entries
      .map((c) => JSON.parse(c.password) as { refreshToken?: string; clientId: string; resource?: string })
      .find((r) => r.resource === gate.url);
    expect(record?.refreshToken).toBeTruthy();
    const revoked = await fetch(`${as.issuer}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: record!.refreshToken!, client_id: record!.clientId }),
    });
    expect(revoked.status).toBe(200);
    await waitFor(
      'the access token to expire',
      async () => {
        await new Promise((r) => setTimeout(r, 200));
        return as.verify(bearerTokens(gate).at(-1) ?? 'none', gate.url) === undefined;
      },
      10_000,
    );

    const refused = () => as.grants.filter((g) => g.grantType === 'refresh_token' && g.status !== 200).length;
    const refusedBefore = refused();
    const host = await serve(config.path, env);
    // The host sees the others' tools; the sign-in need, with the command to run, is on stderr.
    const { tools } = await host.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['plain__echo', 'local__echo']));
    expect(tools.map((t) => t.name)).not.toContain('corp__echo');
    await host.waitForStderr(/backend "corp" needs sign-in again/);
    await host.waitForStderr('run: mcp-sentinel login corp');
    expect(await callTool(host, 'plain__echo', { text: 'ok' })).toEqual({ text: 'ok', isError: false });
    expect(await callTool(host, 'local__echo', { text: 'ok' })).toMatchObject({ isError: false });
    expect(refused() - refusedBefore).toBe(1);

    // The dead refresh token is gone from the keychain: another instance asks for sign-in without trying it.
    const next = await serve(config.path, env);
    await next.waitForStderr('run: mcp-sentinel login corp');
    expect(refused() - refusedBefore).toBe(1);
    config.cleanup();
  }, 90_000);

  it('serve without a sign-in lists sentinel__sign_in; calling it signs in and the tools appear', async () => {
    const { config, env } = setup();
    await forgetSignIns(as.issuer);
    const host = await serve(config.path, env);
    const signInTool = await waitFor('the sign-in tool', async () => {
      const { tools } = await host.client.listTools();
      return tools.find((t) => t.name === 'sentinel__sign_in');
    });
    expect(signInTool.inputSchema.properties).toEqual({ server: { type: 'string', enum: ['corp'] } });
    const answer = await callTool(host, 'sentinel__sign_in', { server: 'corp' });
    expect(answer.text).toMatch(/Opened the browser to sign in to corp\. If it did not open, visit: http/);
    const names = await waitFor(
      'the tools of corp',
      async () => {
        const { tools } = await host.client.listTools();
        const list = tools.map((t) => t.name);
        return list.includes('corp__echo') ? list : undefined;
      },
      20_000,
    );
    expect(names).not.toContain('sentinel__sign_in');
    expect(await callTool(host, 'corp__echo', { text: 'in' })).toEqual({ text: 'in', isError: false });
    config.cleanup();
  }, 90_000);

  it('a host with URL elicitation is asked to sign in, and told with the same id once the tools are there', async () => {
    const { config, env } = setup();
    await forgetSignIns(as.issuer);
    const host = await serve(config.path, env, false);
    const asked: string[] = [];
    const modes: (string | undefined)[] = [];
    const browsers: Promise<number | null>[] = [];
    host.client.setRequestHandler(ElicitRequestSchema, (request) => {
      const params = request.params as { mode?: string; url?: string; elicitationId?: string };
      modes.push(params.mode); // checked below: a failed expect here would only reach mcp-sentinel
      asked.push(params.elicitationId ?? '');
      // The user accepts; the host then opens the page (the sign-in finishes out of band).
      browsers.push(openInBrowser(params.url ?? ''));
      return { action: 'accept' };
    });
    const completed: { elicitationId: string; tools: string[] }[] = [];
    host.client.setNotificationHandler(ElicitationCompleteNotificationSchema, async (notification) => {
      // What a host does then: it closes its waiting view and lists the tools again.
      completed.push({ elicitationId: notification.params.elicitationId, tools: await toolNames(host) });
    });
    await host.client.connect(host.transport);

    await waitFor('the tools of corp', async () => (await toolNames(host)).includes('corp__echo'), 30_000);
    const [done] = await waitFor('elicitation/complete', () => completed.length > 0 && completed, 20_000);
    expect(modes).toEqual(['url']);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/\S/);
    expect(done!.elicitationId).toBe(asked[0]);
    expect(done!.tools).toContain('corp__echo');
    expect(done!.tools).not.toContain('sentinel__sign_in');
    expect(await Promise.all(browsers)).toEqual([0]);
    expect(await callTool(host, 'corp__echo', { text: 'in' })).toEqual({ text: 'in', isError: false });
    expect(completed).toHaveLength(1);
    config.cleanup();
  }, 90_000);

  it('a login in another terminal brings the tools of a backend serve waits to sign in', async () => {
    const { config, env } = setup();
    await forgetSignIns(as.issuer);
    const host = await serve(config.path, env);
    let changes = 0;
    host.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    await waitFor('the sign-in tool', async () => (await toolNames(host)).includes('sentinel__sign_in'));
    await host.waitForStderr('run: mcp-sentinel login corp');
    const before = changes;

    const login = await runCli(['login', 'corp', '--config', config.path], { env });
    expect(login.stdout).toMatch(/^signed in to corp/);
    expect(login.code).toBe(0);
    // Told without asking: serve noticed the sign-in by itself (nothing is listed until then).
    await host.waitForStderr('signed in to corp elsewhere', 20_000);
    await waitFor('tools/list_changed', () => changes > before, 20_000);
    const names = await waitFor(
      'the tools of corp',
      async () => {
        const list = await toolNames(host);
        return list.includes('corp__echo') && list;
      },
      20_000,
    );
    expect(names).not.toContain('sentinel__sign_in');
    expect(await callTool(host, 'corp__echo', { text: 'in' })).toEqual({ text: 'in', isError: false });
    config.cleanup();
  }, 90_000);
});
