/**
 * Shared setup of the auth integration tests: short timeouts, a strategy with its own token cache (and,
 * when a test asks, its own clock and jitter), the guard that no secret ever reaches the output, a server
 * that records what reaches another origin, and a proxy that holds requests to a token endpoint.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { HttpServerConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import { createAuthStrategy, TokenCache, type AuthOptions } from '../../src/auth/index.js';
import { captureOutput } from '../fixtures/auth-client.js';
import { resolved } from './resolved.js';

export const log = createLogger('test');

/** Timings short enough for tests, long enough for a loaded machine. */
export const FAST_AUTH: AuthOptions = {
  tokenTimeoutMs: 2_000,
  transientBackoffMs: 50,
  maxTransientBackoffMs: 200,
  permanentBackoffMs: 60_000,
};

export interface StrategyOptions {
  backend?: string;
  options?: AuthOptions;
  /** Clock for the strategy and its token cache. */
  now?: () => number;
  /** Jitter source of the token cache's backoff, in [0, 1). */
  random?: () => number;
}

/** The strategy for `config`, with a token cache of its own so that tests never share tokens. */
export function strategyFor(config: HttpServerConfig, settings: StrategyOptions = {}) {
  const options = settings.options ?? FAST_AUTH;
  return createAuthStrategy(resolved(config), {
    backend: settings.backend ?? 'jira',
    log,
    options,
    now: settings.now,
    tokenCache: new TokenCache({ ...options, now: settings.now, random: settings.random }),
  });
}

/**
 * Captures log and stderr output for the file and, after every test, checks that none of `secrets()` shows
 * up in it. Call at the top level of a test file.
 */
export function guardSecrets(secrets: () => Iterable<string>): { text(): string } {
  let output: ReturnType<typeof captureOutput> | undefined;
  beforeAll(() => {
    output = captureOutput();
  });
  afterAll(() => output?.stop());
  afterEach(() => {
    const text = output?.text() ?? '';
    for (const secret of secrets()) expect(text).not.toContain(secret);
  });
  return { text: () => output?.text() ?? '' };
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** An HTTP server on 127.0.0.1 (another origin than the backend) that records every request it gets. */
export async function startRecordingServer(): Promise<{
  origin: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}> {
  const requests: RecordedRequest[] = [];
  const http = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    requests,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/**
 * A pass-through proxy in front of `target` (an origin) that can hold requests: while held, requests are
 * taken in but not forwarded until `release()`. Lets a test show that something did not wait for them.
 */
export async function startHoldingProxy(target: string): Promise<{
  origin: string;
  /** Requests taken in and not forwarded yet. */
  waiting(): number;
  hold(): void;
  release(): void;
  close(): Promise<void>;
}> {
  let held: (() => void)[] | undefined;
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const forward = (): void => {
        const url = new URL(req.url ?? '/', target);
        const out = httpRequest(
          url,
          { method: req.method, headers: { ...req.headers, host: url.host } },
          (upstream) => {
            res.writeHead(upstream.statusCode ?? 502, upstream.headers);
            upstream.pipe(res);
          },
        );
        out.on('error', () => res.destroy());
        out.end(Buffer.concat(chunks));
      };
      if (held) held.push(forward);
      else forward();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const release = (): void => {
    const queued = held ?? [];
    held = undefined;
    for (const forward of queued) forward();
  };
  return {
    origin: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    waiting: () => held?.length ?? 0,
    hold: () => {
      held ??= [];
    },
    release,
    close: async () => {
      release();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
