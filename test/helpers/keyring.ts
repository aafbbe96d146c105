/**
 * Whether the keychain tests run. They read and write a real Secret Service, so only the private, throwaway
 * one of scripts/with-keyring.sh (which sets MCP_SENTINEL_TEST_KEYRING=1) or CI, where they must never be
 * skipped, qualifies; a developer's desktop keyring is never touched just because a session bus exists.
 */
export const runKeychainTests = process.env.MCP_SENTINEL_TEST_KEYRING === '1' || Boolean(process.env.CI);

/** The keychain service the sign-in entries are kept under (src/auth/signin/store.ts). */
const SIGN_IN_SERVICE = 'mcp-sentinel-oauth';

/**
 * Every sign-in entry in the test keyring, with its secret. Listing reads each item in turn, and another
 * file sharing the keyring may delete one of its own meanwhile (a logout): the listing then fails, and is
 * made again.
 */
export async function signInEntries(): Promise<{ account: string; password: string }[]> {
  const { findCredentials } = await import('@napi-rs/keyring');
  for (let attempt = 1; ; attempt++) {
    try {
      return findCredentials(SIGN_IN_SERVICE);
    } catch (error) {
      if (attempt === 5) throw error;
    }
  }
}

/** What `logout` deletes: a server's token, its record of how it signed in, and an identity-provider sign-in. */
const SIGN_IN_ENTRY = /^(token|server|idtoken)\./;

/**
 * A clean start for a sign-in test: deletes the sign-ins to `issuers` from the test keyring, as `logout`
 * would (dynamic registrations stay), without starting a CLI for it. Other files share the keyring, so only
 * these issuers' entries go.
 */
export async function forgetSignIns(...issuers: string[]): Promise<void> {
  const { Entry } = await import('@napi-rs/keyring');
  for (const { account, password } of await signInEntries()) {
    if (!SIGN_IN_ENTRY.test(account)) continue;
    let record: { issuer?: unknown };
    try {
      record = JSON.parse(password) as { issuer?: unknown };
    } catch {
      continue;
    }
    if (issuers.includes(record.issuer as string)) new Entry(SIGN_IN_SERVICE, account).deleteCredential();
  }
}
