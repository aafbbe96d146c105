/**
 * Whether the keychain tests run. They read and write a real Secret Service, so only the private, throwaway
 * one of scripts/with-keyring.sh (which sets MCP_SENTINEL_TEST_KEYRING=1) or CI, where they must never be
 * skipped, qualifies; a developer's desktop keyring is never touched just because a session bus exists.
 */
export const runKeychainTests = process.env.MCP_SENTINEL_TEST_KEYRING === '1' || Boolean(process.env.CI);

/** What `logout` deletes: a server's token, its record of how it signed in, and an identity-provider sign-in. */
const SIGN_IN_ENTRY = /^(token|server|idtoken)\./;

/**
 * A clean start for a sign-in test: deletes the sign-ins to `issuers` from the test keyring, as `logout`
 * would (dynamic registrations stay), without starting a CLI for it. Other files share the keyring, so only
 * these issuers' entries go.
 */
export async function forgetSignIns(...issuers: string[]): Promise<void> {
  const { Entry, findCredentials } = await import('@napi-rs/keyring');
  for (const { account, password } of findCredentials('mcp-sentinel-oauth')) {
    if (!SIGN_IN_ENTRY.test(account)) continue;
    let record: { issuer?: unknown };
    try {
      record = JSON.parse(password) as { issuer?: unknown };
    } catch {
      continue;
    }
    if (issuers.includes(record.issuer as string))
      new Entry('mcp-sentinel-oauth', account).deleteCredential();
  }
}
