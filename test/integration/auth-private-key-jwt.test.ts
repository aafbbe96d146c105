/**
 * oauth2 client credentials with private_key_jwt client authentication against a real authorization
 * server (oidc-provider verifies the assertion's signature against the client's registered JWKS, its
 * iss/sub/aud/exp, and refuses a reused jti) and a real MCP backend that verifies every token: ES256,
 * RS256 and EdDSA keys, a fresh assertion per token request, a wrong key or audience, config problems,
 * and no key or token in any output.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServerConfig, OAuth2AuthConfig } from '../../src/config/types.js';
import { SentinelError } from '../../src/errors.js';
import { startAuthGate, type AuthGate } from '../fixtures/auth-gate.js';
import { connectClient, errorText } from '../fixtures/auth-client.js';
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server.js';
import { guardSecrets, strategyFor } from '../helpers/auth.js';

function keyPair(kind: 'ec' | 'rsa' | 'ed25519'): {
  pem: string;
  jwk: Record<string, unknown>;
  key: KeyObject;
} {
  const { privateKey, publicKey } =
    kind === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : kind === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
  return {
    pem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    jwk: publicKey.export({ format: 'jwk' }) as Record<string, unknown>,
    key: privateKey,
  };
}

const ec = keyPair('ec');
const rsa = keyPair('rsa');
const ed = keyPair('ed25519');
const stranger = keyPair('ec');
const seenTokens = new Set<string>();
guardSecrets(() => [ec.pem, rsa.pem, ed.pem, stranger.pem, ...pemBodies(), ...seenTokens]);

/** The base64 lines of each PEM: no part of a key may show either. */
function pemBodies(): string[] {
  return [ec, rsa, ed, stranger].flatMap((k) => k.pem.split('\n').filter((line) => line.length > 40));
}

let as: OAuthServer;
let gate: AuthGate;

beforeAll(async () => {
  as = await startOAuthServer({
    clients: [
      { id: 'signer-ec', authMethod: 'private_key_jwt', jwks: [ec.jwk] },
      { id: 'signer-rsa', authMethod: 'private_key_jwt', jwks: [rsa.jwk] },
      { id: 'signer-ed', authMethod: 'private_key_jwt', jwks: [ed.jwk] },
    ],
  });
  gate = await startAuthGate({
    authorize: (req: IncomingMessage) => {
      const token = req.headers.authorization?.replace(/^Bearer /, '');
      if (!token) return false;
      seenTokens.add(token);
      return as.verify(token, { audience: gate.url }) !== undefined;
    },
    authorizationServers: [as.issuer],
  });
});
afterAll(async () => {
  await Promise.allSettled([gate?.close(), as?.close()]);
});

function server(auth: Partial<OAuth2AuthConfig>): HttpServerConfig {
  return {
    type: 'streamable-http',
    url: gate.url,
    auth: {
      type: 'oauth2',
      tokenUrl: as.tokenUrl,
      issuer: as.issuer,
      clientId: 'signer-ec',
      tokenEndpointAuthMethod: 'private_key_jwt',
      privateKey: ec.pem,
      resource: gate.url,
      ...auth,
    },
  };
}

describe('private_key_jwt', () => {
  it.each([
    ['ES256 (default from an EC P-256 key)', 'signer-ec', ec.pem, undefined, 'ES256'],
    ['RS256 (default from an RSA key)', 'signer-rsa', rsa.pem, undefined, 'RS256'],
    ['PS256 with an RSA key', 'signer-rsa', rsa.pem, 'PS256', 'PS256'],
    ['EdDSA (default from an Ed25519 key)', 'signer-ed', ed.pem, undefined, 'EdDSA'],
  ] as const)('authenticates with %s and calls the backend', async (_name, clientId, pem, alg, shown) => {
    const grants = as.grants.length;
    const strategy = strategyFor(server({ clientId, privateKey: pem, signingAlgorithm: alg }));
    const connected = await connectClient('streamable-http', gate.url, strategy.fetch);
    try {
      const result = await connected.client.callTool({ name: 'echo', arguments: { text: 'signed' } });
      expect(result.content).toEqual([{ type: 'text', text: 'signed' }]);
    } finally {
      await connected.close();
    }
    expect(as.grants.slice(grants)).toMatchObject([{ clientId, status: 200 }]);
    const described = strategy.describe();
    expect(described).toMatchObject({
      type: 'oauth2',
      clientId,
      tokenEndpointAuthMethod: 'private_key_jwt',
      signingAlgorithm: shown,
    });
    expect(JSON.stringify(described)).not.toMatch(/PRIVATE KEY|eyJ/);
  });

  it('signs a fresh assertion for every token request (the server refuses a replayed jti)', async () => {
    let clock = Date.now();
    const strategy = strategyFor(server({}), { now: () => clock });
    await strategy.prepare();
    const first = strategy.describe().expiresAt;
    clock += 301_000; // past the token's lifetime: the next request needs a new token
    const response = await strategy.fetch(gate.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
    });
    await response.body?.cancel();
    expect(response.status).toBe(200);
    expect(strategy.describe().expiresAt).not.toBe(first);
    const recent = as.grants.filter((g) => g.clientId === 'signer-ec').slice(-2);
    expect(recent.map((g) => g.status)).toEqual([200, 200]);
  });

  it('names the backend and invalid_client when the key is not the registered one', async () => {
    const strategy = strategyFor(server({ privateKey: stranger.pem }), { backend: 'billing' });
    const error = await strategy.prepare().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SentinelError);
    const text = errorText(error);
    expect(text).toContain('backend "billing"');
    expect(text).toContain('refused the client credentials grant: invalid_client');
    expect(text).not.toContain(stranger.pem);
    expect(strategy.describe().lastError).toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('names invalid_client when the assertion is for another audience', async () => {
    // The pinned issuer is the assertion's audience: a wrong one is refused by the authorization server.
    const strategy = strategyFor(server({ issuer: 'https://other-issuer.example' }), { backend: 'billing' });
    const error = await strategy.prepare().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(errorText(error)).toMatch(/backend "billing".*invalid_client/);
  });

  it('reports a missing key, a key that does not fit the algorithm, and a public key, without the value', () => {
    const problems = (auth: Partial<OAuth2AuthConfig>): string[] => {
      try {
        strategyFor(server(auth));
        return [];
      } catch (error) {
        return ((error as SentinelError).issues ?? []).map((i) => `${i.path}: ${i.message}`);
      }
    };
    expect(problems({ privateKey: undefined })).toEqual([
      'mcpServers.jira.auth.privateKey: is required with private_key_jwt: a PEM private key',
    ]);
    expect(problems({ signingAlgorithm: 'RS256' })).toEqual([
      'mcpServers.jira.auth.privateKey: cannot sign with RS256 (it suits ES256); fix signingAlgorithm or the key',
    ]);
    const publicPem = ec.key
      .export({ format: 'pem', type: 'pkcs8' })
      .toString()
      .replace(/PRIVATE/g, 'PUBLIC');
    expect(problems({ privateKey: publicPem })).toEqual([
      'mcpServers.jira.auth.privateKey: is a public key or certificate; the private key is needed',
    ]);
    expect(problems({ privateKey: `not a key ${randomUUID()}` })[0]).toContain('is not a PEM private key');
    expect(problems({ tokenEndpointAuthMethod: 'client_secret_basic', clientSecret: 'x-secret' })).toEqual([
      'mcpServers.jira.auth.privateKey: is used only with "tokenEndpointAuthMethod": "private_key_jwt"',
    ]);
  });
});
