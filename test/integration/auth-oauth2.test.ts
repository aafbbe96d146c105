/**
 * OAuth2 client credentials against a real authorization server (oidc-provider) and real MCP backends on
 * 127.0.0.1 that verify every token: token before the first request, single-flight, refresh after expiry,
 * 401 handling, per-backend isolation, wrong secrets, client_secret_post and §2.3.1 encoding.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServerConfig, OAuth2AuthConfig } from '../../src/config/types.js';
import { SentinelError } from '../../src/errors.js';
import { startAuthGate, type AuthGate } from '../fixtures/auth-gate.js';
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server.js';
import { connectClient, errorText, type TransportKind } from '../fixtures/auth-client.js';
import { FAST_AUTH, guardSecrets, startHoldingProxy, strategyFor } from '../helpers/auth.js';
import { waitFor } from '../helpers/wait.js';

const SECRET_A = `CANARY-a-${randomUUID()}`;
const SECRET_B = `CANARY-b-${randomUUID()}`;
const SECRET_POST = `CANARY-p-${randomUUID()}`;
/** Needs RFC 6749 §2.3.1 form-encoding in Basic to authenticate. */
const SECRET_ODD = `CANARY-o+b%2F:(x)* ~${randomUUID()}`;
let as: OAuthServer;
let gateA: AuthGate;
let gateB: AuthGate;
/** Tokens a test revoked: the gates answer 401 to them. */
const revoked = new Set<string>();
/** Every bearer token any gate saw. */
const seenTokens = new Set<string>();
const output = guardSecrets(() => [SECRET_A, SECRET_B, SECRET_POST, SECRET_ODD, ...seenTokens]);

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

function gateFor(clientId: string, audience: () => string) {
  return (req: IncomingMessage): boolean => {
    const token = bearer(req);
    if (!token) return false;
    seenTokens.add(token);
    return !revoked.has(token) && as.verify(token, { audience: audience(), clientId }) !== undefined;
  };
}

beforeAll(async () => {
  as = await startOAuthServer({
    clients: [
      { id: 'client-a', secret: SECRET_A },
      { id: 'client-b', secret: SECRET_B },
      { id: 'client-post', secret: SECRET_POST, authMethod: 'client_secret_post' },
      { id: 'client odd:*', secret: SECRET_ODD },
    ],
    ttlSeconds: 300,
  });
  gateA = await startAuthGate({
    authorize: gateFor('client-a', () => gateA.url),
    authorizationServers: [as.issuer],
  });
  gateB = await startAuthGate({
    authorize: gateFor('client-b', () => gateB.url),
    authorizationServers: [as.issuer],
  });
});
afterAll(async () => {
  await Promise.allSettled([gateA?.close(), gateB?.close(), as?.close()]);
});
afterEach(() => {
  as.setFault(undefined);
  as.setTtl(300);
});

function oauthServer(
  gate: AuthGate,
  auth: Partial<OAuth2AuthConfig> = {},
  kind: TransportKind = 'streamable-http',
): HttpServerConfig {
  return {
    type: kind,
    url: kind === 'sse' ? gate.sseUrl : gate.url,
    auth: {
      type: 'oauth2',
      tokenUrl: as.tokenUrl,
      clientId: 'client-a',
      clientSecret: SECRET_A,
      scopes: ['mcp:read', 'mcp:write'],
      resource: gate.url,
      ...auth,
    },
  };
}

describe.each<TransportKind>(['streamable-http', 'sse'])('oauth2 over %s', (kind) => {
  it('gets the token before the first backend request and sends it on every request', async () => {
    const grants = as.grants.length;
    const before = gateA.requests.length;
    const strategy = strategyFor(oauthServer(gateA, {}, kind));
    await strategy.prepare();
    expect(as.grants.length).toBe(grants + 1);
    expect(as.grants.at(-1)).toMatchObject({ clientId: 'client-a', resource: gateA.url, status: 200 });
    expect(gateA.requests.length).toBe(before);

    const connected = await connectClient(kind, kind === 'sse' ? gateA.sseUrl : gateA.url, strategy.fetch);
    try {
      const result = await connected.client.callTool({ name: 'echo', arguments: { text: 'ok' } });
      expect(result.content).toEqual([{ type: 'text', text: 'ok' }]);
      if (kind === 'streamable-http') {
        await (connected.transport as { terminateSession(): Promise<void> }).terminateSession();
      }
    } finally {
      await connected.close();
    }
    const seen = gateA.requests.slice(before);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    if (kind === 'streamable-http') expect(seen.some((r) => r.method === 'DELETE')).toBe(true);
    for (const request of seen) expect(request.rejectedWith).toBe(0);
    expect(as.grants.length).toBe(grants + 1);

    const described = strategy.describe();
    expect(described).toMatchObject({
      type: 'oauth2',
      tokenEndpoint: as.tokenUrl,
      clientId: 'client-a',
      endpointSource: 'tokenUrl',
    });
    expect(typeof described.expiresAt).toBe('string');
    expect(JSON.stringify(described)).not.toMatch(/CANARY|eyJ/);
  });
});

