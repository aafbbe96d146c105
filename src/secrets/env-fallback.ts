/**
 * Read-only secrets from the environment, for containers and CI where there is no keychain:
 * secret `github-pat` is read from MCP_SENTINEL_SECRET_GITHUB_PAT (upper-cased; every character other than
 * A-Z and 0-9 becomes `_`). An empty variable counts as unset, as `FOO=` in a compose file usually means
 * "not configured". Writing always goes to the keychain, so set/delete refuse here.
 */
import { SentinelError } from '../errors.js';
import { assertSecretName, type SecretStore } from './store.js';

export const ENV_SECRET_PREFIX = 'MCP_SENTINEL_SECRET_';

export function envVarForSecret(name: string): string {
  return ENV_SECRET_PREFIX + name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** The value the environment supplies for a secret, or undefined. */
export function secretFromEnv(env: Record<string, string | undefined>, name: string): string | undefined {
  const variable = envVarForSecret(name);
  const value = Object.hasOwn(env, variable) ? env[variable] : undefined;
  return value === undefined || value === '' ? undefined : value;
}

export function createEnvSecretStore(env: Record<string, string | undefined>): SecretStore {
  const readOnly = (name: string): SentinelError =>
    new SentinelError('USAGE', `secrets from the environment are read-only (${envVarForSecret(name)})`, {
      hint: 'change the environment variable, or store the secret in the keychain with: mcp-sentinel secrets set NAME',
    });
  return {
    description: `environment (${ENV_SECRET_PREFIX}<NAME>)`,
    async get(name) {
      assertSecretName(name);
      return secretFromEnv(env, name);
    },
    async set(name) {
      assertSecretName(name);
      throw readOnly(name);
    },
    async delete(name) {
      assertSecretName(name);
      throw readOnly(name);
    },
    // Names cannot be recovered from variable names (case and punctuation are lost), so there is no listing.
    async list() {
      return [];
    },
    async probe() {
      return { ok: true, store: this.description };
    },
  };
}
