/** Keychain failures name the environment variable that can stand in for the very secret asked for. */
import { describe, expect, it } from 'vitest';

describe('the keychain fallback hint', () => {
  it('names the variable of the secret it was about', async () => {
    const { toKeychainError } = await import('../../src/secrets/keychain.js');
    const error = toKeychainError(new Error('failed to connect to bus'), 'read secret "not-there"', 'linux');
    expect(error.hint).toContain('MCP_SENTINEL_SECRET_NOT_THERE');
    expect(error.hint).not.toContain('<NAME>');
  });
});
