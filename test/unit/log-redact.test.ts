/** The log redactor: nested secrets, JSON-escaped forms, taking a registration back, and the level variable. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { redact, redactSecret } from '../../src/log.js';

const taken: (() => void)[] = [];
function register(value: string): () => void {
  const unregister = redactSecret(value);
  taken.push(unregister);
  return unregister;
}
afterEach(() => {
  for (const unregister of taken.splice(0)) unregister();
});

describe('redact', () => {
  it('replaces a secret that contains another one whole, whatever the order of registration', () => {
    register('abcd');
    register('xxabcdyy-long-secret');
    expect(redact('token=xxabcdyy-long-secret;')).toBe('token=[redacted];');
    expect(redact('short abcd')).toBe('short [redacted]');
  });

  it('replaces the JSON-escaped form of a secret with quotes or backslashes', () => {
    const secret = 'pa"ss\\word-42';
    register(secret);
    const json = JSON.stringify({ reason: `failed with ${secret}` });
    expect(json).not.toContain(secret);
    expect(redact(json)).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(redact(json)).toContain('[redacted]');
    expect(redact(`plain ${secret}`)).toBe('plain [redacted]');
  });

  it('takes a registration back, but keeps a value that is still registered elsewhere', () => {
    const first = register('token-one-1234');
    expect(redact('token-one-1234')).toBe('[redacted]');
    first();
    expect(redact('token-one-1234')).toBe('token-one-1234');

    const a = register('shared-5678');
    register('shared-5678');
    a();
    a(); // twice is once
    expect(redact('shared-5678')).toBe('[redacted]');
  });

  it('ignores short values and returns a harmless unregister for them', () => {
    const unregister = redactSecret('abc');
    expect(redact('abc')).toBe('abc');
    expect(() => unregister()).not.toThrow();
  });
});

describe('MCP_SENTINEL_LOG_LEVEL', () => {
  afterEach(() => {
    delete process.env.MCP_SENTINEL_LOG_LEVEL;
    vi.resetModules();
  });

  it('ignores names inherited from Object.prototype', async () => {
    for (const value of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      process.env.MCP_SENTINEL_LOG_LEVEL = value;
      vi.resetModules();
      const fresh = await import('../../src/log.js');
      expect(fresh.getLogLevel()).toBe('info');
    }
    process.env.MCP_SENTINEL_LOG_LEVEL = 'debug';
    vi.resetModules();
    expect((await import('../../src/log.js')).getLogLevel()).toBe('debug');
  });
});
