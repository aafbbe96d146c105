/**
 * The secret store the rest of the program uses: MCP_SENTINEL_SECRET_<NAME> when that variable is set
 * (without touching the keychain, so containers and CI need none), the OS keychain otherwise.
 * set, delete and list always go to the keychain.
 */
import { secretFromEnv } from './env-fallback.js';
import { createKeychainStore } from './keychain.js';
import { assertSecretName, type SecretStore } from './store.js';

export type { SecretStore, SecretProbe } from './store.js';
export { assertSecretName, isValidSecretName } from './store.js';
export { envVarForSecret, secretFromEnv, createEnvSecretStore, ENV_SECRET_PREFIX } from './env-fallback.js';
export { createKeychainStore, keychainDescription, KEYCHAIN_SERVICE, toKeychainError } from './keychain.js';

export interface SecretStoreOptions {
  /** Where MCP_SENTINEL_SECRET_<NAME> is looked up; usually the result of loadEnvironment. */
  env: Record<string, string | undefined>;
  /** The keychain to use; defaults to the OS keychain. */
  keychain?: SecretStore;
}

export function createSecretStore(options: SecretStoreOptions): SecretStore {
  const keychain = options.keychain ?? createKeychainStore();
  const env = options.env;
  return {
    // Named after the keychain: that is where set/delete/list go; the env override is per name.
    description: keychain.description,
    async get(name) {
      assertSecretName(name);
      return secretFromEnv(env, name) ?? keychain.get(name);
    },
    set: (name, value) => keychain.set(name, value),
    delete: (name) => keychain.delete(name),
    list: () => keychain.list(),
    probe: () => keychain.probe(),
  };
}

/**
 * A store whose `get` asks the underlying one once per name and shares the answer (or the failure) with
 * every later caller: for one-shot runs such as `doctor`, where several checks resolve the same references
 * at the same time. Writes go through and forget the name.
 */
export function memoizeSecretStore(store: SecretStore): SecretStore {
  const reads = new Map<string, Promise<string | undefined>>();
  return {
    description: store.description,
    get(name) {
      let read = reads.get(name);
      if (!read) {
        read = store.get(name);
        reads.set(name, read);
      }
      return read;
    },
    async set(name, value) {
      reads.delete(name);
      await store.set(name, value);
    },
    async delete(name) {
      reads.delete(name);
      return store.delete(name);
    },
    list: () => store.list(),
    probe: () => store.probe(),
  };
}
