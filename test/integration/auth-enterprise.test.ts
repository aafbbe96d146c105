/**
 * Enterprise-managed authorization (SEP-990) against two real authorization servers: the company's
 * identity provider (oidc-provider with token exchange, issuing ID-JAGs for its own ID tokens) and the
 * MCP server's authorization server (oidc-provider with the JWT-bearer grant, trusting the identity
 * provider's ID-JAGs), in front of a real MCP backend that verifies every token. The issuer binding, the
 * identity provider's metadata, refusals at either step, and no ID token, ID-JAG or token in any output.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnterpriseAuthConfig, HttpServerConfig, IdpConfig } from '../../src/config/types.js';
import type { SentinelError } from '../../src/errors.js';
import { startAuthGate, type AuthGate } from '../fixtures/auth-gate.js';
import { connectClient, errorText } from '../fixtures/auth-client.js';
import { JWT_BEARER, TOKEN_EXCHANGE } from '../fixtures/oauth-grants.js';
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server.js';
import { guardSecrets, strategyFor } from '../helpers/auth.js';

const AS_SECRET = `CANARY-as-${randomUUID()}`;
const OTHER_SECRET = `CANARY-other-${randomUUID()}`;
const IDP_SECRET = `CANARY-idp-${randomUUID()}`;
const idTokens = new Set<string>();
const seenTokens = new Set<string>();
guardSecrets(() => [AS_SECRET, OTHER_SECRET, IDP_SECRET, ...idTokens, ...seenTokens]);

let idp: OAuthServer;
let as: OAuthServer;
let crm: AuthGate;

/** The user's ID token from the identity provider, issued to `sentinel-idp`. */
function idToken(sub = 'alice', ttl = 600): string {
  const now = Math.floor(Date.now() / 1000);
  const token = idp.sign({ sub, aud: 'sentinel-idp', iat: now - 1200, exp: now + ttl });
  idTokens.add(token);
  return token;
}

beforeAll(async () => {
  idp = await startOAuthServer({
    // The fixture names the ID-JAG's client (at the MCP server's authorization server) `sentinel`.
    clients: [{ id: 'sentinel-idp', secret: IDP_SECRET, grantTypes: [TOKEN_EXCHANGE] }],
  });
  idp.trust(idp.trustedIssuer);
  as = await startOAuthServer({
    clients: [
      { id: 'sentinel', secret: AS_SECRET, grantTypes: [JWT_BEARER] },
      { id: 'other', secret: OTHER_SECRET, grantTypes: [JWT_BEARER] },
    ],
    trustedIssuers: [idp.trustedIssuer],
  });
  crm = await startAuthGate({
    authorize: (req: IncomingMessage) => {
      const token = req.headers.authorization?.replace(/^Bearer /, '');
      if (!token) return false;
      seenTokens.add(token);
      return as.verify(token, { audience: crm.url, clientId: 'sentinel' }) !== undefined;
    },
    authorizationServers: [as.issuer],
  });
});
afterAll(async () => {
  await Promise.allSettled([crm?.close(), as?.close(), idp?.close()]);
});

