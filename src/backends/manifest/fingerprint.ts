/**
 * The key of a backend's cached manifest: a SHA-256 over everything that decides what the backend serves
 * (its launch spec with references resolved) and the mcp-sentinel version. Policy keys that only shape
 * what the host sees (prefix, tool filters, timeouts, start mode) are left out, so editing them keeps the
 * cache. Only the digest is ever stored: env names, values, headers and credentials go into the hash and
 * nowhere else, so a changed token or variable gives a new key without the value being written anywhere.
 */
import { createHash } from 'node:crypto';
import { isStdioServer, type ServerConfig } from '../../config/types.js';

/** Keys of a server entry that do not change what the backend itself serves. */
const POLICY_KEYS = new Set([
  'prefix',
  'tools',
  'timeoutMs',
  'disabled',
  'description',
  'start',
  'idleTimeoutMs',
  'allowSecretsInArgs',
]);

/**
 * `resolved` is the entry with its references resolved; `environment` holds sentinel's own environment,
 * from which a stdio entry's `inheritEnv` names take their values.
 */
export function launchFingerprint(
  resolved: ServerConfig,
  version: string,
  environment: Record<string, string | undefined> = {},
): string {
  const spec: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resolved)) if (!POLICY_KEYS.has(key)) spec[key] = value;
  if (isStdioServer(resolved)) {
    spec.type = 'stdio';
    spec.inheritEnv = (resolved.inheritEnv ?? []).map((name) => [name, environment[name] ?? null]);
  } else if (resolved.type === 'http') {
    spec.type = 'streamable-http';
  }
  return createHash('sha256')
    .update(canonicalJson({ format: 1, version, spec }))
    .digest('hex');
}

/** JSON with object keys sorted at every level: equal specs give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}
