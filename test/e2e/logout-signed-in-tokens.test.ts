/**
 * `mcp-sentinel logout NAME` while `serve` runs, for tokens that come from the user's sign-in: the
 * sign-in's own token, the tokens a token exchange made from it (`"subjectToken": {"signIn": "corp"}`),
 * and enterprise-managed authorization's (ID-JAG) access tokens from the sign-in to the identity provider.
 * The resource servers here check JWTs themselves, so revocation at the authorization server does not stop
 * a token: after the logout, serve must never send one of them again, the next call says which login to
 * run, and a new login in a terminal is what serve uses from then on. Built CLI, real authorization servers (oidc-provider), real MCP servers that check every token,
 * a scripted browser and the real keychain (scripts/with-keyring.sh).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAuthGate, type AuthGate } from '../fixtures/auth-gate.js';
import { JWT_BEARER, TOKEN_EXCHANGE } from '../fixtures/oauth-grants.js';
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server.js';
import { startSignInServer, type SignInServer } from '../fixtures/signin-server.js';
import { callTool, runCli, TestHost, writeTempConfig } from '../helpers/host.js';
import { runKeychainTests } from '../helpers/keyring.js';
import { ROOT } from '../helpers/paths.js';
import { waitFor } from '../helpers/wait.js';

const BROWSER = `${process.execPath} ${join(ROOT, 'test', 'conformance', 'fetch-browser.mjs')}`;

/** The access tokens (Bearer or DPoP) of the requests `gate` received from index `from` on. */
function tokensFrom(gate: AuthGate, from = 0): string[] {
  return gate.requests
    .slice(from)
    .map((r) => r.headers.authorization)
    .filter((h): h is string => typeof h === 'string' && /^(Bearer|DPoP) /.test(h))
    .map((h) => h.replace(/^(Bearer|DPoP) /, ''));
}

/** What a call answered: its text, or the JSON-RPC error. */
const outcome = (host: TestHost, tool: string) =>
  callTool(host, tool, { text: 'x' }).then(
    (result) => `${result.isError ? 'error: ' : ''}${result.text}`,
    (error: unknown) => `error: ${String(error)}`,
  );