describe('token cache', () => {
  it('makes one token request for 60 concurrent connections on a cold cache', async () => {
    const grants = as.grants.length;
    const strategy = strategyFor(oauthServer(gateA));
    const clients = await Promise.all(
      Array.from({ length: 60 }, () => connectClient('streamable-http', gateA.url, strategy.fetch)),
    );
    try {
      const results = await Promise.all(
        clients.map((c, i) => c.client.callTool({ name: 'echo', arguments: { text: `${i}` } })),
      );
      expect(results).toHaveLength(60);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
    expect(as.grants.length).toBe(grants + 1);
  });

  it('gets a new token once the old one has expired', async () => {
    // The strategy's clock, moved past the token's expiry instead of waiting for it.
    let clock = Date.now();
    const grants = as.grants.length;
    const strategy = strategyFor(oauthServer(gateA), { now: () => clock });
    const connected = await connectClient('streamable-http', gateA.url, strategy.fetch);
    try {
      await connected.client.listTools();
      expect(as.grants.length).toBe(grants + 1);
      clock += 300_000 + 1_000; // a 300 s token
      await Promise.all(
        Array.from({ length: 20 }, () =>
          connected.client.callTool({ name: 'echo', arguments: { text: 'x' } }),
        ),
      );
      expect(as.grants.length).toBe(grants + 2);
    } finally {
      await connected.close();
    }
  });

  it('refreshes ahead of expiry without making callers wait', async () => {
    // The token endpoint behind a proxy that can hold the refresh, to see the caller not waiting for it.
    const proxy = await startHoldingProxy(as.issuer);
    try {
      let clock = Date.now();
      const strategy = strategyFor(oauthServer(gateA, { tokenUrl: `${proxy.origin}/token` }), {
        now: () => clock,
      });
      await strategy.prepare();
      const grants = as.grants.length;
      const firstExpiry = strategy.describe().expiresAt;
      const before = gateA.requests.length;
      clock += 300_000 - 30_000; // inside the last 60 s of a 300 s token
      proxy.hold();
      const response = await strategy.fetch(gateA.url, {
        method: 'GET',
        headers: { accept: 'text/event-stream', 'x-test-probe': 'refresh-ahead' },
      });
      await response.body?.cancel();
      // The caller has its answer, sent with the current token, while the refresh is held. (Only this
      // request counts: connections of earlier tests may still be closing.)
      const probes = gateA.requests
        .slice(before)
        .filter((r) => r.headers['x-test-probe'] === 'refresh-ahead');
      expect(probes.map((r) => r.rejectedWith)).toEqual([0]);
      await waitFor('the refresh to reach the token endpoint', () => proxy.waiting() === 1);
      expect(as.grants.length).toBe(grants);
      expect(strategy.describe().expiresAt).toBe(firstExpiry);
      proxy.release();
      await waitFor('the background refresh', () => strategy.describe().expiresAt !== firstExpiry);
      expect(as.grants.length).toBe(grants + 1);
    } finally {
      await proxy.close();
    }
  });
});

describe('backend 401', () => {
  it('drops the token, gets a new one and retries once', async () => {
    const strategy = strategyFor(oauthServer(gateA));
    const connecting = gateA.requests.length;
    const connected = await connectClient('streamable-http', gateA.url, strategy.fetch);
    try {
      // The SDK opens its GET stream in the background; let it arrive so the forced 401 meets the POST.
      await waitFor('the GET stream', () => gateA.requests.slice(connecting).some((r) => r.method === 'GET'));
      const grants = as.grants.length;
      const before = gateA.requests.length;
      gateA.rejectNext(1);
      const result = await connected.client.callTool({ name: 'echo', arguments: { text: 'again' } });
      expect(result.content).toEqual([{ type: 'text', text: 'again' }]);
      expect(as.grants.length).toBe(grants + 1);
      const posts = gateA.requests.slice(before).filter((r) => r.method === 'POST');
      expect(posts.map((r) => r.rejectedWith)).toEqual([401, 0]);
    } finally {
      await connected.close();
    }
  });

  it('fails with AUTH_FAILED on a second 401, and does not loop on further ones', async () => {
    const strategy = strategyFor(oauthServer(gateA), {
      options: { ...FAST_AUTH, unauthorizedRefreshIntervalMs: 10_000 },
    });
    const connecting = gateA.requests.length;
    const connected = await connectClient('streamable-http', gateA.url, strategy.fetch);
    await waitFor('the GET stream', () => gateA.requests.slice(connecting).some((r) => r.method === 'GET'));
    gateA.rejectAll(true);
    try {
      const grants = as.grants.length;
      const before = gateA.requests.length;
      const error = await connected.client
        .callTool({ name: 'echo', arguments: { text: 'x' } })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SentinelError);
      expect((error as SentinelError).code).toBe('AUTH_FAILED');
      expect((error as SentinelError).message).toContain('backend "jira"');
      expect(as.grants.length).toBe(grants + 1);
      expect(gateA.requests.slice(before).filter((r) => r.method === 'POST')).toHaveLength(2);

      for (let i = 0; i < 5; i += 1) {
        const again = await connected.client
          .callTool({ name: 'echo', arguments: { text: 'x' } })
          .catch((e: unknown) => e);
        expect((again as SentinelError).code).toBe('AUTH_FAILED');
      }
      expect(as.grants.length).toBe(grants + 1);
    } finally {
      gateA.rejectAll(false);
      await connected.close();
    }
  });

  it('a burst of 401s for the same stale token makes one token request', async () => {
    const strategy = strategyFor(oauthServer(gateA));
    const connected = await connectClient('streamable-http', gateA.url, strategy.fetch);
    try {
      const current = [...seenTokens].at(-1);
      expect(current).toBeDefined();
      revoked.add(current as string);
      const grants = as.grants.length;
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          connected.client.callTool({ name: 'echo', arguments: { text: `${i}` } }),
        ),
      );
      expect(results).toHaveLength(30);
      expect(as.grants.length).toBe(grants + 1);
    } finally {
      await connected.close();
    }
  });
});

