/**
 * Validation of the header names and values that mcp-sentinel adds to backend requests (per-server
 * `headers`, `auth.static` headers, and the OAuth2 access token that becomes `Authorization`).
 *
 * Why our own checks: Node's fetch trims edge whitespace silently, accepts control bytes that undici
 * rejects later, and puts the offending value into its error message. So every value is checked here,
 * after references are resolved and before any request, with `http.validateHeaderName` /
 * `http.validateHeaderValue` plus an edge-whitespace rule and length caps. Node's error text is never
 * passed on: the issues built here name the header, never the value.
 *
 * Not here: merging headers into requests (see strategy.ts) and the config file's shape (src/config).
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { Issue } from '../errors.js';

export const MAX_HEADER_NAME_LENGTH = 256;
export const MAX_HEADER_VALUE_LENGTH = 8192;

/** Names the transport or the HTTP stack owns; a configured value would break or spoof them. */
const RESERVED_EXACT: ReadonlySet<string> = new Set([
  'host',
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'upgrade',
  'http2-settings',
  'transfer-encoding',
  'content-length',
  'content-type',
  'accept',
  'forwarded',
  'x-real-ip',
  'mcp-session-id',
  'mcp-protocol-version',
  'last-event-id',
]);
const RESERVED_PREFIXES: readonly string[] = ['proxy-', 'x-forwarded-'];

export type HeaderOwner = 'none' | 'static' | 'oauth2';

/** Whether `name` may not be configured on a backend whose auth type is `authType` (case-insensitive). */
export function isReservedHeaderName(name: string, authType: HeaderOwner): boolean {
  const lower = name.toLowerCase();
  if (RESERVED_EXACT.has(lower)) return true;
  if (RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix))) return true;
  return authType === 'oauth2' && lower === 'authorization';
}

/** Why a header name is unusable, or undefined when it is fine. Never includes anything but the name's shape. */
export function headerNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'header name must not be empty';
  if (name.length > MAX_HEADER_NAME_LENGTH)
    return `header name must be at most ${MAX_HEADER_NAME_LENGTH} characters`;
  try {
    validateHeaderName(name);
  } catch {
    return "header name must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~, no spaces or colons)";
  }
  return undefined;
}

/**
 * Why a header value is unusable, or undefined when it is fine. The answer never quotes the value:
 * callers put it into errors and logs.
 */
export function headerValueProblem(value: string): string | undefined {
  if (value.length === 0) return 'value must not be empty';
  if (value.length > MAX_HEADER_VALUE_LENGTH)
    return `value must be at most ${MAX_HEADER_VALUE_LENGTH} characters`;
  if (/[\r\n\0]/.test(value)) return 'value must not contain CR, LF or NUL';
  // Node accepts U+0080-U+00FF as obs-text, C1 controls (NEL, U+0085) included; some proxies split on them.
  if (hasControlCharacter(value))
    return 'value must not contain control characters (C0, DEL, C1 such as U+0085 NEL, U+2028, U+2029)';
  try {
    validateHeaderValue('x-sentinel-check', value);
  } catch {
    return 'value must not contain control characters or characters above U+00FF';
  }
  if (/^[ \t]|[ \t]$/.test(value)) return 'value must not start or end with whitespace';
  return undefined;
}

export interface HeaderSet {
  /** Dot path of the object holding the headers, e.g. `mcpServers.jira.headers`. */
  path: string;
  headers: Record<string, unknown>;
}

/**
 * Checks header sets that all go onto the same requests: every name and value, reserved names, and names
 * that appear twice (in one set with different letter case, or across sets).
 */
export function validateHeaderSets(sets: readonly HeaderSet[], authType: HeaderOwner): Issue[] {
  const issues: Issue[] = [];
  const seen = new Map<string, string>();
  for (const { path, headers } of sets) {
    for (const [name, value] of Object.entries(headers)) {
      const at = `${path}.${name}`;
      const nameProblem = headerNameProblem(name);
      if (nameProblem) {
        issues.push({ path: at, message: nameProblem });
        continue;
      }
      if (isReservedHeaderName(name, authType)) {
        issues.push({
          path: at,
          message: `header "${name}" is reserved and cannot be configured`,
          hint:
            name.toLowerCase() === 'authorization'
              ? 'an oauth2 backend gets its Authorization header from the token endpoint; remove this header'
              : 'mcp-sentinel or the HTTP stack sets this header itself; remove it',
        });
        continue;
      }
      const lower = name.toLowerCase();
      const earlier = seen.get(lower);
      if (earlier !== undefined) {
        issues.push({
          path: at,
          message: `header "${name}" is also set at ${earlier}`,
          hint: 'set each header once: a credential belongs in auth.headers, anything else in headers',
        });
        continue;
      }
      seen.set(lower, at);
      if (typeof value !== 'string') {
        issues.push({ path: at, message: `header "${name}" must have a string value` });
        continue;
      }
      const valueProblem = headerValueProblem(value);
      if (valueProblem) {
        issues.push({
          path: at,
          message: `header "${name}": ${valueProblem}`,
          hint: /whitespace|CR, LF/.test(valueProblem)
            ? 'a value copied from a file or terminal often ends with a newline; store it again without one'
            : undefined,
        });
      }
    }
  }
  return issues;
}

/** C0 controls but tab, DEL, C1 controls (U+0080-U+009F) and the Unicode line and paragraph separators. */
function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}
