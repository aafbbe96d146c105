/**
 * The jwt-bearer grant (RFC 7523, workload identity federation) against a real authorization server
 * (oidc-provider with the JWT-bearer grant registered; it trusts one workload issuer) and a real MCP
 * backend that verifies every token: an assertion from the config or from a file read again for every
 * token request, a refusal surfaced at once and not retried, and no assertion or token in any output.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServerConfig, JwtBearerAuthConfig } from '../../src/config/types.js';
import type { SentinelError } from '../../src/errors.js';
import { startAuthGate, type AuthGate } from '../fixtures/auth-gate.js';
import { connectClient, errorText } from '../fixtures/auth-client.js';
import { JWT_BEARER, signJwt } from '../fixtures/oauth-grants.js';
import { startOAuthServer, type OAuthServer } from '../fixtures/oauth-server.js';
import { guardSecrets, strategyFor } from '../helpers/auth.js';
import { rsaKeyPair } from '../helpers/test-keys.js';

const WORKLOAD_ISSUER = 'https://workload-issuer.example';
const workloadKeys = rsaKeyPair();
const strangerKeys = rsaKeyPair();
const SECRET = `CANARY-wif-${randomUUID()}`;
const assertions = new Set<string>();
const seenTokens = new Set<string>();
guardSecrets(() => [SECRET, ...assertions, ...seenTokens]);

let as: OAuthServer;
let gate: AuthGate;
let dir: string;

/** A workload JWT for `as` (or `audience`), signed by the trusted workload issuer unless `key` says otherwise. */
function workloadJwt(sub: string, options: { audience?: string; key?: typeof workloadKeys.privateKey } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = signJwt(options.key ?? workloadKeys.privateKey, {
    iss: WORKLOAD_ISSUER,
    sub,
    aud: options.audience ?? as.issuer,
    iat: now,
    exp: now + 600,
  });
  assertions.add(jwt);
  return jwt;
}

function subjectOf(token: string): unknown {
  return (
    JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown }
  ).sub;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-wif-'));
  as = await startOAuthServer({
    clients: [
      { id: 'ci-workload', authMethod: 'none', grantTypes: [JWT_BEARER] },
      { id: 'ci-confidential', secret: SECRET, grantTypes: [JWT_BEARER] },
    ],
    trustedIssuers: [{ issuer: WORKLOAD_ISSUER, key: workloadKeys.publicKey }],
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
  rmSync(dir, { recursive: true, force: true });
  await Promise.allSettled([gate?.close(), as?.close()]);
});

function server(auth: Partial<JwtBearerAuthConfig>): HttpServerConfig {
  return {
    type: 'streamable-http',
    url: gate.url,
    auth: {
      type: 'jwt-bearer',
      tokenUrl: as.tokenUrl,
      issuer: as.issuer,
      clientId: 'ci-workload',
      resource: gate.url,
      scopes: ['mcp:read'],
      ...auth,
    } as JwtBearerAuthConfig,
  };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('jwt-bearer', () => {
  it('exchanges the workload JWT for a token and calls the backend', async () => {
    const grants = as.grants.length;
    const strategy = strategyFor(server({ assertion: workloadJwt('build-42') }));
    const connected = await connectClient('streamable-http', gate.url, strategy.fetch);
    try {
      const result = await connected.client.callTool({ name: 'echo', arguments: { text: 'wif' } });
      expect(result.content).toEqual([{ type: 'text', text: 'wif' }]);
    } finally {
      await connected.close();
    }
    expect(as.grants.slice(grants)).toMatchObject([
      { clientId: 'ci-workload', grantType: JWT_BEARER, resource: gate.url, status: 200 },
    ]);
    const described = strategy.describe();
    expect(described).toMatchObject({ type: 'jwt-bearer', clientId: 'ci-workload', assertion: 'value' });
    expect(JSON.stringify(described)).not.toMatch(/eyJ/);
  });

  it('authenticates a confidential client with its secret', async () => {
    const grants = as.grants.length;
    const strategy = strategyFor(
      server({ clientId: 'ci-confidential', clientSecret: SECRET, assertion: workloadJwt('build-43') }),
    );
    await strategy.prepare();
    expect(as.grants.slice(grants)).toMatchObject([{ clientId: 'ci-confidential', status: 200 }]);
  });

  it('reads assertionFile again for every token request (a rotated token is used)', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, `${workloadJwt('rotation-1')}\n`);
    let clock = Date.now();
    const strategy = strategyFor(server({ assertionFile: file }), { now: () => clock });
    await strategy.prepare();
    writeFileSync(file, workloadJwt('rotation-2'));
    clock += 301_000;
    const response = await strategy.fetch(gate.url, {
      method: 'GET',
      headers: { accept: 'text/event-stream' },
    });
    await response.body?.cancel();
    const subjects = [...seenTokens].map(subjectOf);
    expect(subjects).toContain('rotation-2');
    expect(strategy.describe()).toMatchObject({ assertion: 'file', assertionFile: file });
  });

  it.each([
    ['an assertion for another audience', () => workloadJwt('x', { audience: 'https://elsewhere.example' })],
    ['an assertion from an untrusted issuer', () => workloadJwt('x', { key: strangerKeys.privateKey })],
  ])('surfaces invalid_grant for %s at once and does not ask again', async (_name, jwt) => {
    const before = as.tokenRequestCount();
    const strategy = strategyFor(server({ assertion: jwt() }), { backend: 'ci' });
    const error = await failure(strategy.prepare());
    const text = errorText(error);
    expect(text).toContain('backend "ci"');
    expect(text).toContain('refused the JWT-bearer grant: invalid_grant');
    expect((error as SentinelError).code).toBe('AUTH_FAILED');
    // Asked once; a second attempt within the backoff gets the same error without a request.
    expect(await failure(strategy.prepare())).toBe(error);
    expect(as.tokenRequestCount()).toBe(before + 1);
    expect(as.grants.at(-1)).toMatchObject({ grantType: JWT_BEARER, status: 400 });
  });

  it('surfaces invalid_scope without trying another grant', async () => {
    const before = as.tokenRequestCount();
    const strategy = strategyFor(server({ assertion: workloadJwt('y'), scopes: ['forbidden'] }), {
      backend: 'ci',
    });
    expect(errorText(await failure(strategy.prepare()))).toMatch(/backend "ci".*invalid_scope/);
    expect(as.tokenRequestCount()).toBe(before + 1);
  });

  it('names the file when assertionFile cannot be read', async () => {
    const missing = join(dir, 'not-mounted');
    const strategy = strategyFor(server({ assertionFile: missing }), { backend: 'ci' });
    expect(errorText(await failure(strategy.prepare()))).toContain(
      `backend "ci": cannot read auth.assertionFile ${missing} (ENOENT)`,
    );
  });

  it('reports assertion settings that cannot work', () => {
    const problems = (auth: Partial<JwtBearerAuthConfig>): string[] => {
      try {
        strategyFor(server(auth));
        return [];
      } catch (error) {
        return ((error as SentinelError).issues ?? []).map((i) => `${i.path}: ${i.message}`);
      }
    };
    expect(problems({})).toEqual(['mcpServers.jira.auth.assertion: or assertionFile is required']);
    expect(problems({ assertion: 'a.b.c', assertionFile: '/run/token' })).toEqual([
      'mcpServers.jira.auth.assertion: and assertionFile exclude each other',
    ]);
    expect(problems({ assertionFile: 'relative/token' })).toEqual([
      'mcpServers.jira.auth.assertionFile: must be an absolute path',
    ]);
  });
});
