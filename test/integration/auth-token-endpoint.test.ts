/**
 * A misbehaving token endpoint (a real oidc-provider server whose token answers are replaced by faults):
 * 5xx, 429 with Retry-After, non-JSON, invalid token responses, an oversized body, a hang and a redirect
 * all become typed errors with short, configurable timeouts; the backend receives nothing meanwhile.
 * Also the https-unless-loopback rule for token endpoints and issuers.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServerConfig, OAuth2AuthConfig } from '../../src/config/types.js';
import { SentinelError } from '../../src/errors.js';
import { validateHttpServerAuth, type AuthOptions } from '../../src/auth/index.js';
import { startAuthGate, startCountingServer, type AuthGate } from '../fixtures/auth-gate.js';
import { startOAuthServer, type OAuthServer, type TokenFault } from '../fixtures/oauth-server.js';
import { errorText } from '../fixtures/auth-client.js';
import { guardSecrets, strategyFor as authStrategy, type StrategyOptions } from '../helpers/auth.js';
import { resolved } from '../helpers/resolved.js';

const SECRET = `CANARY-t-${randomUUID()}`;
const OPTIONS: AuthOptions = {
  // Generous for the endpoint's real answers on a loaded machine; the hang case sets a short one.
  tokenTimeoutMs: 5_000,
  transientBackoffMs: 100,
  maxTransientBackoffMs: 400,
  permanentBackoffMs: 60_000,
};
let as: OAuthServer;
let gate: AuthGate;
guardSecrets(() => [SECRET]);

beforeAll(async () => {
  as = await startOAuthServer({ clients: [{ id: 'client-t', secret: SECRET }] });
  gate = await startAuthGate({ authorize: () => true });
});
afterAll(async () => {
  await Promise.allSettled([gate?.close(), as?.close()]);
});
afterEach(() => {
  as.setFault(undefined);
});

function server(auth: Partial<OAuth2AuthConfig> = {}): HttpServerConfig {
  return {
    type: 'streamable-http',
    url: gate.url,
    auth: {
      type: 'oauth2',
      tokenUrl: as.tokenUrl,
      clientId: 'client-t',
      clientSecret: SECRET,
      resource: gate.url,
      ...auth,
    },
  };
}

function strategyFor(settings: StrategyOptions = {}) {
  return authStrategy(server(), { options: OPTIONS, ...settings });
}

async function prepareError(fault: TokenFault, options = OPTIONS): Promise<SentinelError> {
  as.setFault(fault);
  const error = await strategyFor({ options })
    .prepare()
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SentinelError);
  expect(errorText(error)).not.toContain(SECRET);
  return error as SentinelError;
}

describe('token endpoint failures', () => {
  it('500 is a transient error naming the backend and the status', async () => {
    const e = await prepareError({ kind: 'status', status: 500, body: 'oops' });
    expect(e.code).toBe('AUTH_TRANSIENT');
    expect(e.message).toContain('backend "jira"');
    expect(e.message).toContain('HTTP 500');
  });

  it('after a transient failure the endpoint is asked again once the backoff has passed', async () => {
    as.setFault({ kind: 'status', status: 503 });
    // A clock and jitter of our own: the first backoff is 100 ms halved plus half of 100 ms × 0.5 = 75 ms.
    let clock = Date.now();
    const strategy = strategyFor({ now: () => clock, random: () => 0.5 });
    expect((await strategy.prepare().catch((e: unknown) => e)) as SentinelError).toMatchObject({
      code: 'AUTH_TRANSIENT',
    });
    const count = as.tokenRequestCount();
    expect(Date.parse(String(strategy.describe().retryAt))).toBe(clock + 75);
    as.setFault(undefined);
    // Within the backoff: fails at once, no new request, up to its last millisecond.
    for (const elapsed of [0, 74]) {
      clock += elapsed;
      expect((await strategy.prepare().catch((e: unknown) => e)) as SentinelError).toMatchObject({
        code: 'AUTH_TRANSIENT',
      });
      expect(as.tokenRequestCount()).toBe(count);
    }
    clock += 1;
    await strategy.prepare();
    expect(as.tokenRequestCount()).toBe(count + 1);
  });

  it('429 with Retry-After is honoured', async () => {
    as.setFault({ kind: 'status', status: 429, headers: { 'retry-after': '7' } });
    const strategy = strategyFor();
    const started = Date.now();
    const e = (await strategy.prepare().catch((x: unknown) => x)) as SentinelError;
    expect(e.code).toBe('AUTH_TRANSIENT');
    const retryAt = Date.parse(String(strategy.describe().retryAt));
    expect(retryAt - started).toBeGreaterThanOrEqual(6_500);
  });

  it.each<[string, TokenFault, RegExp]>([
    [
      'an HTML page',
      { kind: 'status', status: 200, body: '<html>login</html>', contentType: 'text/html' },
      /not JSON \(text\/html\)/,
    ],
    ['an empty object', { kind: 'status', status: 200, body: '{}' }, /access_token is missing/],
    [
      'token_type mac',
      { kind: 'status', status: 200, body: '{"access_token":"abc","token_type":"mac"}' },
      /token_type "mac"/,
    ],
    [
      'expires_in -5',
      { kind: 'status', status: 200, body: '{"access_token":"abc","token_type":"Bearer","expires_in":-5}' },
      /expires_in/,
    ],
    [
      'expires_in "abc"',
      {
        kind: 'status',
        status: 200,
        body: '{"access_token":"abc","token_type":"Bearer","expires_in":"abc"}',
      },
      /expires_in/,
    ],
    [
      'a token with CR LF',
      { kind: 'status', status: 200, body: '{"access_token":"a\\r\\nb","token_type":"Bearer"}' },
      /cannot be sent in a header/,
    ],
    [
      'a 2 MiB body',
      { kind: 'status', status: 200, body: `{"pad":"${'x'.repeat(2 * 1024 * 1024)}"}` },
      /larger than/,
    ],
  ])('a 200 with %s is an invalid token response', async (_label, fault, pattern) => {
    const e = await prepareError(fault);
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.message).toMatch(pattern);
  });

  it('accepts a numeric-string expires_in and a missing one', async () => {
    for (const body of [
      '{"access_token":"tok-1","token_type":"bearer","expires_in":"120"}',
      '{"access_token":"tok-2","token_type":"Bearer"}',
    ]) {
      as.setFault({ kind: 'status', status: 200, body });
      const strategy = strategyFor();
      await strategy.prepare();
      const lifetime = Date.parse(String(strategy.describe().expiresAt)) - Date.now();
      expect(lifetime).toBeGreaterThan(100_000);
      expect(lifetime).toBeLessThanOrEqual(300_000);
    }
  });

  it('an OAuth error surfaces error and error_description with a hint', async () => {
    const e = await prepareError({
      kind: 'status',
      status: 400,
      body: JSON.stringify({ error: 'invalid_scope', error_description: 'scope mcp:admin is not allowed' }),
    });
    expect(e.code).toBe('AUTH_FAILED');
    expect(e.message).toContain('invalid_scope (scope mcp:admin is not allowed)');
    expect(e.hint).toContain('auth.scopes');
  });

  it('a hanging token endpoint times out with a transient error', async () => {
    const started = Date.now();
    const e = await prepareError({ kind: 'hang' }, { ...OPTIONS, tokenTimeoutMs: 400 });
    expect(e.code).toBe('AUTH_TRANSIENT');
    expect(e.message).toContain('did not answer within 400 ms');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('a redirect from the token endpoint is not followed', async () => {
    const other = await startCountingServer();
    try {
      const e = await prepareError({ kind: 'redirect', location: `${other.origin}/token` });
      expect(e.code).toBe('AUTH_REDIRECT');
      expect(e.message).toContain('307');
      expect(e.message).toContain(other.origin);
      expect(other.count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('an unreachable token endpoint is a transient error', async () => {
    // Port 0 can never be listened on, so the connection is refused whatever else runs on this machine.
    const url = 'http://127.0.0.1:0/token';
    const strategy = authStrategy(
      { ...server(), auth: { ...(server().auth as OAuth2AuthConfig), tokenUrl: url } },
      { options: OPTIONS },
    );
    const e = (await strategy.prepare().catch((x: unknown) => x)) as SentinelError;
    expect(e.code).toBe('AUTH_TRANSIENT');
    expect(e.message).toContain('could not reach');
    expect(e.message).toContain(url);
  });

  it('the backend receives nothing while no token can be had', async () => {
    as.setFault({ kind: 'status', status: 500 });
    const before = gate.requests.length;
    const strategy = strategyFor();
    const e = await strategy.fetch(gate.url, { method: 'POST', body: '{}' }).catch((x: unknown) => x);
    expect((e as SentinelError).code).toBe('AUTH_TRANSIENT');
    expect(gate.requests.length).toBe(before);
  });
});

describe('token endpoint and issuer URLs', () => {
  it.each([
    ['http://10.0.0.1/token', false],
    ['http://auth.example.com/token', false],
    ['ftp://auth.example.com/token', false],
    ['https://user:pw@auth.example.com/token', false],
    ['https://auth.example.com/token#x', false],
    ['not a url', false],
    ['https://auth.example.com/oauth/token', true],
    ['http://127.0.0.1:8080/token', true],
    ['http://[::1]:8080/token', true],
    ['http://localhost:8080/token', true],
  ])('tokenUrl %s accepted: %s', (tokenUrl, ok) => {
    for (const key of ['tokenUrl', 'issuer'] as const) {
      const issues = validateHttpServerAuth(
        resolved({
          type: 'sse',
          url: 'https://x.example/sse',
          auth: { type: 'oauth2', clientId: 'c', clientSecret: 's', [key]: tokenUrl },
        }),
        'mcpServers.x',
      );
      expect(issues.length === 0).toBe(ok);
      if (!ok) expect(issues[0]?.path).toBe(`mcpServers.x.auth.${key}`);
    }
  });

  it('reports every oauth2 problem at once', () => {
    const issues = validateHttpServerAuth(
      resolved({
        type: 'sse',
        url: 'https://x.example/sse',
        headers: { Authorization: 'Bearer x' },
        auth: {
          type: 'oauth2',
          clientId: '',
          clientSecret: '',
          scopes: ['ok', 'two words'],
          resource: 'https://x.example/mcp#frag',
        },
      }),
      'mcpServers.x',
    );
    expect(issues.map((i) => i.path)).toEqual([
      'mcpServers.x.headers.Authorization',
      'mcpServers.x.auth.clientId',
      'mcpServers.x.auth.clientSecret',
      'mcpServers.x.auth.scopes.1',
      'mcpServers.x.auth.resource',
    ]);
  });
});
