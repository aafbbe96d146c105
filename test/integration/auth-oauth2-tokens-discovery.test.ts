/**
 * The oauth2 strategy against small real HTTP servers on 127.0.0.1: a token endpoint that hands out
 * numbered tokens, metadata endpoints, and a backend that records what it was sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuthStrategy, TokenCache } from '../../src/auth/index.js';
import type { HttpServerConfig } from '../../src/config/types.js';
import { createLogger, redact } from '../../src/log.js';
import { resolved } from '../helpers/resolved.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
    ),
  );
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => void handler(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const log = createLogger('test');
const SECRET = `CANARY-${randomUUID()}`;

describe('oauth2 tokens and the redactor', () => {
  it('takes a replaced access token out of the redactor and keeps the current one in', async () => {
    const issued: string[] = [];
    const tokenUrl = `${await serve((_req, res) => {
      const token = `tok-${issued.length + 1}-${randomUUID()}`;
      issued.push(token);
      json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 300 });
    })}/token`;
    const backend = await serve((_req, res) => json(res, 200, {}));
    let clock = Date.now();
    const config: HttpServerConfig = {
      type: 'streamable-http',
      url: `${backend}/mcp`,
      auth: { type: 'oauth2', tokenUrl, clientId: 'c', clientSecret: SECRET },
    };
    const strategy = createAuthStrategy(resolved(config), {
      backend: 'jira',
      log,
      now: () => clock,
      tokenCache: new TokenCache({ now: () => clock }),
    });
    await strategy.prepare();
    expect(issued).toHaveLength(1);
    expect(redact(issued[0]!)).toBe('[redacted]');

    clock += 301_000; // past expiry: the next request gets a new token first
    const response = await strategy.fetch(`${backend}/mcp`, { method: 'POST', body: '{}' });
    await response.body?.cancel();
    expect(issued).toHaveLength(2);
    expect(redact(issued[1]!)).toBe('[redacted]');
    expect(redact(issued[0]!)).toBe(issued[0]);
    expect(redact(SECRET)).toBe('[redacted]');
  });
});

describe('oauth2 endpoint discovery', () => {
  /** An authorization server whose metadata answers after `delayMs`, or fails with `status`. */
  async function issuerServer(opts: { delayMs?: number; status?: number }) {
    let metadataRequests = 0;
    const url: string = await serve(async (req, res) => {
      if (req.url?.startsWith('/.well-known/')) {
        metadataRequests += 1;
        await new Promise((resolve) => setTimeout(resolve, opts.delayMs ?? 0));
        if (opts.status) return json(res, opts.status, {});
        return json(res, 200, { issuer: url, token_endpoint: `${url}/token` });
      }
      if (req.url === '/token') {
        return json(res, 200, { access_token: `tok-${randomUUID()}`, token_type: 'Bearer', expires_in: 300 });
      }
      json(res, 404, {});
    });
    return { url, requests: () => metadataRequests };
  }

  function strategyFor(issuer: string, backend: string) {
    return createAuthStrategy(
      resolved({
        type: 'streamable-http',
        url: `${backend}/mcp`,
        auth: { type: 'oauth2', issuer, clientId: 'c', clientSecret: SECRET },
      }),
      {
        backend: 'jira',
        log,
        tokenCache: new TokenCache(),
        options: { transientBackoffMs: 60_000, maxTransientBackoffMs: 60_000 },
      },
    );
  }

  it('one caller giving up does not fail the others waiting for the same discovery', async () => {
    const as = await issuerServer({ delayMs: 300 });
    const backend = await serve((_req, res) => json(res, 200, {}));
    const strategy = strategyFor(as.url, backend);
    const impatient = new AbortController();
    const first = strategy.prepare(impatient.signal);
    const second = strategy.prepare();
    setTimeout(() => impatient.abort(new Error('caller gave up')), 50);
    await expect(first).rejects.toThrow('caller gave up');
    await expect(second).resolves.toBeUndefined();
    expect(as.requests()).toBe(1);
    expect(strategy.describe()).toMatchObject({ tokenEndpoint: `${as.url}/token`, endpointSource: 'issuer' });
  });

  it('does not discover again on every call right after a failed discovery', async () => {
    const as = await issuerServer({ status: 503 });
    const backend = await serve((_req, res) => json(res, 200, {}));
    const strategy = strategyFor(as.url, backend);
    await expect(strategy.prepare()).rejects.toMatchObject({ code: 'AUTH_TRANSIENT' });
    const after = as.requests();
    for (let i = 0; i < 5; i++)
      await expect(strategy.prepare()).rejects.toMatchObject({ code: 'AUTH_TRANSIENT' });
    expect(as.requests()).toBe(after);
  });
});
