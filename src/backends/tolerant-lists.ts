/**
 * The transport a 2026-07-28 session's v2 client reads through, so that one malformed item of a list
 * loses nothing else. That client checks every list result against the revision's strict schema as it
 * decodes it (whatever result schema the caller passes), and one bad tool, prompt or resource would fail
 * the whole listing. Here each page of a list request's answer goes through the same per-item check as
 * the 2025 era (list-items.ts) before the client sees it: a malformed item is dropped alone, with the
 * same warning, and the client's own work on the page (its tool cache for `Mcp-Param-*` headers and
 * output schemas, pagination) runs on the items that are left.
 *
 * Like connection/demux.ts, it hands the client a Transport of its own instead of patching the real one.
 */
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { isListMethod, keepWellFormed, LIST_METHODS, type ListMethod } from './list-items.js';

type Id = string | number;
type Fields = Record<string, unknown>;

export function tolerantLists(transport: Transport, warn: (message: string) => void): Transport {
  /** The list requests sent and not yet answered, by id. */
  const pending = new Map<Id, ListMethod>();
  const client: Transport = {
    start: () => transport.start(),
    send: (message, options) => {
      const id = noteSent(pending, message);
      if (id === undefined) return transport.send(message, options);
      // Over HTTP the client gives up on a request by aborting it, without notifications/cancelled.
      const forget = () => pending.delete(id);
      options?.requestSignal?.addEventListener('abort', forget, { once: true });
      return transport.send(message, options).catch((error: unknown) => {
        forget();
        throw error;
      });
    },
    close: () => transport.close(),
    setProtocolVersion: (version) => transport.setProtocolVersion?.(version),
    setSupportedProtocolVersions: (versions) => transport.setSupportedProtocolVersions?.(versions),
    get sessionId() {
      return transport.sessionId;
    },
    get hasPerRequestStream() {
      return transport.hasPerRequestStream;
    },
  };
  transport.onmessage = (message, extra) => client.onmessage?.(filtered(pending, message, warn), extra);
  transport.onclose = () => {
    pending.clear();
    client.onclose?.();
  };
  transport.onerror = (error) => client.onerror?.(error);
  return client;
}

/**
 * Remembers a list request (and returns its id); forgets one the client gave up on (it sends
 * `notifications/cancelled`).
 */
function noteSent(pending: Map<Id, ListMethod>, message: JSONRPCMessage): Id | undefined {
  const { id, method, params } = message as Fields;
  if ((typeof id === 'string' || typeof id === 'number') && isListMethod(method)) {
    pending.set(id, method);
    return id;
  }
  if (method === 'notifications/cancelled') pending.delete((params as Fields | undefined)?.requestId as Id);
  return undefined;
}

/** The message as the client gets it: a list page without its malformed items, anything else unchanged. */
function filtered(
  pending: Map<Id, ListMethod>,
  message: JSONRPCMessage,
  warn: (message: string) => void,
): JSONRPCMessage {
  const { id, method, result } = message as Fields;
  if (method !== undefined || (typeof id !== 'string' && typeof id !== 'number')) return message;
  const listed = pending.get(id);
  if (!listed) return message;
  pending.delete(id);
  if (typeof result !== 'object' || result === null) return message;
  const { key } = LIST_METHODS[listed];
  const items = (result as Fields)[key];
  if (!Array.isArray(items)) return message;
  const kept = keepWellFormed(listed, items, warn);
  return kept.length === items.length
    ? message
    : ({ ...message, result: { ...result, [key]: kept } } as JSONRPCMessage);
}
