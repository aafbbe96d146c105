/**
 * Large values passed through verbatim: the `arguments` of a host's tools/call and the `result` of a
 * backend's response are written out again from the JSON text they arrived in, with only the envelope
 * around them encoded anew (the id, the tool name, the progress token are what the relay changes). A 1 MB
 * argument or result is then parsed once (it must be valid JSON, and the envelope is checked as always)
 * but never serialised again: JSON.stringify of a large string costs several times its parse.
 *
 * How it stays correct: a span is taken only from the exact text JSON.parse accepted (so the scan below
 * can trust its syntax), for the member JSON.parse kept (the last one of a repeated key), and it is used
 * only where its holder vouches that the value is the parsed object, unchanged (`VERBATIM`, set by the
 * fast path, which passes these objects on untouched). The value keeps the nesting level it was checked at,
 * so the depth limit still holds. Lines that are pure ASCII keep their bytes, written out without a copy.
 */

/** On an envelope or params object: the member value that may be written from its raw text. */
export const VERBATIM = Symbol('mcp-sentinel.verbatim');

/** Lines shorter than this are re-encoded as usual: the scan and bookkeeping are not worth it. */
export const SPLICE_MIN_CHARS = 16 * 1024;

interface RawSpan {
  text: string;
  /** The line's bytes when it is pure ASCII (offsets into text and bytes are then the same). */
  bytes?: Buffer;
  start: number;
  end: number;
}

const spans = new WeakMap<object, RawSpan>();

/**
 * Remembers where the value at `path` of the message parsed from `text` is (when it is an object), for
 * `splicedLine`. `text` must be the very string that was parsed, and `message` its parse.
 */
export function rememberSpan(
  message: unknown,
  text: string,
  bytes: Buffer | undefined,
  path: string[],
): void {
  let value = message;
  for (const key of path) value = (value as Record<string, unknown> | null)?.[key];
  if (typeof value !== 'object' || value === null) return;
  const at = valueAt(text, path);
  if (at) spans.set(value, { text, bytes, start: at[0], end: at[1] });
}

/** Lets go of the text `value` came in (a value kept for long must not keep its line alive as well). */
export function forgetSpan(value: unknown): void {
  if (typeof value === 'object' && value !== null) spans.delete(value);
}

/**
 * `holder` with `value` (its member) vouched for as passed on unchanged, when `value` has a remembered
 * span (only such values are worth marking: a symbol on every small message costs its copies).
 */
export function vouch<T extends object>(holder: T, value: unknown): T {
  if (typeof value === 'object' && value !== null && spans.has(value))
    (holder as Record<symbol, unknown>)[VERBATIM] = value;
  return holder;
}

/**
 * The message as the parts of one line (its JSON and a newline) with a vouched-for value spliced in from
 * its raw text; undefined when there is none, or when anything else in it cannot be encoded (then the
 * usual encoder says why).
 */
export function splicedLine(message: Record<string, unknown>): Buffer[] | undefined {
  const params = message.params as Record<string | symbol, unknown> | undefined;
  const path =
    message[VERBATIM as never] !== undefined && message[VERBATIM as never] === message.result
      ? ['result']
      : params?.[VERBATIM] !== undefined && params[VERBATIM] === params.arguments
        ? ['params', 'arguments']
        : undefined;
  const value = path && (path.length === 1 ? message.result : params!.arguments);
  const span = typeof value === 'object' && value !== null ? spans.get(value) : undefined;
  if (!path || !span) return undefined;
  let parts: [string, string] | undefined;
  try {
    parts = around(message, path);
  } catch {
    return undefined;
  }
  if (!parts) return undefined;
  const raw = span.bytes
    ? span.bytes.subarray(span.start, span.end)
    : Buffer.from(span.text.slice(span.start, span.end));
  spans.delete(value as object); // written once: the line need not outlive this message
  return [Buffer.from(parts[0]), raw, Buffer.from(`${parts[1]}\n`)];
}

