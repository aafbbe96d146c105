/**
 * Enterprise-managed authorization with the user's own sign-in to the identity provider (an `enterprise`
 * entry without `idp.idToken`), end to end with the built CLI: the identity provider is oidc-provider with
 * OpenID Connect (authorization code + PKCE, ID tokens, rotating refresh tokens) that also issues ID-JAGs
 * by token exchange; the MCP server's authorization server (oidc-provider with the JWT-bearer grant) trusts
 * those; a real MCP server checks every token. A scripted browser (BROWSER=fetch-browser.mjs) signs in,
 * the real keychain (scripts/with-keyring.sh) keeps the ID token, and `serve` uses it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAuthGate, type AuthGate } from '../fixtures/auth-gate.js';
import { JWT_BEARER, TOKEN_EXCHANGE } from '../fixtures/oauth-grants.js';
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server.js';
import { startSignInServer, type SignInServer } from '../fixtures/signin-server.js';
import { callTool, runCli, TestHost, writeTempConfig } from '../helpers/host.js';
import { forgetSignIns, runKeychainTests, signInEntries } from '../helpers/keyring.js';
import { fixtureServerArgs, ROOT } from '../helpers/paths.js';
import { waitFor } from '../helpers/wait.js';

const BROWSER = `${process.execPath} ${join(ROOT, 'test', 'conformance', 'fetch-browser.mjs')}`;
const AS_SECRET = `CANARY-as-${randomUUID()}`;
const IDP_SECRET = `CANARY-idp-${randomUUID()}`;

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

interface StoredSignIn {
  issuer: string;
  clientId: string;
  idToken: string;
  refreshToken?: string;
}

/** The identity-provider sign-ins in the keychain, read the way another program could. */
async function storedSignIns(): Promise<StoredSignIn[]> {
  return (await signInEntries())
    .filter((c) => c.account.startsWith('idtoken.'))
    .map((c) => JSON.parse(c.password) as StoredSignIn);
}