function server(
  auth: Partial<EnterpriseAuthConfig> = {},
  idpAuth: Partial<IdpConfig> = {},
): HttpServerConfig {
  return {
    type: 'streamable-http',
    url: crm.url,
    auth: {
      type: 'enterprise',
      issuer: as.issuer,
      clientId: 'sentinel',
      clientSecret: AS_SECRET,
      idp: {
        issuer: idp.issuer,
        tokenEndpoint: idp.tokenUrl,
        clientId: 'sentinel-idp',
        clientSecret: IDP_SECRET,
        idToken: idToken(),
        ...idpAuth,
      },
      ...auth,
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('enterprise', () => {
  it('exchanges the ID token for an ID-JAG at the identity provider, then for a token at the server', async () => {
    const idpGrants = idp.grants.length;
    const asGrants = as.grants.length;
    const strategy = strategyFor(server(), { backend: 'crm' });
    const connected = await connectClient('streamable-http', crm.url, strategy.fetch);
    try {
      const result = await connected.client.callTool({ name: 'echo', arguments: { text: 'ema' } });
      expect(result.content).toEqual([{ type: 'text', text: 'ema' }]);
    } finally {
      await connected.close();
    }
    // The ID-JAG is for the MCP server (resource) at its authorization server (audience).
    expect(idp.grants.slice(idpGrants)).toMatchObject([
      { clientId: 'sentinel-idp', grantType: TOKEN_EXCHANGE, resource: crm.url, status: 200 },
    ]);
    expect(as.grants.slice(asGrants)).toMatchObject([
      { clientId: 'sentinel', grantType: JWT_BEARER, status: 200 },
    ]);
    expect(strategy.describe()).toMatchObject({
      type: 'enterprise',
      clientId: 'sentinel',
      issuer: as.issuer,
      idp: { issuer: idp.issuer, clientId: 'sentinel-idp' },
    });
    expect(JSON.stringify(strategy.describe())).not.toMatch(/eyJ|CANARY/);
  });

  it('finds the identity provider token endpoint from its metadata and the server from discovery', async () => {
    const asGrants = as.grants.length;
    const strategy = strategyFor(
      server({ issuer: undefined, allowDiscoveredIssuer: true }, { tokenEndpoint: undefined }),
    );
    const connected = await connectClient('streamable-http', crm.url, strategy.fetch);
    try {
      await connected.client.listTools();
    } finally {
      await connected.close();
    }
    expect(as.grants.slice(asGrants)).toMatchObject([{ clientId: 'sentinel', status: 200 }]);
    expect(strategy.describe()).toMatchObject({ endpointSource: 'discovery', issuer: as.issuer });
  });

  it('asks the identity provider for nothing when the discovered server is not allowed', async () => {
    const idpRequests = idp.tokenRequestCount();
    const strategy = strategyFor(server({ issuer: undefined }), { backend: 'crm' });
    const error = await failure(connectClient('streamable-http', crm.url, strategy.fetch));
    expect(errorText(error)).toContain(`discovery found authorization server ${as.issuer}`);
    expect(idp.tokenRequestCount()).toBe(idpRequests);
  });

  it('names the backend, the identity provider and invalid_grant for an expired ID token', async () => {
    const strategy = strategyFor(server({}, { idToken: idToken('alice', -60) }), { backend: 'crm' });
    const text = errorText(await failure(strategy.prepare()));
    expect(text).toContain(`backend "crm": token endpoint ${idp.tokenUrl}`);
    expect(text).toContain(
      'refused the token exchange for an ID-JAG at the identity provider: invalid_grant',
    );
  });

  it('names invalid_grant at the server when the ID-JAG was issued to another client', async () => {
    const strategy = strategyFor(server({ clientId: 'other', clientSecret: OTHER_SECRET }), {
      backend: 'crm',
    });
    const text = errorText(await failure(strategy.prepare()));
    expect(text).toContain(`backend "crm": token endpoint ${as.tokenUrl}`);
    expect(text).toContain('refused the JWT-bearer grant with the ID-JAG: invalid_grant');
  });

  // A missing idp block or an out-of-range redirectPort is the config schema's (config-machine-credentials).
  it('reports bad sign-in scopes and tokenUrl without issuer; idToken may be left out', () => {
    const problems = (config: HttpServerConfig): string[] => {
      try {
        strategyFor(config);
        return [];
      } catch (error) {
        return ((error as SentinelError).issues ?? []).map((i) => `${i.path}: ${i.message}`);
      }
    };
    // Without idToken the user signs in to the identity provider (mcp-sentinel login).
    expect(problems(server({}, { idToken: undefined }))).toEqual([]);
    expect(problems(server({}, { idToken: undefined, scopes: ['a b'] }))).toEqual([
      'mcpServers.jira.auth.idp.scopes: must be an array of scope names (no spaces or quotes)',
    ]);
    expect(problems(server({ issuer: undefined, tokenUrl: as.tokenUrl }))).toEqual([
      'mcpServers.jira.auth.issuer: is required with tokenUrl: the ID-JAG names the authorization server by its issuer',
    ]);
  });
});
