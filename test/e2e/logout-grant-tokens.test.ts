/**
 * `mcp-sentinel logout NAME` for a backend whose tokens come from a grant (workload identity with
 * private_key_jwt client authentication; a token exchange): nothing of theirs is stored, but a running
 * `serve` holds them in memory. After the logout that serve never sends them again: its next request to
 * NAME carries a new token from a new grant, and the other backends keep theirs. Built CLI, a real
 * authorization server (oidc-provider with the JWT-bearer and token-exchange grants), real MCP servers
 * that check every token.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthGate, type AuthGate } from '../fixtures/auth-gate.js';
import { JWT_BEARER, signJwt, TOKEN_EXCHANGE } from '../fixtures/oauth-grants.js';
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server.js';
import { callTool, runCli, TestHost, writeTempConfig } from '../helpers/host.js';
import { rsaKeyPair } from '../helpers/test-keys.js';

const WORKLOAD_ISSUER = 'https://workload-issuer.example';
const workload = rsaKeyPair();
const client = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** The bearer tokens of the requests `gate` received from index `from` on. */
function tokensFrom(gate: AuthGate, from = 0): string[] {
  return gate.requests
    .slice(from)
    .map((r) => r.headers.authorization)
    .filter((h): h is string => typeof h === 'string' && h.startsWith('Bearer '))
    .map((h) => h.slice('Bearer '.length));
}

describe('logout of a backend whose tokens come from a grant, while serve runs', () => {
  let as: OAuthServer;
  let ci: AuthGate;
  let wiki: AuthGate;
  let dir: string;

  const gateFor = (audience: () => string) => (req: IncomingMessage) => {
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    return token !== undefined && as.verify(token, { audience: audience() }) !== undefined;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sentinel-logout-grants-'));
    as = await startOAuthServer({
      clients: [
        {
          id: 'ci-workload',
          authMethod: 'private_key_jwt',
          jwks: [client.publicKey.export({ format: 'jwk' }) as Record<string, unknown>],
          grantTypes: [JWT_BEARER],
        },
        { id: 'sentinel', secret: 'sts-secret', grantTypes: [TOKEN_EXCHANGE] },
      ],
      trustedIssuers: [{ issuer: WORKLOAD_ISSUER, key: workload.publicKey }],
    });
    as.trust(as.trustedIssuer);
    ci = await startAuthGate({ authorize: gateFor(() => ci.url), authorizationServers: [as.issuer] });
    wiki = await startAuthGate({ authorize: gateFor(() => wiki.url), authorizationServers: [as.issuer] });
  });
  afterAll(async () => {
    await Promise.allSettled([ci?.close(), wiki?.close(), as?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the next request gets a new token from a new grant; the other backend keeps its own', async () => {
    const now = Math.floor(Date.now() / 1000);
    const assertion = signJwt(workload.privateKey, {
      iss: WORKLOAD_ISSUER,
      sub: 'ci-job',
      aud: as.issuer,
      iat: now,
      exp: now + 3600,
    });
    const subjectToken = as.sign({ sub: 'alice', aud: 'sentinel', iat: now, exp: now + 3600 });
    const config = writeTempConfig({
      mcpServers: {
        ci: {
          type: 'streamable-http',
          url: ci.url,
          auth: {
            type: 'jwt-bearer',
            tokenUrl: as.tokenUrl,
            issuer: as.issuer,
            clientId: 'ci-workload',
            tokenEndpointAuthMethod: 'private_key_jwt',
            privateKey: client.privateKey.export({ format: 'pem', type: 'pkcs8' }),
            assertion,
            resource: ci.url,
          },
        },
        wiki: {
          type: 'streamable-http',
          url: wiki.url,
          auth: {
            type: 'token-exchange',
            tokenUrl: as.tokenUrl,
            issuer: as.issuer,
            clientId: 'sentinel',
            clientSecret: 'sts-secret',
            subjectToken,
            subjectTokenType: 'urn:ietf:params:oauth:token-type:id_token',
            resource: wiki.url,
          },
        },
      },
    });
    const env = { MCP_SENTINEL_LOCK_DIR: join(dir, 'locks'), HOME: dir };
    const host = await TestHost.start({ config: config.path, env });
    const grants = (type: string) => as.grants.filter((g) => g.grantType === type && g.status === 200).length;
    try {
      expect(await callTool(host, 'ci__echo', { text: 'a' })).toEqual({ text: 'a', isError: false });
      expect(await callTool(host, 'wiki__echo', { text: 'b' })).toEqual({ text: 'b', isError: false });
      const ciBefore = new Set(tokensFrom(ci));
      const wikiBefore = new Set(tokensFrom(wiki));
      const bearerGrants = grants(JWT_BEARER);
      const exchanges = grants(TOKEN_EXCHANGE);
      const [ciMark, wikiMark] = [ci.requests.length, wiki.requests.length];

      const out = await runCli(['logout', 'ci', '--config', config.path], { env });
      expect(out.stdout).toContain('dropped the tokens of ci that running serve instances hold');
      expect(out.code).toBe(0);
      expect(await callTool(host, 'ci__echo', { text: 'c' })).toEqual({ text: 'c', isError: false });
      expect(await callTool(host, 'wiki__echo', { text: 'd' })).toEqual({ text: 'd', isError: false });
      const ciAfter = tokensFrom(ci, ciMark);
      expect(ciAfter.length).toBeGreaterThan(0);
      expect(ciAfter.filter((token) => ciBefore.has(token))).toEqual([]);
      expect(grants(JWT_BEARER)).toBe(bearerGrants + 1);
      // Another backend's tokens are not the logout's business.
      expect(tokensFrom(wiki, wikiMark).every((token) => wikiBefore.has(token))).toBe(true);
      expect(grants(TOKEN_EXCHANGE)).toBe(exchanges);

      const [wikiMark2] = [wiki.requests.length];
      const dropped = await runCli(['logout', 'wiki', '--config', config.path], { env });
      expect(dropped.stdout).toContain('dropped the tokens of wiki that running serve instances hold');
      expect(await callTool(host, 'wiki__echo', { text: 'e' })).toEqual({ text: 'e', isError: false });
      const wikiAfter = tokensFrom(wiki, wikiMark2);
      expect(wikiAfter.length).toBeGreaterThan(0);
      expect(wikiAfter.filter((token) => wikiBefore.has(token))).toEqual([]);
      expect(grants(TOKEN_EXCHANGE)).toBe(exchanges + 1);
    } finally {
      expect((await host.close()).leftovers).toEqual([]);
      config.cleanup();
    }
  }, 90_000);
});