describe.skipIf(!runKeychainTests)(
  'enterprise sign-in to the identity provider with the real keychain',
  () => {
    let idp: SignInServer;
    let as: OAuthServer;
    let crm: AuthGate;
    let other: AuthGate;
    let home: string;
    const hosts: TestHost[] = [];
    const seenTokens = new Set<string>();

    beforeAll(async () => {
      idp = await startSignInServer({
        ttlSeconds: 300,
        identityProvider: { idTokenTtlSeconds: 600 },
        clients: [
          {
            id: 'sentinel-idp',
            secret: IDP_SECRET,
            redirectUris: ['http://127.0.0.1/callback'],
            tokenExchange: true,
          },
        ],
      });
      as = await startOAuthServer({
        clients: [{ id: 'sentinel', secret: AS_SECRET, grantTypes: [JWT_BEARER] }],
        trustedIssuers: [idp.trustedIssuer],
      });
      crm = await startAuthGate({
        authorize: (req) => {
          const token = req.headers.authorization?.replace(/^Bearer /, '');
          if (!token) return false;
          seenTokens.add(token);
          return as.verify(token, { audience: crm.url, clientId: 'sentinel' }) !== undefined;
        },
        authorizationServers: [as.issuer],
      });
      other = await startAuthGate({ authorize: (req) => req.headers['x-api-key'] === 'other-key' });
    });
    afterAll(async () => {
      await Promise.allSettled([crm?.close(), other?.close(), as?.close(), idp?.close()]);
    });
    afterEach(async () => {
      for (const host of hosts.splice(0)) expect((await host.close()).leftovers).toEqual([]);
      rmSync(home, { recursive: true, force: true });
    });

    const setup = () => {
      home = mkdtempSync(join(tmpdir(), 'sentinel-idp-home-'));
      const config = writeTempConfig({
        mcpServers: {
          crm: {
            type: 'streamable-http',
            url: crm.url,
            auth: {
              type: 'enterprise',
              issuer: as.issuer,
              clientId: 'sentinel',
              clientSecret: AS_SECRET,
              idp: { issuer: idp.issuer, clientId: 'sentinel-idp', clientSecret: IDP_SECRET },
            },
          },
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
        MCP_SENTINEL_LOCK_DIR: join(home, 'locks'),
        XDG_CONFIG_HOME: join(home, '.config'),
        XDG_CACHE_HOME: join(home, '.cache'),
      };
      return { config, env };
    };

    const serve = async (configPath: string, env: Record<string, string>) => {
      const host = await TestHost.start({ config: configPath, env });
      hosts.push(host);
      return host;
    };

    const idpGrants = (type: string, ok = true) =>
      idp.grants.filter((g) => g.grantType === type && (g.status === 200) === ok).length;

    it('without a sign-in the backend asks for `login`; after it serve calls its tools and no token is in any file or output', async () => {
      const { config, env } = setup();
      await forgetSignIns(idp.issuer, as.issuer);

      // Before any sign-in: crm fails at once with the command to run; the other backends work.
      const before = await serve(config.path, env);
      await before.waitForStderr(`backend "crm" needs sign-in to its identity provider ${idp.issuer}`);
      await before.waitForStderr('run: mcp-sentinel login crm');
      const { tools } = await before.client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['plain__echo', 'local__echo']));
      expect(tools.map((t) => t.name)).not.toContain('crm__echo');
      expect(await callTool(before, 'plain__echo', { text: 'ok' })).toEqual({ text: 'ok', isError: false });
      const needed = await runCli(['doctor', 'crm', '--json', '--config', config.path], { env });
      const neededReport = JSON.parse(needed.stdout) as { backends: { checks: unknown[] }[] };
      expect(neededReport.backends[0]?.checks).toContainEqual(
        expect.objectContaining({ id: 'sign-in', status: 'fail', hint: 'run: mcp-sentinel login crm' }),
      );

      const exchangesBefore = idpGrants(TOKEN_EXCHANGE);
      const login = await runCli(['login', 'crm', '--config', config.path], { env });
      expect(login.stderr).toContain('To sign in to crm, open this URL in a browser');
      expect(login.stdout || login.stderr).toMatch(
        new RegExp(
          `^signed in to crm through its identity provider ${idp.issuer} \\(ID token expires [^,]+, refresh available\\)`,
        ),
      );
      expect(login.code).toBe(0);
      expect(idpGrants('authorization_code')).toBeGreaterThan(0);
      // login checked the whole chain: the ID token was exchanged for an ID-JAG.
      expect(idpGrants(TOKEN_EXCHANGE)).toBeGreaterThan(exchangesBefore);

      // `login` without names includes the entry, and finds it signed in.
      const again = await runCli(['login', '--config', config.path], { env });
      expect(again.stdout).toContain(`already signed in to crm through its identity provider ${idp.issuer}`);
      expect(again.code).toBe(0);

      const host = await serve(config.path, env);
      expect(await callTool(host, 'crm__echo', { text: 'hi' })).toEqual({ text: 'hi', isError: false });
      const signedIn = await runCli(['doctor', 'crm', '--json', '--config', config.path], { env });
      const report = JSON.parse(signedIn.stdout) as { backends: { status: string; checks: unknown[] }[] };
      expect(report.backends[0]?.status).toBe('ok');
      expect(report.backends[0]?.checks).toContainEqual(
        expect.objectContaining({ id: 'sign-in', status: 'ok' }),
      );

      const stored = await storedSignIns();
      const mine = stored.find((s) => s.issuer === idp.issuer && s.clientId === 'sentinel-idp');
      expect(mine?.idToken).toBeTruthy();
      expect(mine?.refreshToken).toBeTruthy();
      const tokens = [mine!.idToken, mine!.refreshToken!, ...seenTokens, AS_SECRET, IDP_SECRET];
      expect(seenTokens.size).toBeGreaterThan(0);
      expect(filesContaining(home, tokens)).toEqual([]);
      expect(filesContaining(config.dir, [mine!.idToken, mine!.refreshToken!, ...seenTokens])).toEqual([]);
      const printed = [
        login.stdout,
        login.stderr,
        again.stdout,
        again.stderr,
        needed.stdout,
        needed.stderr,
        signedIn.stdout,
        signedIn.stderr,
        before.stderr,
        host.stderr,
        host.stdoutLines.join('\n'),
      ].join('\n');
      for (const token of tokens) expect(printed).not.toContain(token);
      expect(other.requests.some((r) => r.headers.authorization)).toBe(false);

      const out = await runCli(['logout', 'crm', '--config', config.path], { env });
      expect(out.stdout).toContain(
        `signed out of crm's identity provider ${idp.issuer} (refresh token revoked there)`,
      );
      expect(out.code).toBe(0);
      expect((await storedSignIns()).filter((s) => s.issuer === idp.issuer)).toEqual([]);
      config.cleanup();
    }, 120_000);

    it('an expiring ID token is refreshed at the identity provider; a refused refresh asks for sign-in again', async () => {
      const { config, env } = setup();
      await forgetSignIns(idp.issuer, as.issuer);
      idp.setIdTokenTtl(4);
      const login = await runCli(['login', 'crm', '--config', config.path], { env });
      expect(login.code).toBe(0);
      const signedInAt = Date.now();
      idp.setIdTokenTtl(600);
      const refreshesBefore = idpGrants('refresh_token');
      // Past the refresh margin of a 4 s ID token (2 s), whatever the load.
      await waitFor('the ID token to need a refresh', () => Date.now() - signedInAt > 2_500, 10_000);
      const host = await serve(config.path, env);
      expect(await callTool(host, 'crm__echo', { text: 'fresh' })).toEqual({ text: 'fresh', isError: false });
      expect(idpGrants('refresh_token') - refreshesBefore).toBe(1);
      await host.waitForStderr('ID token refreshed at the identity provider');

      // The user's session is revoked at the identity provider, and the ID token runs out.
      await runCli(['logout', 'crm', '--config', config.path], { env });
      idp.setIdTokenTtl(2);
      const relogin = await runCli(['login', 'crm', '--config', config.path], { env });
      expect(relogin.code).toBe(0);
      idp.setIdTokenTtl(600);
      const shortLived = (await storedSignIns()).find((s) => s.issuer === idp.issuer);
      expect(shortLived?.refreshToken).toBeTruthy();
      const revoked = await fetch(`${idp.issuer}/token/revocation`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`sentinel-idp:${IDP_SECRET}`).toString('base64')}`,
        },
        body: new URLSearchParams({ token: shortLived!.refreshToken!, token_type_hint: 'refresh_token' }),
      });
      expect(revoked.status).toBe(200);
      const reloginAt = Date.now();
      await waitFor('the ID token to expire', () => Date.now() - reloginAt > 2_500, 10_000);
      const refusedBefore = idpGrants('refresh_token', false);
      const next = await serve(config.path, env);
      // Its tools are known from the manifest cache, so a call starts it: it fails at once, saying what to do.
      const call = await callTool(next, 'crm__echo', { text: 'x' }).then(
        (result) => result.text,
        (error: unknown) => String(error),
      );
      expect(call).toContain('mcp-sentinel login crm');
      await next.waitForStderr(`backend "crm" needs sign-in to its identity provider ${idp.issuer} again`);
      await next.waitForStderr('run: mcp-sentinel login crm');
      expect(await callTool(next, 'local__echo', { text: 'ok' })).toMatchObject({ isError: false });
      expect(idpGrants('refresh_token', false) - refusedBefore).toBe(1);
      // The dead sign-in is gone from the keychain: nothing is retried with it.
      expect((await storedSignIns()).filter((s) => s.issuer === idp.issuer)).toEqual([]);
      config.cleanup();
    }, 120_000);
  },
);