describe.skipIf(!runKeychainTests)('logout while serve runs, for tokens from a sign-in', () => {
  let home: string;
  let host: TestHost | undefined;
  const env = () => ({
    HOME: home,
    BROWSER,
    MCP_SENTINEL_LOCK_DIR: join(home, 'locks'),
    XDG_CONFIG_HOME: join(home, '.config'),
  });

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'sentinel-logout-signin-'));
  });
  afterEach(async () => {
    if (host) expect((await host.close()).leftovers).toEqual([]);
    host = undefined;
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  describe('a sign-in and the token exchange that takes its token', () => {
    let as: SignInServer;
    let sts: OAuthServer;
    let corp: AuthGate;
    let wiki: AuthGate;

    beforeAll(async () => {
      as = await startSignInServer({ ttlSeconds: 300 });
      sts = await startOAuthServer({
        clients: [{ id: 'sentinel', secret: 'sts-secret', grantTypes: [TOKEN_EXCHANGE] }],
        trustedIssuers: [as.trustedIssuer],
      });
      // The corporate sign-in's token is for the token service (its resource), and corp accepts it too.
      corp = await startAuthGate({
        authorize: (req) => {
          const header = req.headers.authorization;
          return (
            typeof header === 'string' && as.verify(header.replace(/^DPoP /, ''), sts.issuer) !== undefined
          );
        },
        authorizationServers: [as.issuer],
        scopesSupported: ['mcp:read'],
      });
      wiki = await startAuthGate({
        authorize: (req: IncomingMessage) => {
          const token = req.headers.authorization?.replace(/^Bearer /, '');
          return token !== undefined && sts.verify(token, { audience: wiki.url }) !== undefined;
        },
        authorizationServers: [sts.issuer],
      });
    });
    afterAll(async () => {
      await Promise.allSettled([corp?.close(), wiki?.close(), sts?.close(), as?.close()]);
    });

    it('logout corp: serve sends neither corp’s token nor the exchanged one again, names the login, and takes a new one', async () => {
      const config = writeTempConfig({
        mcpServers: {
          corp: { type: 'streamable-http', url: corp.url, auth: { type: 'oauth', resource: sts.issuer } },
          wiki: {
            type: 'streamable-http',
            url: wiki.url,
            auth: {
              type: 'token-exchange',
              tokenUrl: sts.tokenUrl,
              issuer: sts.issuer,
              clientId: 'sentinel',
              clientSecret: 'sts-secret',
              subjectToken: { signIn: 'corp' },
              subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token',
              resource: wiki.url,
            },
          },
        },
      });
      try {
        const login = await runCli(['login', 'corp', '--config', config.path], { env: env() });
        expect(login.stdout).toMatch(/^signed in to corp/);
        host = await TestHost.start({ config: config.path, env: env() });
        expect(await outcome(host, 'corp__echo')).toBe('x');
        expect(await outcome(host, 'wiki__echo')).toBe('x');
        const before = new Set([...tokensFrom(corp), ...tokensFrom(wiki)]);
        const [corpMark, wikiMark] = [corp.requests.length, wiki.requests.length];

        const out = await runCli(['logout', 'corp', '--config', config.path], { env: env() });
        expect(out.stdout).toContain('signed out of corp');
        expect(await outcome(host, 'wiki__echo')).toMatch(/^error: .*mcp-sentinel login corp/s);
        expect(await outcome(host, 'corp__echo')).toMatch(/^error: .*needs sign-in/s);
        const after = [...tokensFrom(corp, corpMark), ...tokensFrom(wiki, wikiMark)];
        expect(after.filter((token) => before.has(token))).toEqual([]);
        // serve asks the host for the sign-in it now needs.
        await waitFor('the sign-in tool', async () =>
          (await host!.client.listTools()).tools.some((t) => t.name === 'sentinel__sign_in'),
        );

        // A new login in a terminal is what serve uses next, for corp and for the exchange made from it.
        const again = await runCli(['login', 'corp', '--config', config.path], { env: env() });
        expect(again.stdout).toMatch(/^signed in to corp/);
        expect(await outcome(host, 'wiki__echo')).toBe('x');
        expect(await outcome(host, 'corp__echo')).toBe('x');
      } finally {
        config.cleanup();
      }
    }, 120_000);
  });

  describe('enterprise-managed authorization with the sign-in to the identity provider', () => {
    let idp: SignInServer;
    let as: OAuthServer;
    let crm: AuthGate;

    beforeAll(async () => {
      idp = await startSignInServer({
        identityProvider: { idTokenTtlSeconds: 600 },
        clients: [
          {
            id: 'sentinel-idp',
            secret: 'idp-secret',
            redirectUris: ['http://127.0.0.1/callback'],
            tokenExchange: true,
          },
        ],
      });
      as = await startOAuthServer({
        clients: [{ id: 'sentinel', secret: 'as-secret', grantTypes: [JWT_BEARER] }],
        trustedIssuers: [idp.trustedIssuer],
      });
      crm = await startAuthGate({
        authorize: (req) => {
          const token = req.headers.authorization?.replace(/^Bearer /, '');
          return (
            token !== undefined && as.verify(token, { audience: crm.url, clientId: 'sentinel' }) !== undefined
          );
        },
        authorizationServers: [as.issuer],
      });
    });
    afterAll(async () => {
      await Promise.allSettled([crm?.close(), as?.close(), idp?.close()]);
    });

    it('logout crm: serve never sends the ID-JAG access token again, names the login, and takes a new one', async () => {
      const config = writeTempConfig({
        mcpServers: {
          crm: {
            type: 'streamable-http',
            url: crm.url,
            auth: {
              type: 'enterprise',
              issuer: as.issuer,
              clientId: 'sentinel',
              clientSecret: 'as-secret',
              idp: { issuer: idp.issuer, clientId: 'sentinel-idp', clientSecret: 'idp-secret' },
            },
          },
        },
      });
      try {
        const login = await runCli(['login', 'crm', '--config', config.path], { env: env() });
        expect(login.code).toBe(0);
        host = await TestHost.start({ config: config.path, env: env() });
        expect(await outcome(host, 'crm__echo')).toBe('x');
        const before = new Set(tokensFrom(crm));
        const mark = crm.requests.length;

        const out = await runCli(['logout', 'crm', '--config', config.path], { env: env() });
        expect(out.stdout).toContain(`signed out of crm's identity provider ${idp.issuer}`);
        expect(await outcome(host, 'crm__echo')).toMatch(/^error: .*mcp-sentinel login crm/s);
        expect(tokensFrom(crm, mark).filter((token) => before.has(token))).toEqual([]);

        const again = await runCli(['login', 'crm', '--config', config.path], { env: env() });
        expect(again.code).toBe(0);
        expect(await outcome(host, 'crm__echo')).toBe('x');
      } finally {
        config.cleanup();
      }
    }, 120_000);
  });
});
