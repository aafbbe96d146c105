/**
 * The stage of the host pipeline that answers the host's requests through the request router
 * (router.ts, handlers/*), after the fast path and before the link to the pipeline's end. Answering here
 * rather than in an SDK server's request handler (as the try commands do) keeps what passes exactly as it was: the params reach the
 * handler as the host sent them, and a result (or a backend's error) reaches the host as the backend
 * sent it, where the SDK's 2025 wire codec would rewrite some (a tool's non-object `outputSchema`,
 * `-32002`) and lift 2026-07-28 fields out of the params. The host's `notifications/cancelled` aborts the
 * handler's signal; the host going away aborts every one still running.
 *
 * What the router does not define (`ping`, a second `initialize`, methods nobody handles), the host's
 * answers to backends' requests and its notifications go on to the pipeline's end (host-peer.ts).
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { keyOf } from '../../jsonrpc.js';
import type { RequestRouter } from '../router.js';
import type { Params } from '../forward.js';
import type { Stage } from './stages.js';

export interface DispatchStage {
  stage: Stage;
  /** The host went away: every handler still running is aborted (its backends are told). */
  close(): void;
}

/** A thrown failure as the JSON-RPC error the host is answered with (as the SDK's Protocol reads it). */
/** A thrown error as the JSON-RPC error the host gets (its code when it has one, else internal error). */
export function wireError(error: unknown): { code: number; message: string; data?: unknown } {
  const { code, message, data } = (error ?? {}) as { code?: unknown; message?: unknown; data?: unknown };
  return {
    code: typeof code === 'number' && Number.isSafeInteger(code) ? code : -32603,
    message: typeof message === 'string' ? message : 'Internal error',
    ...(data !== undefined && { data }),
  };
}

export function createDispatchStage(
  router: RequestRouter,
  toHost: (message: JSONRPCMessage) => Promise<void>,
): DispatchStage {
  const running = new Map<string, AbortController>();
  const send = (message: Record<string, unknown>) =>
    void toHost({ jsonrpc: '2.0', ...message } as JSONRPCMessage).catch(() => undefined);
  const stage: Stage = (message, next) => {
    if (!('method' in message)) return next(message);
    if (!('id' in message)) {
      if (message.method === 'notifications/cancelled') {
        const requestId = (message.params as { requestId?: string | number } | undefined)?.requestId;
        if (requestId !== undefined) running.get(keyOf(requestId))?.abort('cancelled by the host');
      }
      return next(message);
    }
    if (!router.has(message.method)) return next(message);
    const { id } = message;
    const key = keyOf(id);
    const controller = new AbortController();
    running.set(key, controller);
    const context = {
      signal: controller.signal,
      sendNotification: (notification: { method: string; params?: Record<string, unknown> }) =>
        toHost({ jsonrpc: '2.0', ...notification } as JSONRPCMessage),
    };
    const method = message.method;
    // Run on the next microtask, as the SDK runs a handler: what throws at once is an error answer too.
    void Promise.resolve()
      .then(() => router.dispatch(method, message.params as Params | undefined, context))
      .then(
        (result) => {
          if (!controller.signal.aborted) send({ id, result });
        },
        (error: unknown) => {
          if (!controller.signal.aborted) send({ id, error: wireError(error) });
        },
      )
      .finally(() => {
        if (running.get(key) === controller) running.delete(key);
      });
  };
  return {
    stage,
    close() {
      for (const controller of running.values()) controller.abort('the host went away');
      running.clear();
    },
  };
}
