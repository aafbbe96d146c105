/**
 * Resolves the references of one server entry into a copy of it with plain strings. It collects: every
 * syntax error, unset variable, missing secret and keychain failure of the entry comes back at once as an
 * issue with its key path and a hint, and the entry is returned only when there is none. An unresolved
 * reference never turns into empty text.
 *
 * Secrets are fetched once per name, all at the same time. Every resolved secret is registered with the
 * log redactor, and so is every environment value substituted into a header, into auth's credentials or
 * into an env variable whose name says it is a credential. Messages name variables and secrets, never their
 * values.
 */
import { isCredentialField } from '../config/credential-fields.js';
import type { ResolvedServerConfig, ServerConfig } from '../config/types.js';
import { SentinelError, type Issue } from '../errors.js';
import { isCredentialName } from './credentials.js';
import { createLogger, redactSecret } from '../log.js';
import type { SecretStore } from '../secrets/store.js';
import { refFields, type RefField } from './fields.js';
import { tryParseValue, type Segment } from './parse.js';

export interface ResolveContext {
  env: Record<string, string | undefined>;
  secrets: SecretStore;
}

export interface ResolvedServer {
  /** The entry with every reference replaced; absent when there are issues. */
  server?: ResolvedServerConfig;
  issues: Issue[];
  /** Secret names the entry references (sorted, unique), resolved or not. */
  secretNames: string[];
  /** Environment variable names the entry references (sorted, unique), resolved or not. */
  envNames: string[];
}

type SecretLookup = { ok: true; value: string | undefined } | { ok: false; error: SentinelError };

const log = createLogger('refs');

/** `path` is the entry's own dot path, e.g. `mcpServers.github`; issue paths extend it. */
export async function resolveServerRefs(
  server: ServerConfig,
  path: string,
  ctx: ResolveContext,
): Promise<ResolvedServer> {
  const copy = structuredClone(server);
  const allowSecretsInArgs = 'allowSecretsInArgs' in copy && copy.allowSecretsInArgs === true;
  const issues: Issue[] = [];
  const parsed: { field: RefField; segments: Segment[] }[] = [];
  const secretNames = new Set<string>();
  const envNames = new Set<string>();
  let warnedArgs = false;

  for (const field of refFields(copy, path)) {
    const result = tryParseValue(field.value, field.path);
    if (!result.ok) {
      issues.push(result.issue);
      continue;
    }
    const { segments } = result.value;
    let refused = false;
    for (const segment of segments) {
      if (segment.kind === 'env') envNames.add(segment.name);
      if (segment.kind !== 'secret') continue;
      secretNames.add(segment.name);
      if (!field.inArgs) continue;
      if (allowSecretsInArgs) {
        if (!warnedArgs) {
          log.warn(
            `${path}: secrets in args are visible to other local users in the process list; prefer env`,
          );
          warnedArgs = true;
        }
      } else {
        refused = true;
        issues.push({
          path: field.path,
          message: `secret "${segment.name}" in args would be visible to other local users in the process list`,
          hint: 'pass it through env instead (e.g. "env": {"TOKEN": "secret:NAME"}), or set "allowSecretsInArgs": true',
        });
      }
    }
    if (!refused) parsed.push({ field, segments });
  }

  const wanted = new Set(
    parsed.flatMap(({ segments }) => segments.flatMap((s) => (s.kind === 'secret' ? [s.name] : []))),
  );
  const secrets = await lookupSecrets([...wanted], ctx.secrets);

  for (const { field, segments } of parsed) {
    const credential = holdsCredential(field.path.slice(path.length));
    let out = '';
    let complete = true;
    for (const segment of segments) {
      const piece = resolveSegment(segment, field.path, ctx.env, secrets, issues);
      if (piece === undefined) complete = false;
      else {
        if (credential && segment.kind === 'env') redactSecret(piece);
        out += piece;
      }
    }
    if (complete) field.set(out);
  }

  return {
    // The one place a resolved entry is made: every reference of `copy` was replaced above.
    server: issues.length === 0 ? (copy as ResolvedServerConfig) : undefined,
    issues,
    secretNames: [...secretNames].sort(),
    envNames: [...envNames].sort(),
  };
}

/**
 * Whether the field at `relative` (e.g. `.headers.Authorization`, `.env.API_TOKEN`) carries a credential:
 * the schema's credential fields, and env variables whose name says so.
 */
function holdsCredential(relative: string): boolean {
  const parts = relative.split('.').slice(1);
  if (parts[0] === 'env') return parts[1] !== undefined && isCredentialName(parts[1]);
  return isCredentialField(parts);
}

function resolveSegment(
  segment: Segment,
  path: string,
  env: Record<string, string | undefined>,
  secrets: Map<string, SecretLookup>,
  issues: Issue[],
): string | undefined {
  if (segment.kind === 'text') return segment.text;
  if (segment.kind === 'env') {
    // Own keys only: `${constructor}` is an unset variable, not Object.prototype.constructor.
    const value = Object.hasOwn(env, segment.name) ? env[segment.name] : undefined;
    if (segment.fallback !== undefined) return value === undefined || value === '' ? segment.fallback : value;
    if (value !== undefined) return value;
    issues.push({
      path,
      message: `environment variable ${segment.name} is not set`,
      hint: `set it in the environment or in a .env file beside the config, or write \${${segment.name}:-default}`,
    });
    return undefined;
  }
  const found = secrets.get(segment.name);
  if (found?.ok && found.value !== undefined) return found.value;
  if (found && !found.ok) {
    issues.push({
      path,
      message: `secret "${segment.name}" could not be read: ${found.error.message}`,
      hint: found.error.hint,
    });
  } else {
    issues.push({
      path,
      message: `secret "${segment.name}" is not in the keychain`,
      hint: `run: mcp-sentinel secrets set ${segment.name}`,
    });
  }
  return undefined;
}

async function lookupSecrets(names: string[], store: SecretStore): Promise<Map<string, SecretLookup>> {
  const results = await Promise.all(
    names.map(async (name): Promise<[string, SecretLookup]> => {
      try {
        const value = await store.get(name);
        if (value !== undefined) redactSecret(value);
        return [name, { ok: true, value }];
      } catch (error) {
        const typed =
          error instanceof SentinelError
            ? error
            : new SentinelError('KEYCHAIN_UNAVAILABLE', 'the secret store failed', {
                hint: `check: mcp-sentinel doctor`,
              });
        return [name, { ok: false, error: typed }];
      }
    }),
  );
  return new Map(results);
}
