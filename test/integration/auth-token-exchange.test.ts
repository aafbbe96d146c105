/**
 * The token-exchange grant (RFC 8693) against a real security token service (oidc-provider with the
 * token-exchange grant registered, trusting a corporate identity provider's ID tokens) and real MCP
 * backends that verify every token: one exchanged token per backend, cached and refreshed, an actor
 * token, a refused subject token, and no subject token or token in any output.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServerConfig, TokenExchangeAuthConfig } from '../../src/config/types.js';
import type { SentinelError } from '../../src/errors.js';
import { startAuthGate, type AuthGate } from '../fixtures/auth-gate.js';
import { connectClient, errorText } from '../fixtures/auth-client.js';
import { TOKEN_EXCHANGE } from '../fixtures/oauth-grants.js';
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server.js';
import { createAuthStrategy, TokenCache } from '../../src/auth/index.js';
import { createMemorySecretStore, createSignInStore } from '../../src/auth/signin/store.js';
import { FAST_AUTH, guardSecrets, log, strategyFor } from '../helpers/auth.js';
import { resolved } from '../helpers/resolved.js';

const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
const SECRET = `CANARY-sts-${randomUUID()}`;
const subjects = new Set<string>();
const seenTokens = new Set<string>();
guardSecrets(() => [SECRET, ...subjects, ...seenTokens]);

let idp: OAuthServer;
let sts: OAuthServer;
let wiki: AuthGate;
let docs: AuthGate;

/** An ID token of the corporate identity provider, issued to the client `sentinel`. */
function idToken(sub: string, from: OAuthServer = idp): string {
  const now = Math.floor(Date.now() / 1000);
  const token = from.sign({ sub, aud: 'sentinel', iat: now, exp: now + 600 });
  subjects.add(token);
  return token;
}

function gateFor(audience: () => string) {
  return (req: IncomingMessage): boolean => {
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    if (!token) return false;
    seenTokens.add(token);
    return sts.verify(token, { audience: audience(), clientId: 'sentinel' }) !== undefined;
  };
}

beforeAll(async () => {
  idp = await startOAuthServer({ clients: [] });
  sts = await startOAuthServer({
    clients: [{ id: 'sentinel', secret: SECRET, grantTypes: [TOKEN_EXCHANGE] }],
    trustedIssuers: [idp.trustedIssuer],
  });
  wiki = await startAuthGate({ authorize: gateFor(() => wiki.url), authorizationServers: [sts.issuer] });
  docs = await startAuthGate({ authorize: gateFor(() => docs.url), authorizationServers: [sts.issuer] });
});
afterAll(async () => {
  await Promise.allSettled([wiki?.close(), docs?.close(), sts?.close(), idp?.close()]);
});

