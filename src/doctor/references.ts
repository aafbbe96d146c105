/**
 * References and the keychain: for every `$VAR` and `secret:NAME` of the checked servers, whether it
 * resolves and from where; and whether the keychain answers. Reports names and key paths only: values are
 * looked up to know that they exist, then dropped (and registered with the log redactor by the resolver).
 */
import type { ServerConfig } from '../config/types.js';
import { listServerReferences } from '../refs/fields.js';
import { resolveServerRefs } from '../refs/resolve.js';
import { secretFromEnv, envVarForSecret, type SecretStore } from '../secrets/index.js';
import type { KeychainSection, ReferenceResult } from './report.js';

export interface ServerReferences {
  results: ReferenceResult[];
  /** The entry with references resolved, when all of them resolve. */
  resolved?: ServerConfig;
}

export async function checkServerReferences(
  name: string,
  server: ServerConfig,
  env: Record<string, string | undefined>,
  secrets: SecretStore,
): Promise<ServerReferences> {
  const base = `mcpServers.${name}`;
  const located = listServerReferences(server, base);
  const resolution = await resolveServerRefs(server, base, { env, secrets });
  const issues = [...resolution.issues];
  const results: ReferenceResult[] = [];
  const seen = new Set<string>();

  for (const { path, ref } of located) {
    const key = `${path}\0${ref.kind}\0${ref.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const label = ref.kind === 'secret' ? `secret "${ref.name}"` : `environment variable ${ref.name}`;
    const index = issues.findIndex(
      (issue) =>
        issue.path === path && issue.message.includes(ref.kind === 'secret' ? `"${ref.name}"` : ref.name),
    );
    if (index !== -1) {
      const [issue] = issues.splice(index, 1);
      results.push({
        server: name,
        path,
        kind: ref.kind,
        name: ref.name,
        status: 'fail',
        reason: issue!.message,
        hint: issue!.hint,
      });
      continue;
    }
    if (ref.kind === 'env') {
      const value = Object.hasOwn(env, ref.name) ? env[ref.name] : undefined;
      const set = typeof value === 'string' && value !== '';
      results.push({
        server: name,
        path,
        kind: 'env',
        name: ref.name,
        status: 'ok',
        source: set || !ref.hasFallback ? 'environment' : 'default',
        reason: set || !ref.hasFallback ? `${label} is set` : `${label} is not set; its default is used`,
      });
    } else {
      const fromEnv = secretFromEnv(env, ref.name) !== undefined;
      results.push({
        server: name,
        path,
        kind: 'secret',
        name: ref.name,
        status: 'ok',
        source: fromEnv ? 'environment' : 'keychain',
        reason: fromEnv ? `${label} comes from ${envVarForSecret(ref.name)}` : `${label} is in the keychain`,
      });
    }
  }
  // Whatever is left is not about one reference: a syntax error, or a secret refused in args.
  for (const issue of issues) {
    results.push({
      server: name,
      path: issue.path,
      kind: 'syntax',
      status: 'fail',
      reason: issue.message,
      hint: issue.hint,
    });
  }
  return { results, resolved: resolution.server };
}

/** Whether the keychain answers, and how much that matters for this config. */
export async function checkKeychain(
  secrets: SecretStore,
  servers: [string, ServerConfig][],
  env: Record<string, string | undefined>,
): Promise<KeychainSection> {
  const names = new Set<string>();
  for (const [name, server] of servers) {
    for (const { ref } of listServerReferences(server, `mcpServers.${name}`))
      if (ref.kind === 'secret') names.add(ref.name);
  }
  const fromKeychain = [...names].filter((name) => secretFromEnv(env, name) === undefined);
  const probe = await secrets.probe();
  if (probe.ok) {
    return {
      store: probe.store,
      needed: names.size > 0,
      status: 'ok',
      reason: `${probe.store} is reachable and unlocked`,
    };
  }
  const error = probe.error;
  const reason = error?.message ?? `${probe.store} is not reachable`;
  if (fromKeychain.length === 0) {
    return {
      store: probe.store,
      needed: names.size > 0,
      status: 'warn',
      reason: `${reason}; no checked server needs it`,
      hint: error?.hint,
    };
  }
  return {
    store: probe.store,
    needed: true,
    status: 'fail',
    reason: `${reason}; needed for ${fromKeychain.map((n) => `"${n}"`).join(', ')}`,
    hint: error?.hint,
  };
}
