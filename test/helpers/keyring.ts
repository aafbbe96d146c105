/**
 * Whether the keychain tests run. They read and write a real Secret Service, so only the private, throwaway
 * one of scripts/with-keyring.sh (which sets MCP_SENTINEL_TEST_KEYRING=1) or CI, where they must never be
 * skipped, qualifies; a developer's desktop keyring is never touched just because a session bus exists.
 */
export const runKeychainTests = process.env.MCP_SENTINEL_TEST_KEYRING === '1' || Boolean(process.env.CI);
