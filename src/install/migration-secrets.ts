/**
 * The keychain side of a migration: before install takes entries out of a host file, every literal value the
 * config reads from the keychain must be there (it is stored from the host file when it is missing), since
 * the backup keeps only the reference; `--remove` reads those values back. Never prints or returns a value
 * in a message.
 */
import { dirname } from 'node:path';
import { defaultGlobalConfigPath } from '../config/locate.js';
import { SentinelError } from '../errors.js';
import type { SecretStore } from '../secrets/index.js';
import type { ServedDuplicate } from './duplicates.js';
import type { SanitizedText } from './migrate.js';

/** Where migration records are kept: mcp-sentinel's own config directory. */
export function migrationStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return dirname(defaultGlobalConfigPath(env));
}

export function secretsOf(duplicates: ServedDuplicate[]): Record<string, string> {
  return Object.assign({}, ...duplicates.map((d) => d.secrets)) as Record<string, string>;
}

export interface SecretCheck {
  /** Stored now, from the host file. */
  stored: string[];
  /** In the keychain with another value than the host file's; --remove writes the keychain's. */
  differing: string[];
}

/** Makes sure each secret is in the store; stores the host file's value where it is missing. */
export async function ensureSecrets(
  store: SecretStore,
  secrets: Record<string, string>,
): Promise<SecretCheck> {
  const check: SecretCheck = { stored: [], differing: [] };
  for (const [name, value] of Object.entries(secrets)) {
    let current: string | undefined;
    try {
      current = await store.get(name);
      if (current === undefined) {
        await store.set(name, value);
        check.stored.push(name);
      } else if (current !== value) {
        check.differing.push(name);
      }
    } catch (error) {
      const reason = error instanceof SentinelError ? error.message : 'the keychain failed';
      throw new SentinelError('HOST_WRITE', `secret "${name}" could not be checked or stored: ${reason}`, {
        hint: 'nothing was written; fix the keychain (mcp-sentinel doctor), or install with --keep-entries to leave the host entries as they are',
        cause: error,
      });
    }
  }
  return check;
}

/** The values the sanitised copy refers to, from the store; throws naming the first one missing. */
export async function valuesFor(
  store: SecretStore,
  sanitized: SanitizedText,
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const { secret } of sanitized.placeholders) {
    if (secret in values) continue;
    const value = await store.get(secret);
    if (value === undefined) {
      throw new SentinelError(
        'SECRET_NOT_FOUND',
        `secret "${secret}" is not in the keychain, so the host entries cannot be put back with their value`,
        { hint: `nothing was changed; run: mcp-sentinel secrets set ${secret}, then --remove again` },
      );
    }
    values[secret] = value;
  }
  return values;
}
