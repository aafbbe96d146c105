/**
 * The JSON-RPC 2.0 envelope as MCP uses it, shared by both sides of the relay (the host transport and the
 * stdio backend transport), so that both accept exactly what the SDK's strict schemas accept.
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';

/** JSON-RPC error codes (the SDK's ErrorCode values), without importing the SDK's schemas on the host path. */
export const JsonRpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

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
