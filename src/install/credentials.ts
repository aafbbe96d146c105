/**
 * Finding credentials written literally into a server entry (an env or header value that is not a
 * reference), for `doctor`'s file-permission check and `init --from`'s advice. Detection is by name (a
 * key that says token, secret, key, password...) or by shape (well-known token prefixes); it returns key
 * paths and suggested secret names only, never the values.
 */
import { listReferences } from '../refs/parse.js';

export interface LiteralCredential {
  /** Server key in the config. */
  server: string;
  /** Dot path, e.g. `mcpServers.github.env.GITHUB_TOKEN`. */
  path: string;
  /** The env variable or header name. */
  key: string;
  where: 'env' | 'headers' | 'auth';
  /** A secret name to move it to, e.g. `github-github-token`. */
  secretName: string;
  /** What to write in place of the value, e.g. `secret:github-github-token` or `Bearer secret:…`. */
  replacement: string;
}

const CREDENTIAL_KEY =
  /token|secret|passw|api[-_]?key|apikey|private[-_]?key|access[-_]?key|credential|auth|cookie|session|pat$|^pat[-_]/i;
const TOKEN_SHAPE =
  /^(?:Bearer\s+|Basic\s+)?(?:gh[pousr]_|github_pat_|sk-|xox[abpr]-|glpat-|AKIA|ya29\.|eyJ)[A-Za-z0-9._-]{8,}/;
const BEARER = /^(Bearer|Basic|Token)\s+/i;

function isReference(value: string): boolean {
  try {
    return listReferences(value).length > 0;
  } catch {
    return true; // a malformed reference is a reference problem, reported elsewhere
  }
}

export function looksLikeCredential(key: string, value: string): boolean {
  if (typeof value !== 'string' || value.length < 4 || isReference(value)) return false;
  return CREDENTIAL_KEY.test(key) || TOKEN_SHAPE.test(value);
}

export function suggestSecretName(server: string, key: string): string {
  const slug = `${server}-${key}`
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[^a-z0-9]+|-$/g, '');
  return slug.slice(0, 128) || 'secret';
}

function record(
  out: LiteralCredential[],
  server: string,
  where: LiteralCredential['where'],
  path: string,
  key: string,
  value: string,
): void {
  // "Bearer secret:NAME" is sent literally: inside a longer value a secret is written ${secret:NAME}.
  const misplaced = /(?<!\$\{)\bsecret:([A-Za-z0-9][A-Za-z0-9._-]{0,127})/.exec(value);
  const secretName = misplaced?.[1] ?? suggestSecretName(server, key);
  const scheme = BEARER.exec(value)?.[1];
  const replacement = misplaced
    ? value.replace(misplaced[0], `\${secret:${secretName}}`)
    : scheme
      ? `${scheme} \${secret:${secretName}}`
      : `secret:${secretName}`;
  out.push({ server, path, key, where, secretName, replacement });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Literal credentials of every entry of `servers` (an `mcpServers` object as written). */
export function findLiteralCredentials(
  servers: Record<string, unknown>,
  basePath = 'mcpServers',
): LiteralCredential[] {
  const out: LiteralCredential[] = [];
  for (const [server, entry] of Object.entries(servers)) {
    if (!isRecord(entry)) continue;
    for (const where of ['env', 'headers'] as const) {
      const bag = entry[where];
      if (!isRecord(bag)) continue;
      for (const [key, value] of Object.entries(bag)) {
        if (typeof value === 'string' && looksLikeCredential(key, value)) {
          record(out, server, where, `${basePath}.${server}.${where}.${key}`, key, value);
        }
      }
    }
    const auth = entry.auth;
    if (isRecord(auth)) {
      if (
        typeof auth.clientSecret === 'string' &&
        auth.clientSecret.length > 0 &&
        !isReference(auth.clientSecret)
      ) {
        record(
          out,
          server,
          'auth',
          `${basePath}.${server}.auth.clientSecret`,
          'client-secret',
          auth.clientSecret,
        );
      }
      if (isRecord(auth.headers)) {
        for (const [key, value] of Object.entries(auth.headers)) {
          if (typeof value === 'string' && value.length > 0 && !isReference(value)) {
            record(out, server, 'auth', `${basePath}.${server}.auth.headers.${key}`, key, value);
          }
        }
      }
    }
  }
  return out;
}
