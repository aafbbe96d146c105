/**
 * Token endpoint discovery without tokenUrl (401 → RFC 9728 → RFC 8414) and issuer binding: the client
 * secret goes only to a pinned token endpoint, a pinned issuer, or a discovered issuer the config allows.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServerConfig, OAuth2AuthConfig } from '../../src/config/types.js';
import { SentinelError } from '../../src/errors.js';
import { startAuthGate, type AuthGate } from '../fixtures/auth-gate.js';
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server.js';
import { connectClient, errorText } from '../fixtures/auth-client.js';
import { guardSecrets, strategyFor as authStrategy } from '../helpers/auth.js';

const SECRET = `CANARY-d-${randomUUID()}`;
let as: OAuthServer;
let rogue: OAuthServer;
let gate: AuthGate;
guardSecrets(() => [SECRET]);

beforeAll(async () => {
  as = await startOAuthServer({ clients: [{ id: 'client-d', secret: SECRET }] });
  rogue = await startOAuthServer({ clients: [{ id: 'client-d', secret: 'other' }] });
  gate = await startAuthGate({
    authorize: (req: IncomingMessage) => {
      const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
      return as.verify(token, { audience: gate.url, clientId: 'client-d' }) !== undefined;
    },
    authorizationServers: [as.issuer],
  });
});
afterAll(async () => {
  await Promise.allSettled([gate?.close(), as?.close(), rogue?.close()]);
});
afterEach(() => {
  gate.setAuthorizationServers([as.issuer]);
});

function config(auth: Partial<OAuth2AuthConfig>): HttpServerConfig {
  return {
    type: 'streamable-http',
    url: gate.url,
    auth: { type: 'oauth2', clientId: 'client-d', clientSecret: SECRET, ...auth },
  };
}

function strategyFor(server: HttpServerConfig) {
  return authStrategy(server, { backend: 'wiki' });
}

describe('discovery without tokenUrl', () => {
  it('finds the token endpoint from the 401 and uses it when the discovered issuer is allowed', async () => {
    const strategy = strategyFor(config({ allowDiscoveredIssuer: true }));
    await strategy.prepare(); // nothing pinned: no request yet
    const grants = as.grants.length;
    const before = gate.requests.length;
    const connected = await connectClient('streamable-http', gate.url, strategy.fetch);
    try {
      await connected.client.callTool({ name: 'echo', arguments: { text: 'found' } });
    } finally {
      await connected.close();
    }
    // From this connection's first request on (the initialize POST): a GET stream an earlier test's client
    // had in flight when it closed may arrive first.
    const later = gate.requests.slice(before);
    const seen = later.slice(
      Math.max(
        0,
        later.findIndex((r) => r.method === 'POST'),
      ),
    );
    expect(seen[0]).toMatchObject({ method: 'POST', rejectedWith: 401 });
    expect(seen[0]?.headers.authorization).toBeUndefined();
    expect(seen.some((r) => r.path === '/.well-known/oauth-protected-resource/mcp')).toBe(true);
    expect(seen.filter((r) => r.rejectedWith === 401)).toHaveLength(1);
    // The token was requested for the resource the metadata names (RFC 8707).
    expect(as.grants.slice(grants)).toEqual([
      expect.objectContaining({ clientId: 'client-d', resource: gate.url, status: 200 }),
    ]);
    expect(strategy.describe()).toMatchObject({
      endpointSource: 'discovery',
      discoveredIssuer: as.issuer,
      tokenEndpoint: as.tokenUrl,
    });
  });

  it('refuses an issuer that nobody pinned: the secret is not sent and the error shows how to pin it', async () => {
    const strategy = strategyFor(config({}));
    const tokenRequests = as.tokenRequestCount();
    const error = await connectClient('streamable-http', gate.url, strategy.fetch).then(
      async (c) => {
        await c.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SentinelError);
    const e = error as SentinelError;
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.message).toContain(as.issuer);
    expect(e.hint).toContain(`"issuer": "${as.issuer}"`);
    expect(errorText(e)).not.toContain(SECRET);
    expect(as.tokenRequestCount()).toBe(tokenRequests);
    expect(as.requests.filter((r) => r.method === 'POST')).toHaveLength(tokenRequests);
    expect(strategy.describe()).toMatchObject({
      discoveredIssuer: as.issuer,
      pinHint: expect.stringContaining(as.issuer),
    });
  });

  it('with a pinned issuer, uses its metadata before the first request and ignores what the backend names', async () => {
    gate.setAuthorizationServers([rogue.issuer]);
    const strategy = strategyFor(config({ issuer: as.issuer, resource: gate.url }));
    const rogueBefore = rogue.requests.length;
    await strategy.prepare();
    const before = gate.requests.length;
    const connected = await connectClient('streamable-http', gate.url, strategy.fetch);
    try {
      await connected.client.listTools();
    } finally {
      await connected.close();
    }
    for (const request of gate.requests.slice(before)) expect(request.rejectedWith).toBe(0);
    expect(rogue.requests.slice(rogueBefore)).toEqual([]);
    expect(strategy.describe()).toMatchObject({
      endpointSource: 'issuer',
      issuer: as.issuer,
      tokenEndpoint: as.tokenUrl,
    });
  });

  it('a discovered issuer that differs from the pinned one never gets the secret', async () => {
    gate.setAuthorizationServers([rogue.issuer]);
    const strategy = strategyFor(config({}));
    const error = await connectClient('streamable-http', gate.url, strategy.fetch).then(
      async (c) => {
        await c.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect((error as SentinelError).code).toBe('AUTH_FAILED');
    expect((error as SentinelError).message).toContain(rogue.issuer);
    expect(rogue.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('a pinned issuer whose metadata names another issuer is refused', async () => {
    // The rogue server's metadata names the rogue issuer; pin a different string that leads to it.
    const lookalike = rogue.issuer.replace('127.0.0.1', 'localhost');
    const strategy = strategyFor(config({ issuer: lookalike }));
    const error = await strategy.prepare().catch((e: unknown) => e);
    expect((error as SentinelError).code).toBe('AUTH_FAILED');
    expect((error as SentinelError).message).toContain('different issuer');
    expect(rogue.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });
});
