/**
 * Static credentials and per-server headers against a real MCP backend on 127.0.0.1: present on every
 * request of both SDK transports (the closing DELETE included), invalid values refused before any request
 * with errors that name the header and never the value, and redirects never followed.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpServerConfig } from '../../src/config/types.js';
import { SentinelError } from '../../src/errors.js';
import { createAuthStrategy, validateHttpServerAuth } from '../../src/auth/index.js';
import { startAuthGate, startCountingServer, type AuthGate } from '../fixtures/auth-gate.js';
import { connectClient, errorText, type TransportKind } from '../fixtures/auth-client.js';
import { guardSecrets, log, startRecordingServer, strategyFor } from '../helpers/auth.js';
import { resolved } from '../helpers/resolved.js';

const API_KEY = `CANARY-static-${randomUUID()}`;
let gate: AuthGate;
guardSecrets(() => [API_KEY]);

beforeAll(async () => {
  gate = await startAuthGate({ authorize: (req) => req.headers['x-api-key'] === API_KEY });
});
afterAll(async () => {
  await gate?.close();
});

function server(
  type: 'sse' | 'streamable-http',
  url: string,
  extra: Partial<HttpServerConfig> = {},
): HttpServerConfig {
  return {
    type,
    url,
    headers: { 'X-Tenant': 'acme' },
    auth: { type: 'static', headers: { 'X-Api-Key': API_KEY } },
    ...extra,
  };
}

describe.each<[TransportKind, () => string]>([
  ['streamable-http', () => gate.url],
  ['sse', () => gate.sseUrl],
])('static headers over %s', (kind, url) => {
  it('are sent on every request, and the backend accepts them all', async () => {
    const before = gate.requests.length;
    const strategy = strategyFor(server(kind, url()), { backend: 'search' });
    await strategy.prepare();
    const connected = await connectClient(kind, url(), strategy.fetch);
    try {
      const result = await connected.client.callTool({ name: 'echo', arguments: { text: 'hi' } });
      expect(result.content).toEqual([{ type: 'text', text: 'hi' }]);
      await connected.client.listTools();
      if (kind === 'streamable-http') {
        await (connected.transport as { terminateSession(): Promise<void> }).terminateSession();
      }
    } finally {
      await connected.close();
    }
    const seen = gate.requests.slice(before);
    const methods = new Set(seen.map((r) => r.method));
    expect(methods.has('POST')).toBe(true);
    expect(methods.has('GET')).toBe(true);
    if (kind === 'streamable-http') expect(methods.has('DELETE')).toBe(true);
    for (const request of seen) {
      expect(request.headers['x-api-key']).toBe(API_KEY);
      expect(request.headers['x-tenant']).toBe('acme');
      expect(request.rejectedWith).toBe(0);
    }
    expect(strategy.describe()).toEqual({
      type: 'static',
      headers: ['X-Tenant'],
      credentialHeaders: ['X-Api-Key'],
    });
    expect(JSON.stringify(strategy.describe())).not.toContain(API_KEY);
  });
});

describe('invalid header configuration', () => {
  it.each([
    ['CR LF', `${API_KEY}\r\nX-Injected: 1`],
    ['bare LF', `${API_KEY}\n`],
    ['bare CR', `${API_KEY}\r`],
    ['NUL', `${API_KEY}\0`],
    ['control character', `${API_KEY}\x01`],
    ['DEL', `${API_KEY}\x7f`],
    ['leading space', ` ${API_KEY}`],
    ['trailing tab', `${API_KEY}\t`],
    ['character above U+00FF', `${API_KEY}ʊ`],
    ['empty value', ''],
    ['10 000 characters', `${API_KEY}${'x'.repeat(10_000)}`],
  ])('refuses a value with %s, naming the header and never the value', (_label, value) => {
    const before = gate.requests.length;
    let caught: unknown;
    try {
      createAuthStrategy(
        resolved({
          type: 'streamable-http',
          url: gate.url,
          auth: { type: 'static', headers: { 'X-Api-Key': value } },
        }),
        { backend: 'search', log },
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SentinelError);
    const error = caught as SentinelError;
    expect(error.code).toBe('HEADER_INVALID');
    expect(error.message).toContain('search');
    expect(error.issues[0]?.path).toBe('mcpServers.search.auth.headers.X-Api-Key');
    expect(error.issues[0]?.message).toContain('X-Api-Key');
    expect(errorText(error)).not.toContain(API_KEY);
    expect(gate.requests.length).toBe(before);
  });

  it.each([
    'Host',
    'connection',
    'KEEP-ALIVE',
    'Te',
    'trailer',
    'Upgrade',
    'Transfer-Encoding',
    'content-length',
    'Content-Type',
    'accept',
    'Proxy-Authorization',
    'proxy-anything',
    'Forwarded',
    'X-Forwarded-For',
    'x-forwarded-host',
    'Mcp-Session-Id',
    'mcp-protocol-version',
    'LAST-EVENT-ID',
  ])('refuses the reserved header %s in headers and auth.headers', (name) => {
    for (const where of ['headers', 'auth'] as const) {
      const config: HttpServerConfig =
        where === 'headers'
          ? { type: 'streamable-http', url: gate.url, headers: { [name]: 'v' } }
          : { type: 'streamable-http', url: gate.url, auth: { type: 'static', headers: { [name]: 'v' } } };
      const issues = validateHttpServerAuth(resolved(config), 'mcpServers.x');
      expect(issues).toHaveLength(1);
      expect(issues[0]?.message).toContain('reserved');
    }
  });

  it('refuses Authorization on an oauth2 backend but allows it on a static one', () => {
    const oauth: HttpServerConfig = {
      type: 'streamable-http',
      url: gate.url,
      headers: { authorization: 'Bearer x' },
      auth: { type: 'oauth2', tokenUrl: 'https://as.example/token', clientId: 'c', clientSecret: 's' },
    };
    expect(validateHttpServerAuth(resolved(oauth), 'mcpServers.x').map((i) => i.path)).toEqual([
      'mcpServers.x.headers.authorization',
    ]);
    const staticOne: HttpServerConfig = {
      type: 'sse',
      url: gate.sseUrl,
      auth: { type: 'static', headers: { Authorization: 'Bearer x' } },
    };
    expect(validateHttpServerAuth(resolved(staticOne), 'mcpServers.x')).toEqual([]);
  });

  it('refuses the same header in headers and auth.headers, whatever the letter case', () => {
    const config: HttpServerConfig = {
      type: 'sse',
      url: gate.sseUrl,
      headers: { 'x-api-key': 'a' },
      auth: { type: 'static', headers: { 'X-API-KEY': 'b' } },
    };
    const issues = validateHttpServerAuth(resolved(config), 'mcpServers.search');
    expect(issues.map((i) => i.path)).toEqual(['mcpServers.search.auth.headers.X-API-KEY']);
    expect(issues[0]?.message).toContain('mcpServers.search.headers.x-api-key');
  });

  it('refuses header names that are not tokens', () => {
    for (const name of ['X Api', 'X:Api', '', 'Ä', 'x'.repeat(300)]) {
      const issues = validateHttpServerAuth(
        resolved({ type: 'sse', url: gate.sseUrl, headers: { [name]: 'v' } }),
        'mcpServers.s',
      );
      expect(issues).toHaveLength(1);
    }
  });

  it('accepts a tab inside a value and Latin-1 text', () => {
    const issues = validateHttpServerAuth(
      resolved({ type: 'sse', url: gate.sseUrl, headers: { 'X-A': 'a\tb', 'X-B': 'sécret' } }),
      'p',
    );
    expect(issues).toEqual([]);
  });
});

describe('redirects', () => {
  it.each<[TransportKind, () => string]>([
    ['streamable-http', () => gate.url],
    ['sse', () => gate.sseUrl],
  ])(
    'a 307 to another origin is not followed over %s and the other origin sees nothing',
    async (kind, url) => {
      const other = await startCountingServer();
      gate.redirectTo(`${other.origin}/steal`);
      try {
        const strategy = strategyFor(server(kind, url()), { backend: 'search' });
        const error = await connectClient(kind, url(), strategy.fetch).then(
          async (c) => {
            await c.close();
            return undefined;
          },
          (e: unknown) => e,
        );
        expect(error).toBeDefined();
        const text = errorText(error);
        expect(text).toContain('307');
        expect(text).toContain(other.origin);
        expect(text).not.toContain(API_KEY);
        if (kind === 'streamable-http') expect((error as SentinelError).code).toBe('AUTH_REDIRECT');
        expect(other.count()).toBe(0);
      } finally {
        gate.redirectTo(undefined);
        await other.close();
      }
    },
  );
});

describe('credentials stay with their origin', () => {
  it('a request to another origin through the strategy carries no configured header', async () => {
    const other = await startRecordingServer();
    try {
      const strategy = strategyFor(server('streamable-http', gate.url), { backend: 'search' });
      const response = await strategy.fetch(`${other.origin}/x`, {
        method: 'GET',
        headers: { 'x-host-header': 'kept' },
      });
      await response.text();
      expect(other.requests).toHaveLength(1);
      const headers = other.requests[0]!.headers;
      // The request itself went through unchanged; none of the configured headers came along.
      expect(headers['x-host-header']).toBe('kept');
      for (const name of ['x-api-key', 'x-tenant', 'authorization'])
        expect(headers[name], name).toBeUndefined();
      expect(JSON.stringify(headers)).not.toContain(API_KEY);
      // Another origin of the same host (localhost instead of 127.0.0.1) gets nothing either.
      const before = gate.requests.length;
      await (await strategy.fetch(gate.url.replace('127.0.0.1', 'localhost'), { method: 'GET' })).text();
      expect(gate.requests.slice(before)[0]?.headers['x-api-key']).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('drops credential headers that did not come from the configuration (no passthrough)', async () => {
    const strategy = strategyFor(
      { type: 'streamable-http', url: gate.url, auth: { type: 'none' } },
      { backend: 'public' },
    );
    const before = gate.requests.length;
    const response = await strategy.fetch(gate.url, {
      method: 'GET',
      headers: { authorization: 'Bearer host-token', cookie: 'a=b', accept: 'text/event-stream' },
    });
    await response.body?.cancel();
    const seen = gate.requests.slice(before)[0];
    expect(seen?.headers.authorization).toBeUndefined();
    expect(seen?.headers.cookie).toBeUndefined();
    expect(response.status).toBe(401);
  });
});
