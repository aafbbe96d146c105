/**
 * The JSON-RPC 2.0 envelope as MCP uses it, shared by both sides of the relay (the host transport and the
 * stdio backend transport), so that both accept exactly what the SDK's strict schemas accept.
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';
import type { Writable } from 'node:stream';
import { splicedLine } from './json-splice.js';

/** JSON-RPC error codes (the SDK's ErrorCode values), without importing the SDK's schemas on the host path. */
export const JsonRpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

/** A request id as a map key: the number 1 and the string "1" are different requests. */
export const keyOf = (id: RequestId): string => `${typeof id}:${String(id)}`;

const ENVELOPE_KEYS = new Set(['jsonrpc', 'id', 'method', 'params', 'result', 'error']);
const isId = (value: unknown): value is RequestId =>
  typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value));
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The JSON-RPC 2.0 envelope MCP uses, checked by hand: this runs on every host message, and the SDK's
 * schema parse copies the message and costs more than the rest of the forwarding. Params and results are
 * the receiver's to validate.
 */
export function isJsonRpcMessage(value: unknown): value is JSONRPCMessage {
  if (!isObject(value) || value.jsonrpc !== '2.0') return false;
  // Like the SDK's strict schemas: no keys beyond the envelope's.
  for (const key in value) if (!ENVELOPE_KEYS.has(key)) return false;
  if ('method' in value) {
    if ('result' in value || 'error' in value) return false;
    if (typeof value.method !== 'string') return false;
    if (value.params !== undefined && !isObject(value.params)) return false;
    return !('id' in value) || isId(value.id);
  }
  if ('params' in value) return false;
  if ('result' in value) return isId(value.id) && isObject(value.result) && !('error' in value);
  if ('error' in value) {
    const error = value.error;
    return (
      (value.id === undefined || isId(value.id)) &&
      isObject(error) &&
      typeof error.code === 'number' &&
      Number.isSafeInteger(error.code) &&
      typeof error.message === 'string'
    );
  }
  return false;
}

/**
 * The deepest nesting of arrays and objects mcp-sentinel parses or encodes. V8's JSON.parse is iterative,
 * but JSON.stringify (and anything else that walks a value recursively) overflows the stack a few thousand
 * levels down, which would take the whole process and every backend with it. No real MCP message comes
 * near this.
 */
export const MAX_JSON_DEPTH = 1000;

/**
 * Whether JSON text (a string, or its UTF-8 bytes) nests deeper than `limit`, found without recursion.
 * Cheap bounds first: text shorter than `2 * limit` cannot, nor text with at most `limit` opening brackets
 * (counted with indexOf, which is native: memchr on bytes). Only text with more containers than the limit
 * is scanned, strings skipped with indexOf. The bytes are the cheaper form to ask of a freshly encoded
 * message: JSON.stringify returns a string made of pieces, which indexOf would first copy into one.
 */
export function exceedsDepth(text: string | Buffer, limit = MAX_JSON_DEPTH): boolean {
  if (text.length <= 2 * limit) return false;
  if (typeof text !== 'string') return bytesExceed(text, limit);
  if (countUpTo(text, '[', countUpTo(text, '{', 0, limit), limit) <= limit) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = closingQuote(text, i);
      if (i === -1) return false; // not JSON: the parser reports it
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** exceedsDepth on UTF-8 bytes (no byte of a multi-byte character is a bracket, quote or backslash). */
function bytesExceed(bytes: Buffer, limit: number): boolean {
  if (countUpTo(bytes, '[', countUpTo(bytes, '{', 0, limit), limit) <= limit) return false;
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x22) {
      i = closingQuote(bytes, i);
      if (i === -1) return false;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** `count` plus the occurrences of `char` in `text`, counting no further than past `limit`. */
function countUpTo(text: string | Buffer, char: string, count: number, limit: number): number {
  const code = char.charCodeAt(0);
  const find =
    typeof text === 'string'
      ? (from: number) => text.indexOf(char, from)
      : (from: number) => text.indexOf(code, from);
  for (let at = find(0); at !== -1 && count <= limit; at = find(at + 1)) count++;
  return count;
}

/** The index of the quote that ends the string opening at `open`, or -1. */
function closingQuote(text: string | Buffer, open: number): number {
  const codeAt = typeof text === 'string' ? (i: number) => text.charCodeAt(i) : (i: number) => text[i];
  let close = open;
  for (;;) {
    close = typeof text === 'string' ? text.indexOf('"', close + 1) : text.indexOf(0x22, close + 1);
    if (close === -1) return -1;
    let backslashes = 0;
    while (codeAt(close - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return close;
  }
}

const TOO_DEEP = `nests deeper than ${MAX_JSON_DEPTH} levels (mcp-sentinel's limit)`;

export type Encoded = { text: string } | { problem: string };

/**
 * A message as JSON text (without the newline), or why it cannot be one (too deep, cyclic, a BigInt). Never throws: a
 * synchronous throw on the write path would skip the error handling of every caller.
 */
export function encodeMessage(message: unknown): Encoded {
  let text: string;
  try {
    text = JSON.stringify(message);
  } catch (error) {
    return { problem: stringifyProblem(error) };
  }
  if (exceedsDepth(text)) return { problem: TOO_DEEP };
  return { text };
}

/** One line to write: a string (short), bytes, or its parts in order (written at once, see json-splice.ts). */
export type EncodedLine = { line: string | Buffer | Buffer[] } | { problem: string };

/**
 * Below this length a line is written as a string: a stream encodes a short string on the stack as it
 * writes it, cheaper than a Buffer made for it, and exceedsDepth answers at once for text this short.
 */
const STRING_LINE_CHARS = 2 * MAX_JSON_DEPTH;

/**
 * A message as one line to write: its JSON, passed through `finish` (the host side's redaction), and a
 * newline, as UTF-8 bytes; or why it cannot be sent, as encodeMessage. Bytes, because the depth check is
 * cheapest on them and a stream writes a Buffer as it is (a string is encoded again on every write). A
 * large value its holder passes on unchanged is spliced in from the text it came in (json-splice.ts)
 * when nothing is to be redacted.
 */
export function encodeLine(message: unknown, finish?: (text: string) => string): EncodedLine {
  if (!finish && typeof message === 'object' && message !== null) {
    const parts = splicedLine(message as Record<string, unknown>);
    // The spliced value keeps the level it was checked at; what is around it is checked here.
    if (parts && !exceedsDepth(Buffer.concat([parts[0]!, parts[2]!]))) return { line: parts };
  }
  let text: string;
  try {
    text = JSON.stringify(message);
  } catch (error) {
    return { problem: stringifyProblem(error) };
  }
  if (finish) text = finish(text);
  if (text.length <= STRING_LINE_CHARS) return { line: `${text}\n` };
  const line = Buffer.from(`${text}\n`);
  return exceedsDepth(line) ? { problem: TOO_DEEP } : { line };
}

function stringifyProblem(error: unknown): string {
  return error instanceof RangeError
    ? TOO_DEEP
    : `cannot be encoded as JSON (${error instanceof Error ? error.message : String(error)})`;
}

/** Writes one encoded line; its parts go out in one writev. Returns what Writable.write returns. */
export function writeLine(stream: Writable, line: string | Buffer | Buffer[]): boolean {
  if (!Array.isArray(line)) return stream.write(line);
  stream.cork();
  let ok = true;
  for (const part of line) ok = stream.write(part);
  stream.uncork();
  return ok;
}