function server(gate: AuthGate, auth: Partial<TokenExchangeAuthConfig> = {}): HttpServerConfig {
  return {
    type: 'streamable-http',
    url: gate.url,
    auth: {
      type: 'token-exchange',
      tokenUrl: sts.tokenUrl,
      clientId: 'sentinel',
      clientSecret: SECRET,
      subjectToken: idToken('alice'),
      subjectTokenType: ID_TOKEN_TYPE,
      audience: gate.url,
      scopes: ['mcp:read'],
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

describe('token-exchange', () => {
  it('exchanges the subject token for one token per backend, each accepted only by its backend', async () => {
    const grants = sts.grants.length;
    const subject = idToken('alice');
    const forWiki = strategyFor(server(wiki, { subjectToken: subject }), { backend: 'wiki' });
    const forDocs = strategyFor(server(docs, { subjectToken: subject }), { backend: 'docs' });
    for (const [gate, strategy] of [
      [wiki, forWiki],
      [docs, forDocs],
    ] as const) {
      const connected = await connectClient('streamable-http', gate.url, strategy.fetch);
      try {
        const result = await connected.client.callTool({ name: 'echo', arguments: { text: 'sts' } });
        expect(result.content).toEqual([{ type: 'text', text: 'sts' }]);
      } finally {
        await connected.close();
      }
    }
    expect(sts.grants.slice(grants)).toMatchObject([
      { clientId: 'sentinel', grantType: TOKEN_EXCHANGE, status: 200 },
      { clientId: 'sentinel', grantType: TOKEN_EXCHANGE, status: 200 },
    ]);
    // Each backend's token is for its audience only: the other backend would refuse it.
    const tokenAt = (gate: AuthGate): string =>
      gate.requests.at(-1)?.headers.authorization?.replace(/^Bearer /, '') ?? '';
    expect(tokenAt(wiki)).not.toBe(tokenAt(docs));
    expect(sts.verify(tokenAt(wiki), { audience: wiki.url })).toBeDefined();
    expect(sts.verify(tokenAt(wiki), { audience: docs.url })).toBeUndefined();
    expect(sts.verify(tokenAt(docs), { audience: wiki.url })).toBeUndefined();
    expect(forWiki.describe()).toMatchObject({
      type: 'token-exchange',
      subjectTokenType: ID_TOKEN_TYPE,
      audience: wiki.url,
    });
    expect(JSON.stringify(forWiki.describe())).not.toMatch(/eyJ|CANARY/);
  });

  it('keeps the exchanged token until it expires, then exchanges again', async () => {
    let clock = Date.now();
    const strategy = strategyFor(server(wiki), { now: () => clock });
    await strategy.prepare();
    const grants = sts.grants.length;
    const get = async (): Promise<number> => {
      const response = await strategy.fetch(wiki.url, {
        method: 'GET',
        headers: { accept: 'text/event-stream' },
      });
      await response.body?.cancel();
      return response.status;
    };
    await get();
    expect(sts.grants.length).toBe(grants);
    clock += 301_000;
    await get();
    expect(sts.grants.slice(grants)).toMatchObject([{ grantType: TOKEN_EXCHANGE, status: 200 }]);
  });

  it('sends an actor token with its type', async () => {
    const grants = sts.grants.length;
    const strategy = strategyFor(
      server(wiki, {
        actorToken: idToken('sentinel-service'),
        actorTokenType: ID_TOKEN_TYPE,
        requestedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
      }),
    );
    await strategy.prepare();
    expect(sts.grants.slice(grants)).toMatchObject([{ status: 200 }]);
  });

  it('names the backend and invalid_grant when the subject token is not trusted', async () => {
    const untrusted = await startOAuthServer({ clients: [] });
    try {
      const strategy = strategyFor(server(wiki, { subjectToken: idToken('mallory', untrusted) }), {
        backend: 'wiki',
      });
      const text = errorText(await failure(strategy.prepare()));
      expect(text).toContain('backend "wiki"');
      expect(text).toContain('refused the token exchange: invalid_grant');
    } finally {
      await untrusted.close();
    }
  });

  // A missing subjectTokenType is the config schema's (config-machine-credentials).
  it('reports an actor token without its type', () => {
    const problems = (auth: Partial<TokenExchangeAuthConfig>): string[] => {
      try {
        strategyFor(server(wiki, auth));
        return [];
      } catch (error) {
        return ((error as SentinelError).issues ?? []).map((i) => `${i.path}: ${i.message}`);
      }
    };
    expect(problems({ actorToken: 'x.y.z' })).toEqual([
      'mcpServers.jira.auth.actorTokenType: is required with actorToken',
    ]);
  });
});

describe('token-exchange with the subject token from a sign-in', () => {
  const CORP_URL = 'https://corp.example/mcp';

  /** The strategy of `wiki` whose subject token is the sign-in of the `oauth` entry `corp`, kept in `store`. */
  function signedInStrategy(store: ReturnType<typeof createSignInStore>, entries: string[] = ['corp']) {
    return createAuthStrategy(resolved(server(wiki, { subjectToken: { signIn: 'corp' } })), {
      backend: 'wiki',
      log,
      options: FAST_AUTH,
      tokenCache: new TokenCache(FAST_AUTH),
      signInStore: store,
      signInEntry: async (name) =>
        entries.includes(name) ? { url: CORP_URL, auth: { type: 'oauth', issuer: idp.issuer } } : undefined,
    });
  }

  it("exchanges the access token of the user's sign-in to another entry", async () => {
    const store = createSignInStore(createMemorySecretStore());
    const now = Date.now();
    // What `mcp-sentinel login corp` leaves in the keychain.
    await store.setServer({ serverUrl: CORP_URL, issuer: idp.issuer, resource: CORP_URL });
    await store.setToken({
      issuer: idp.issuer,
      resource: CORP_URL,
      clientId: 'sentinel',
      accessToken: idToken('alice'),
      tokenType: 'bearer',
      expiresAt: now + 600_000,
      obtainedAt: now,
    });
    const grants = sts.grants.length;
    const strategy = signedInStrategy(store);
    const connected = await connectClient('streamable-http', wiki.url, strategy.fetch);
    try {
      await connected.client.listTools();
    } finally {
      await connected.close();
    }
    expect(sts.grants.slice(grants)).toMatchObject([{ grantType: TOKEN_EXCHANGE, status: 200 }]);
    expect(strategy.describe()).toMatchObject({ subjectTokenFrom: 'sign-in of "corp"' });
  });

  it('says which login to run when the entry is not signed in yet', async () => {
    const strategy = signedInStrategy(createSignInStore(createMemorySecretStore()));
    const text = errorText(await failure(strategy.prepare()));
    expect(text).toContain('its subject token is the sign-in of "corp", which is needed first');
    expect(text).toContain('mcp-sentinel login corp');
  });

  it('names the entry when the config has no such oauth entry', async () => {
    const strategy = signedInStrategy(createSignInStore(createMemorySecretStore()), []);
    expect(errorText(await failure(strategy.prepare()))).toContain(
      'auth.subjectToken.signIn names "corp", which is no "oauth" entry of the config',
    );
  });
});
