/**
 * The SecretStore seam: what the resolver and the `secrets` command need from wherever secrets live.
 * Implementations: the OS keychain (keychain.ts), the read-only environment fallback (env-fallback.ts) and
 * their combination (index.ts). The secret-name rule itself is name.ts, shared with the reference grammar.
 *
 * Every method rejects only with a SentinelError, and never with the value in it.
 */
import { SentinelError } from '../errors.js';
import { SECRET_NAME } from './name.js';

export interface SecretProbe {
  ok: boolean;
  /** Human name of the store that was checked, e.g. "Secret Service (D-Bus)". */
  store: string;
  error?: SentinelError;
}

export interface SecretStore {
  /** Where secrets are kept, for messages, e.g. "OS keychain (Secret Service)". */
  readonly description: string;
  /** The value, or undefined when there is no such secret. */
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  /** True when something was deleted, false when there was nothing to delete. */
  delete(name: string): Promise<boolean>;
  /** Names only, sorted. */
  list(): Promise<string[]>;
  /** Checks that the store answers, without reading any secret. Never rejects. */
  probe(): Promise<SecretProbe>;
}

export function isValidSecretName(name: string): boolean {
  return typeof name === 'string' && SECRET_NAME.test(name);
}

export function assertSecretName(name: string): void {
  if (isValidSecretName(name)) return;
  // The rejected text is not echoed: a value pasted in place of a name must not end up in a terminal log.
  throw new SentinelError('SECRET_INVALID_NAME', 'invalid secret name', {
    hint: 'secret names are 1-128 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit (e.g. github-pat)',
  });
}