describe('isolation between backends', () => {
  it('two backends with different clients never see each other’s tokens or secrets', async () => {
    const grants = as.grants.length;
    const a = strategyFor(oauthServer(gateA));
    const b = strategyFor(
      oauthServer(gateB, { clientId: 'client-b', clientSecret: SECRET_B, resource: gateB.url }),
      { backend: 'search' },
    );
    const beforeA = gateA.requests.length;
    const beforeB = gateB.requests.length;
    const asBefore = as.requests.length;
    const [ca, cb] = await Promise.all([
      connectClient('streamable-http', gateA.url, a.fetch),
      connectClient('sse', gateB.sseUrl, b.fetch),
    ]);
    try {
      await Promise.all([
        ca.client.callTool({ name: 'echo', arguments: { text: 'a' } }),
        cb.client.callTool({ name: 'echo', arguments: { text: 'b' } }),
      ]);
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
    const tokensOf = (requests: AuthGate['requests']) =>
      new Set(requests.map((r) => r.headers.authorization));
    const onA = tokensOf(gateA.requests.slice(beforeA));
    const onB = tokensOf(gateB.requests.slice(beforeB));
    expect([...onA].filter((t) => onB.has(t))).toEqual([]);
    for (const request of gateA.requests.slice(beforeA)) expect(request.rejectedWith).toBe(0);
    for (const request of gateB.requests.slice(beforeB)) expect(request.rejectedWith).toBe(0);
    const newGrants = as.grants.slice(grants);
    expect(newGrants.map((g) => [g.clientId, g.resource]).sort()).toEqual([
      ['client-a', gateA.url],
      ['client-b', gateB.url],
    ]);
    // The authorization server only ever saw Basic client authentication, never a Bearer token.
    for (const request of as.requests.slice(asBefore))
      expect(request.headers.authorization ?? '').not.toMatch(/^Bearer/);
  });
});

describe('client authentication', () => {
  it('a wrong client secret is AUTH_FAILED naming the backend and the OAuth error', async () => {
    const wrong = `CANARY-wrong-${randomUUID()}`;
    const strategy = strategyFor(oauthServer(gateA, { clientSecret: wrong }));
    const before = gateA.requests.length;
    const error = await strategy.prepare().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SentinelError);
    const e = error as SentinelError;
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.permanent).toBe(true);
    expect(e.message).toContain('backend "jira"');
    expect(e.message).toContain('invalid_client');
    expect(e.hint).toContain('clientSecret');
    expect(errorText(e)).not.toContain(wrong);
    expect(gateA.requests.length).toBe(before);
    // Within the permanent backoff the endpoint is not asked again.
    const count = as.tokenRequestCount();
    const again = await strategy.prepare().catch((x: unknown) => x);
    expect((again as SentinelError).code).toBe('AUTH_FAILED');
    expect(as.tokenRequestCount()).toBe(count);
    expect(strategy.describe()).toMatchObject({ lastError: { code: 'AUTH_FAILED' } });
    expect(output.text()).not.toContain(wrong);
  });

  it('client_secret_post works', async () => {
    const strategy = strategyFor(
      oauthServer(gateA, {
        clientId: 'client-post',
        clientSecret: SECRET_POST,
        tokenEndpointAuthMethod: 'client_secret_post',
      }),
    );
    await strategy.prepare();
    expect(as.grants.at(-1)).toMatchObject({ clientId: 'client-post', status: 200 });
  });

  it('form-encodes client_secret_basic credentials (RFC 6749 §2.3.1)', async () => {
    const strategy = strategyFor(oauthServer(gateA, { clientId: 'client odd:*', clientSecret: SECRET_ODD }));
    await strategy.prepare();
    expect(as.grants.at(-1)).toMatchObject({ clientId: 'client odd:*', status: 200 });
  });
});
