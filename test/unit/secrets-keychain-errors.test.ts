/**
 * How native keychain failures become typed errors. The texts are the ones @napi-rs/keyring 2.1.2 produced
 * on Linux in each situation (no bus, no provider, locked, hung); the real keychain paths are exercised in
 * test/keychain.
 */
import { describe, expect, it, vi } from 'vitest';
import { SentinelError } from '../../src/errors.js';
import { toKeychainError, withTimeout } from '../../src/secrets/keychain.js';
import { assertSecretName, isValidSecretName } from '../../src/secrets/store.js';
import { createEnvSecretStore } from '../../src/secrets/env-fallback.js';

describe('toKeychainError', () => {
  const cases: [string, string, RegExp][] = [
    [
      'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead',
      'KEYCHAIN_UNAVAILABLE',
      /no D-Bus session bus/,
    ],
    [
      'zbus error: Failed to connect to address `unix:path=/run/user/0/bus`: No such file or directory (os error 2)',
      'KEYCHAIN_UNAVAILABLE',
      /no D-Bus session bus/,
    ],
    [
      'Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files',
      'KEYCHAIN_UNAVAILABLE',
      /no Secret Service provider/,
    ],
    [
      "Couldn't access platform storage: Secret Service: unlock prompt was dismissed",
      'KEYCHAIN_LOCKED',
      /locked/,
    ],
    [
      'zbus error: org.freedesktop.Secret.Error.IsLocked: Cannot get secret of a locked object',
      'KEYCHAIN_LOCKED',
      /locked/,
    ],
    [
      "Couldn't access platform storage: Secret Service: no result found",
      'KEYCHAIN_LOCKED',
      /no default keyring/,
    ],
    ['Platform failure: DBus error: Did not receive a reply.', 'KEYCHAIN_TIMEOUT', /did not answer/],
    ['Entry is matched by 2 credentials: Ambiguous', 'KEYCHAIN_UNAVAILABLE', /several keychain items/],
    ['something new and strange: s3cr3t-bytes', 'KEYCHAIN_UNAVAILABLE', /Secret Service failed/],
  ];
  it.each(cases)('%s', (native, code, message) => {
    const error = toKeychainError(new Error(native), 'read secret "x"', 'linux');
    expect(error).toBeInstanceOf(SentinelError);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.hint).toBeTruthy();
    // The native text is classified, never passed on.
    expect(error.message + error.hint).not.toContain('s3cr3t');
    expect(error.message).not.toContain(native);
    expect(error.cause).toBeUndefined();
  });

  it('names the platform store elsewhere', () => {
    expect(toKeychainError(new Error('Platform failure'), 'x', 'darwin').message).toMatch(/macOS Keychain/);
    expect(toKeychainError(new Error('Platform failure'), 'x', 'win32').message).toMatch(
      /Windows Credential Manager/,
    );
  });
});

describe('withTimeout', () => {
  it('gives up on a keychain that never answers, and aborts the call', async () => {
    let signal: AbortSignal | undefined;
    const started = Date.now();
    const never = (s: AbortSignal): Promise<string> => {
      signal = s;
      return new Promise(() => undefined);
    };
    await expect(withTimeout('read secret "x"', never, 50, 'linux')).rejects.toMatchObject({
      code: 'KEYCHAIN_TIMEOUT',
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(signal?.aborted).toBe(true);
  });

  it('returns a prompt answer and leaves no timer behind', async () => {
    vi.useFakeTimers();
    try {
      let answer: (value: string) => void = () => undefined;
      const pending = withTimeout('x', () => new Promise<string>((r) => (answer = r)), 10_000, 'linux');
      expect(vi.getTimerCount()).toBe(1); // the deadline, while the keychain has not answered
      answer('ok');
      await expect(pending).resolves.toBe('ok');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('leaves no timer behind when the keychain call fails', async () => {
    vi.useFakeTimers();
    try {
      const failing = async (): Promise<string> => {
        throw new Error('Platform failure: DBus error: Did not receive a reply.');
      };
      await expect(withTimeout('x', failing, 10_000, 'linux')).rejects.toMatchObject({
        code: 'KEYCHAIN_TIMEOUT',
      });
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('secret names and the env store', () => {
  it.each(['a', 'github-pat', 'A.b_c-9', 'x'.repeat(128)])('accepts %j', (name) => {
    expect(isValidSecretName(name)).toBe(true);
    expect(() => assertSecretName(name)).not.toThrow();
  });
  it.each(['', '-a', '.a', '_a', 'a b', 'a/b', 'a:b', 'x'.repeat(129), 'é'])('refuses %j', (name) => {
    expect(isValidSecretName(name)).toBe(false);
    expect(() => assertSecretName(name)).toThrow(
      expect.objectContaining({ code: 'SECRET_INVALID_NAME', exitCode: 2 }),
    );
  });

  it('reads MCP_SENTINEL_SECRET_<NAME>, treats empty as unset and refuses writes', async () => {
    const store = createEnvSecretStore({ MCP_SENTINEL_SECRET_GH_PAT: 'v1', MCP_SENTINEL_SECRET_EMPTY: '' });
    expect(await store.get('gh-pat')).toBe('v1');
    expect(await store.get('gh.pat')).toBe('v1');
    expect(await store.get('empty')).toBeUndefined();
    expect(await store.get('other')).toBeUndefined();
    await expect(store.set('gh-pat', 'x')).rejects.toMatchObject({ code: 'USAGE' });
    await expect(store.delete('gh-pat')).rejects.toMatchObject({ code: 'USAGE' });
  });
});
