/**
 * Finding credentials written literally into a server entry (an env, header or auth value, a command-line
 * argument or a URL query parameter that is not a reference), for `doctor`'s file-permission check and
 * `init --from`'s advice. Detection is by name (a key, flag or parameter that says token, secret, key,
 * password...) or by shape (well-known token prefixes); it returns key paths and suggested secret names
 * only, never the values.
 */
import { listReferences } from './parse.js';

export interface LiteralCredential {
  /** Server key in the config. */
  server: string;
  /** Dot path, e.g. `mcpServers.github.env.GITHUB_TOKEN`. */
  path: string;
  /** The env variable, header, flag or query parameter name. */
  key: string;
  where: 'env' | 'headers' | 'auth' | 'args' | 'url';
  /** A secret name to move it to, e.g. `github-github-token`. */
  secretName: string;
  /** What to write in place of the value, e.g. `secret:github-github-token` or `Bearer secret:…`. */
  replacement: string;
  /** What else to know about the move, e.g. that a secret in args needs `allowSecretsInArgs`. */
  note?: string;
}

const CREDENTIAL_KEY =
  /token|secret|passw|api[-_]?key|apikey|private[-_]?key|access[-_]?key|credential|auth|cookie|session|pat$|^pat[-_]/i;
const TOKEN_SHAPE =
  /^(?:Bearer\s+|Basic\s+)?(?:gh[pousr]_|github_pat_|sk-|xox[abpr]-|glpat-|AKIA|ya29\.|eyJ)[A-Za-z0-9._-]{8,}/;
const BEARER = /^(Bearer|Basic|Token)\s+/i;
/** Flags whose next argument (or `=value`) is a credential, e.g. --api-key, --token, --password. */
const CREDENTIAL_FLAG =
  /^--?(?:[a-z0-9]+[-_])*(?:token|secret|passw(?:or)?d?|pass|api[-_]?key|apikey|key|private[-_]?key|access[-_]?key|credentials?|pat)$/i;
/** Flags whose next argument is an HTTP header line, as mcp-remote and curl take them. */
const HEADER_FLAG = /^(?:--header|-H)$/;
/** Query parameters that carry credentials, e.g. ?key=, ?token=, ?access_token=, ?sig=. */
const CREDENTIAL_PARAM = new RegExp(`${CREDENTIAL_KEY.source}|^(?:key|sig|signature|code)$`, 'i');
const ARGS_NOTE =
  'a secret in args is visible to other local users in the process list and needs "allowSecretsInArgs": true; pass it through env instead if the server reads one';

/** Whether an env variable, header or parameter name says it holds a credential (token, secret, password...). */
export function isCredentialName(key: string): boolean {
  return CREDENTIAL_KEY.test(key);
}

function isReference(value: string): boolean {
  try {
    return listReferences(value).length > 0;
  } catch {
    return true; // a malformed reference is a reference problem, reported elsewhere
  }
}

export function looksLikeCredential(key: string, value: string): boolean {
  if (typeof value !== 'string' || value.length < 4 || isReference(value) || isHostPrompt(value))
    return false;
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

/** Path segments after which the next one is a key: `/s/<token>/sse`, `/token/<t>`, `/api-key/<k>`. */
const TOKEN_SEGMENT_AFTER = /^(?:s|t|k|tokens?|keys?|secrets?|api[-_]?keys?|auth)$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A URL path segment that is a credential: after a key-like segment, or long, random-looking and not an id. */
export function isPathToken(segment: string, previous: string | undefined): boolean {
  if (!/^[A-Za-z0-9_~.-]+$/.test(segment) || UUID.test(segment)) return false;
  if (previous !== undefined && TOKEN_SEGMENT_AFTER.test(previous) && segment.length >= 8) return true;
  return segment.length >= 24 && /[0-9]/.test(segment) && /[A-Za-z]/.test(segment) && !/[.]/.test(segment);
}

/** VS Code's `${input:ID}` is the host's own prompt, not a literal (kept as text by the import: `$${input:ID}`). */
export function isHostPrompt(value: string): boolean {
  return /\$\{input:[^}]+\}/.test(value);
}

/** The query of a URL with each credential parameter rewritten to a reference; found ones are pushed. */
function rewriteQuery(query: string, server: string, found: { key: string; secretName: string }[]): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0) return pair;
      const rawKey = pair.slice(0, eq);
      const rawValue = pair.slice(eq + 1);
      let key: string;
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      } catch {
        key = rawKey;
      }
      if (!CREDENTIAL_PARAM.test(key) || rawValue.length < 4 || isReference(rawValue)) return pair;
      const secretName = suggestSecretName(server, key);
      found.push({ key, secretName });
      return `${rawKey}=\${secret:${secretName}}`;
    })
    .join('&');
}

/**
 * Credentials in a URL written in the config: a password in its user info (`postgres://user:pw@host/db`),
 * a token in its path (`/api/mcp/s/<token>/sse`) and credential query parameters. The replacement rewrites
 * every one of them (so that it never shows the value of another), each to its own secret.
 */
