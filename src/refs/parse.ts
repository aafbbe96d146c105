/**
 * The reference grammar of config string values, as a pure single-pass parser. It owns the syntax only:
 * looking names up (environment, keychain) is src/refs/resolve.ts.
 *
 *   $NAME, ${NAME}        environment variable NAME ([A-Za-z_][A-Za-z0-9_]*)
 *   ${NAME:-fallback}     NAME, or the literal fallback when NAME is unset or empty
 *   secret:NAME           (the whole value) keychain secret NAME ([A-Za-z0-9][A-Za-z0-9._-]{0,127})
 *   ${secret:NAME}        the same secret, embedded in a longer value ("Bearer ${secret:github-pat}")
 *   $$                    a literal "$"
 *
 * Choices where a shell would differ, each to keep a value from meaning more than it says:
 * - A `$` not followed by a name character, `{` or `$` is literal ("cost $5", "a$").
 * - A fallback is literal text and is never expanded. `$$` in it means `$`; any other `$` there is a syntax
 *   error, so `${A:-$B}` fails loudly instead of silently producing the text "$B". A fallback ends at the first
 *   `}` and cannot contain one.
 * - `${NAME-x}`, `${NAME:+x}`, `${NAME:=x}` and `$(...)` are not supported; the first three are errors, `$(`
 *   is literal text. Nothing is executed and substituted text is never scanned again.
 * - `${secret:-x}` is the environment variable `secret` with a fallback (a secret name cannot start with `-`).
 * - A whole value starting with `secret:` is always a reference; a bad name after it is an error.
 *
 * Error messages give positions, never the text around them: a config value may hold a literal token.
 */
import { SentinelError, type Issue } from '../errors.js';
import { SECRET_NAME, SECRET_NAME_RULE } from '../secrets/name.js';

export type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'env'; name: string; fallback?: string }
  | { kind: 'secret'; name: string };

export interface ParsedValue {
  /** Adjacent text is merged; an empty value has no segments. */
  segments: Segment[];
}

export type Reference =
  { kind: 'env'; name: string; hasFallback: boolean } | { kind: 'secret'; name: string };

export type ParseResult = { ok: true; value: ParsedValue } | { ok: false; issue: Issue };

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_PREFIX = 'secret:';
const SYNTAX_HINT =
  'use $NAME, ${NAME}, ${NAME:-default}, ${secret:NAME} or secret:NAME; write $$ for a literal $';

class SyntaxProblem {
  constructor(
    readonly message: string,
    readonly hint: string = SYNTAX_HINT,
  ) {}
}

/** Parses one value; `path` only labels the issue. Never throws: a syntax error comes back as an issue. */
export function tryParseValue(value: string, path = ''): ParseResult {
  // The config validator should have caught this; the parser still refuses to crash on it.
  if (typeof value !== 'string') return { ok: false, issue: { path, message: 'expected a string' } };
  try {
    return { ok: true, value: { segments: scan(value) } };
  } catch (error) {
    if (error instanceof SyntaxProblem)
      return { ok: false, issue: { path, message: error.message, hint: error.hint } };
    throw error;
  }
}

/** Parses one value, throwing a CONFIG_INVALID SentinelError (with the issue attached) on a syntax error. */
export function parseValue(value: string, path = ''): ParsedValue {
  const result = tryParseValue(value, path);
  if (result.ok) return result.value;
  const where = path ? `${path}: ` : '';
  throw new SentinelError('CONFIG_INVALID', `${where}${result.issue.message}`, {
    hint: result.issue.hint,
    issues: [result.issue],
  });
}

/** The references in a value, in order of appearance (duplicates kept). Throws like `parseValue`. */
export function listReferences(value: string, path = ''): Reference[] {
  return referencesOf(parseValue(value, path));
}

export function referencesOf(parsed: ParsedValue): Reference[] {
  const refs: Reference[] = [];
  for (const segment of parsed.segments) {
    if (segment.kind === 'env')
      refs.push({ kind: 'env', name: segment.name, hasFallback: segment.fallback !== undefined });
    else if (segment.kind === 'secret') refs.push({ kind: 'secret', name: segment.name });
  }
  return refs;
}

/** Quotes text so that it parses back to itself (`$` doubled). A value starting with `secret:` has no quoting. */
export function escapeValue(text: string): string {
  return text.replaceAll('$', '$$$$');
}

function scan(value: string): Segment[] {
  if (value.startsWith(SECRET_PREFIX)) {
    const name = value.slice(SECRET_PREFIX.length);
    if (!SECRET_NAME.test(name)) {
      throw new SyntaxProblem(
        name === '' ? 'secret: reference without a name' : 'invalid secret name after secret:',
        SECRET_NAME_RULE,
      );
    }
    return [{ kind: 'secret', name }];
  }

  const segments: Segment[] = [];
  let text = '';
  const flush = (): void => {
    if (text !== '') segments.push({ kind: 'text', text });
    text = '';
  };

  let i = 0;
  while (i < value.length) {
    const dollar = value.indexOf('$', i);
    if (dollar === -1) {
      text += value.slice(i);
      break;
    }
    text += value.slice(i, dollar);
    const next = value[dollar + 1];
    if (next === '$') {
      text += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const close = value.indexOf('}', dollar + 2);
      if (close === -1) throw new SyntaxProblem(`unterminated \${ at position ${dollar + 1} (no closing })`);
      flush();
      segments.push(parseBraced(value.slice(dollar + 2, close), dollar + 1));
      i = close + 1;
    } else if (next !== undefined && /[A-Za-z_]/.test(next)) {
      let end = dollar + 2;
      while (end < value.length && /[A-Za-z0-9_]/.test(value[end] as string)) end++;
      flush();
      segments.push({ kind: 'env', name: value.slice(dollar + 1, end) });
      i = end;
    } else {
      text += '$';
      i = dollar + 1;
    }
  }
  flush();
  return segments;
}

/** The inside of `${...}`; `at` is the 1-based position of its `$`, for messages. */
function parseBraced(body: string, at: number): Segment {
  if (body === '') throw new SyntaxProblem(`empty \${} at position ${at}`);

  const fallbackAt = body.indexOf(':-');
  if (fallbackAt !== -1 && ENV_NAME.test(body.slice(0, fallbackAt))) {
    return {
      kind: 'env',
      name: body.slice(0, fallbackAt),
      fallback: literalFallback(body.slice(fallbackAt + 2), at),
    };
  }
  if (body.startsWith(SECRET_PREFIX)) {
    const name = body.slice(SECRET_PREFIX.length);
    if (name === '')
      throw new SyntaxProblem(`\${secret:} without a name at position ${at}`, SECRET_NAME_RULE);
    if (!SECRET_NAME.test(name))
      throw new SyntaxProblem(`invalid secret name in \${secret:...} at position ${at}`, SECRET_NAME_RULE);
    return { kind: 'secret', name };
  }
  if (ENV_NAME.test(body)) return { kind: 'env', name: body };
  throw new SyntaxProblem(
    `invalid reference \${...} at position ${at}: expected \${NAME}, \${NAME:-default} or \${secret:NAME}`,
    'environment variable names are letters, digits and _, not starting with a digit; ' + SYNTAX_HINT,
  );
}

function literalFallback(raw: string, at: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i];
    if (char !== '$') {
      out += char;
    } else if (raw[i + 1] === '$') {
      out += '$';
      i++;
    } else {
      throw new SyntaxProblem(
        `a default in \${NAME:-default} is literal text and cannot contain a reference (position ${at})`,
        'write $$ for a literal $ in a default',
      );
    }
  }
  return out;
}
