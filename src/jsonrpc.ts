/**
 * The JSON-RPC 2.0 envelope as MCP uses it, shared by both sides of the relay (the host transport and the
 * stdio backend transport), so that both accept exactly what the SDK's strict schemas accept.
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';

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
 * Whether JSON text nests deeper than `limit`, found without recursion. Cheap bounds first: text shorter
 * than `2 * limit` cannot, nor text with at most `limit` opening brackets (counted with indexOf, which is
 * native). Only text with more containers than the limit is scanned, strings skipped with indexOf.
 */
export function exceedsDepth(text: string, limit = MAX_JSON_DEPTH): boolean {
  if (text.length <= 2 * limit || countUpTo(text, '[', countUpTo(text, '{', 0, limit), limit) <= limit)
    return false;
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

/** `count` plus the occurrences of `char` in `text`, counting no further than past `limit`. */
function countUpTo(text: string, char: string, count: number, limit: number): number {
  for (let at = text.indexOf(char); at !== -1 && count <= limit; at = text.indexOf(char, at + 1)) count++;
  return count;
}

/** The index of the quote that ends the string opening at `open`, or -1. */
function closingQuote(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at === -1) return -1;
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

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
    return {
      problem:
        error instanceof RangeError
          ? `nests deeper than ${MAX_JSON_DEPTH} levels (mcp-sentinel's limit)`
          : `cannot be encoded as JSON (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  if (exceedsDepth(text))
    return { problem: `nests deeper than ${MAX_JSON_DEPTH} levels (mcp-sentinel's limit)` };
  return { text };
}