function scanUrl(
  out: LiteralCredential[],
  server: string,
  where: LiteralCredential['where'],
  path: string,
  raw: string,
  note?: string,
): void {
  const url = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/s.exec(raw);
  if (!url || isHostPrompt(raw)) return;
  const [, scheme, authority = '', urlPath = '', query, hash = ''] = url;
  const found: { key: string; secretName: string }[] = [];
  let host = authority;
  const at = authority.lastIndexOf('@');
  const colon = authority.indexOf(':');
  if (at > 0 && colon !== -1 && colon < at) {
    const password = authority.slice(colon + 1, at);
    if (password.length > 0 && !isReference(password)) {
      const secretName = suggestSecretName(server, 'password');
      found.push({ key: 'password', secretName });
      host = `${authority.slice(0, colon + 1)}\${secret:${secretName}}${authority.slice(at)}`;
    }
  }
  const segments = urlPath.split('/');
  const newPath = /^https?:\/\//i.test(raw)
    ? segments
        .map((segment, index) => {
          if (!isPathToken(segment, index > 0 ? segments[index - 1] : undefined) || isReference(segment))
            return segment;
          const secretName = suggestSecretName(server, 'url-token');
          found.push({ key: 'url-token', secretName });
          return `\${secret:${secretName}}`;
        })
        .join('/')
    : urlPath;
  const newQuery =
    query && /^https?:\/\//i.test(raw) ? `?${rewriteQuery(query.slice(1), server, found)}` : (query ?? '');
  if (found.length === 0) return;
  const replacement = `${scheme}${host}${newPath}${newQuery}${hash}`;
  for (const { key, secretName } of found) {
    out.push({ server, path, key, where, secretName, replacement, ...(note ? { note } : {}) });
  }
}

/** Credentials in a stdio entry's args: after a credential flag, as `--flag=value`, in a header line, by shape, in a URL. */
function scanArgs(out: LiteralCredential[], server: string, basePath: string, args: unknown[]): void {
  const push = (index: number, key: string, replacement: (name: string) => string, value: string) => {
    if (value.length < 4 || isReference(value) || isHostPrompt(value)) return;
    const secretName = suggestSecretName(server, key);
    out.push({
      server,
      path: `${basePath}.${server}.args.${index}`,
      key,
      where: 'args',
      secretName,
      replacement: replacement(secretName),
      note: ARGS_NOTE,
    });
  };
  args.forEach((arg, index) => {
    if (typeof arg !== 'string') return;
    const previous = index > 0 ? args[index - 1] : undefined;
    const flag = typeof previous === 'string' ? previous : undefined;
    const inline = /^(--?[A-Za-z0-9][A-Za-z0-9_-]*)=(.*)$/s.exec(arg);
    if (inline && CREDENTIAL_FLAG.test(inline[1]!)) {
      const name = inline[1]!.replace(/^-+/, '');
      push(index, name, (secret) => `${inline[1]}=\${secret:${secret}}`, inline[2]!);
      return;
    }
    if (flag && CREDENTIAL_FLAG.test(flag) && !arg.startsWith('-')) {
      push(index, flag.replace(/^-+/, ''), (secret) => `\${secret:${secret}}`, arg);
      return;
    }
    const header = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+):\s*(.+)$/s.exec(arg);
    if (flag && HEADER_FLAG.test(flag) && header && CREDENTIAL_KEY.test(header[1]!)) {
      const value = header[2]!;
      const scheme = BEARER.exec(value)?.[1];
      push(
        index,
        header[1]!,
        (secret) => `${header[1]}: ${scheme ? `${scheme} ` : ''}\${secret:${secret}}`,
        scheme ? value.slice(scheme.length).trim() : value,
      );
      return;
    }
    if (TOKEN_SHAPE.test(arg)) {
      push(index, `arg-${index}`, (secret) => `\${secret:${secret}}`, arg);
      return;
    }
    scanUrl(out, server, 'args', `${basePath}.${server}.args.${index}`, arg, ARGS_NOTE);
  });
}

/** The auth values that are credentials by definition, as [path under auth, secret-name key, value]. */
function confidentialAuthValues(auth: Record<string, unknown>): [string, string, unknown][] {
  const values: [string, string, unknown][] = [
    ['clientSecret', 'client-secret', auth.clientSecret],
    ['privateKey', 'private-key', auth.privateKey],
    ['assertion', 'assertion', auth.assertion],
    ['subjectToken', 'subject-token', auth.subjectToken],
    ['actorToken', 'actor-token', auth.actorToken],
  ];
  if (isRecord(auth.idp)) {
    values.push(['idp.clientSecret', 'idp-client-secret', auth.idp.clientSecret]);
    values.push(['idp.idToken', 'id-token', auth.idp.idToken]);
  }
  return values;
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
        if (typeof value !== 'string') continue;
        const path = `${basePath}.${server}.${where}.${key}`;
        if (looksLikeCredential(key, value)) record(out, server, where, path, key, value);
        else scanUrl(out, server, where, path, value);
      }
    }
    if (Array.isArray(entry.args)) scanArgs(out, server, basePath, entry.args);
    if (typeof entry.url === 'string') scanUrl(out, server, 'url', `${basePath}.${server}.url`, entry.url);
    const auth = entry.auth;
    if (isRecord(auth)) {
      for (const [path, key, value] of confidentialAuthValues(auth)) {
        if (typeof value === 'string' && value.length > 0 && !isReference(value)) {
          record(out, server, 'auth', `${basePath}.${server}.auth.${path}`, key, value);
        }
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
