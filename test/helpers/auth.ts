/**
 * Shared setup of the auth integration tests: short timeouts, a strategy with its own token cache (and,
 * when a test asks, its own clock and jitter), and the guard that no secret ever reaches the output.
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { HttpServerConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import { createAuthStrategy, TokenCache, type AuthOptions } from '../../src/auth/index.js';
import { captureOutput } from '../fixtures/auth-client.js';

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
  return createAuthStrategy(config, {
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