/**
 * The JSON text of `object` before and after the value at `path`, as JSON.stringify would write them
 * (same key order, members whose value encodes to nothing left out). Throws what JSON.stringify throws.
 */
function around(object: Record<string, unknown>, path: string[]): [string, string] | undefined {
  const [key, ...rest] = path;
  let head = '{';
  let tail = '';
  let found = false;
  let first = true;
  for (const name of Object.keys(object)) {
    const value = object[name];
    const comma = first ? '' : ',';
    if (name === key && !found) {
      if (rest.length > 0 && (typeof value !== 'object' || value === null)) return undefined;
      const inner = rest.length === 0 ? ['', ''] : around(value as Record<string, unknown>, rest);
      if (!inner) return undefined;
      head += `${comma}${JSON.stringify(name)}:${inner[0]}`;
      tail = inner[1]!;
      found = true;
      first = false;
      continue;
    }
    const text = JSON.stringify(value);
    if (text === undefined) continue;
    const member = `${comma}${JSON.stringify(name)}:${text}`;
    first = false;
    if (found) tail += member;
    else head += member;
  }
  return found ? [head, `${tail}}`] : undefined;
}

/** The [start, end) of the value at `path` in valid JSON text, or undefined when it is not there. */
export function valueAt(text: string, path: string[]): [number, number] | undefined {
  let start = skipSpace(text, 0);
  // With a path, the members' own spans are what count: the whole text need not be scanned first.
  let end = path.length === 0 ? skipValue(text, start) : -1;
  for (const key of path) {
    const member = memberOf(text, start, key);
    if (!member) return undefined;
    [start, end] = member;
  }
  return end === -1 ? undefined : [start, end];
}

/** The span of the value of the last member `key` of the object at `at` (the one JSON.parse keeps). */
function memberOf(text: string, at: number, key: string): [number, number] | undefined {
  if (text.charCodeAt(at) !== 0x7b) return undefined;
  let i = skipSpace(text, at + 1);
  if (text.charCodeAt(i) === 0x7d) return undefined;
  let found: [number, number] | undefined;
  for (;;) {
    if (text.charCodeAt(i) !== 0x22) return undefined;
    const close = closingQuote(text, i);
    if (close === -1) return undefined;
    const raw = text.slice(i + 1, close);
    const name = raw.includes('\\') ? (JSON.parse(text.slice(i, close + 1)) as string) : raw;
    i = skipSpace(text, close + 1);
    if (text.charCodeAt(i) !== 0x3a) return undefined;
    const start = skipSpace(text, i + 1);
    const end = skipValue(text, start);
    if (end === -1) return undefined;
    if (name === key) found = [start, end];
    i = skipSpace(text, end);
    const next = text.charCodeAt(i);
    if (next === 0x7d) return found;
    if (next !== 0x2c) return undefined;
    i = skipSpace(text, i + 1);
  }
}

/** The end of the value starting at `i`, or -1. Strings are skipped with indexOf. */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x22) {
    const close = closingQuote(text, i);
    return close === -1 ? -1 : close + 1;
  }
  if (c !== 0x7b && c !== 0x5b) {
    let j = i;
    while (j < text.length && !isDelimiter(text.charCodeAt(j))) j++;
    return j > i ? j : -1;
  }
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const d = text.charCodeAt(j);
    if (d === 0x22) {
      j = closingQuote(text, j);
      if (j === -1) return -1;
    } else if (d === 0x7b || d === 0x5b) depth++;
    else if ((d === 0x7d || d === 0x5d) && --depth === 0) return j + 1;
  }
  return -1;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDelimiter = (c: number) => isSpace(c) || c === 0x2c || c === 0x7d || c === 0x5d;

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/** The index of the quote that ends the string opening at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  let close = open;
  for (;;) {
    close = text.indexOf('"', close + 1);
    if (close === -1) return -1;
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return close;
  }
}
