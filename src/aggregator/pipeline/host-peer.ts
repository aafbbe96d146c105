/**
 * The end of the host pipeline in `serve`, where the SDK server used to be: what reaches it is what the
 * earlier stages left. What the router defines it answers through the dispatch stage, as the pipeline
 * does (so it also serves where no pipeline runs before it); it answers `ping` (and a late `initialize`
 * as the SDK server would) and says "Method not found" to the rest. It runs the host's notifications
 * (`initialized`, `roots/list_changed`), and carries the backends' requests to the host: numbered from 0
 * here (the link numbers them from 1 on the wire: sdk-link.ts), bounded by a timeout, cancelled with
 * `notifications/cancelled` when their signal aborts or the timeout passes, and answered with the host's
 * result as it came (an object) or its error. Not loading the SDK's server package for this keeps its
 * protocol code and wire schemas out of `serve` (about 6 MB of peak RSS).
 */
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';
import { RpcCode } from '../../backends/forwarder/outcomes.js';
import type { BackendManager } from '../../backends/manager.js';
import type { Params } from '../forward.js';
import type { HostServer } from '../host-side.js';
import { initializeResult } from '../identity.js';
import type { RequestRouter } from '../router.js';
import { createDispatchStage, wireError } from './dispatch.js';

/** A JSON-RPC error of a request to the host, as the backend is answered (`code`, `message`, `data`). */
export class HostRequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'HostRequestError';
  }
}

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(error: HostRequestError): void;
}

type Message = Record<string, unknown> & { id?: unknown; method?: unknown };

export function createHostPeer(
  router: RequestRouter,
  manager: BackendManager,
  onInitialized: () => void,
): HostServer {
  let transport: Transport | undefined;
  let nextId = 0;
  const pending = new Map<number, Pending>();
  const send = (message: Record<string, unknown>): Promise<void> =>
    transport
      ? transport.send({ jsonrpc: '2.0', ...message } as JSONRPCMessage)
      : Promise.reject(new HostRequestError(RpcCode.ConnectionClosed, 'Not connected'));
  // What the router answers, answered as in the pipeline (cancellation, notifications on the way).
  const dispatch = createDispatchStage(router, (message) => send(message));
  const closed = () => {
    transport = undefined;
    dispatch.close();
    for (const waiter of pending.values())
      waiter.reject(new HostRequestError(RpcCode.ConnectionClosed, 'Connection closed'));
    pending.clear();
  };

  const receive = (message: Message) =>
    dispatch.stage(message as JSONRPCMessage, (rest) => answerRest(rest as Message));
  const answerRest = (message: Message) => {
    if (typeof message.method !== 'string') return settle(pending, message);
    if (!('id' in message)) return void onNotification(message.method);
    void answer(message.method, message.params as Params | undefined)
      .then(
        (result) => send({ id: message.id, result }),
        (error: unknown) => send({ id: message.id, error: wireError(error) }),
      )
      .catch(() => undefined);
  };
  const answer = async (method: string, params: Params | undefined) => {
    if (method === 'ping') return {};
    if (method === 'initialize') return initializeResult(params?.protocolVersion);
    // Not the router's (the dispatch stage took those): "Method not found", as the router says it.
    return router.dispatch(method, params, { signal: AbortSignal.abort(), sendNotification: send });
  };
  const onNotification = (method: string) => {
    if (method === 'notifications/initialized') onInitialized();
    // Backends were told the host has roots; they hear when those change.
    if (method === 'notifications/roots/list_changed')
      for (const backend of manager.backends) backend.notify('notifications/roots/list_changed');
  };

  return {
    server: {
      async connect(next) {
        transport = next;
        next.onmessage = (message) => receive(message as Message);
        next.onclose = closed;
        await next.start();
      },
      async close() {
        await transport?.close();
      },
      sendToolListChanged: () => send({ method: 'notifications/tools/list_changed' }),
    },
    notify: (method, params) => void send({ method, ...(params && { params }) }).catch(() => undefined),
    request: (method, params, signal, timeoutMs) =>
      askHost({ send, pending, nextId: () => nextId++ }, { method, params }, signal, timeoutMs),
  };
}

/** The pending requests to the host and the way to it. */
interface Wire {
  send(message: Record<string, unknown>): Promise<void>;
  pending: Map<number, Pending>;
  nextId(): number;
}

/** One request of a backend to the host: answered, timed out or cancelled (both said to the host). */
function askHost(
  wire: Wire,
  request: { method: string; params?: Record<string, unknown> },
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancelledError(signal.reason));
    const id = wire.nextId();
    const finish = () => {
      wire.pending.delete(id);
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const cancel = (error: HostRequestError) => {
      finish();
      void wire
        .send({
          method: 'notifications/cancelled',
          params: { requestId: id, reason: error.message },
        })
        .catch(() => undefined);
      reject(error);
    };
    const onAbort = () => cancel(cancelledError(signal.reason));
    const timer = setTimeout(
      () => cancel(new HostRequestError(RpcCode.RequestTimeout, 'Request timed out', { timeout: timeoutMs })),
      timeoutMs,
    );
    signal.addEventListener('abort', onAbort, { once: true });
    wire.pending.set(id, {
      resolve: (result) => (finish(), resolve(result)),
      reject: (error) => (finish(), reject(error)),
    });
    wire.send({ id, ...request }).catch((error: unknown) => {
      finish();
      reject(new HostRequestError(RpcCode.ConnectionClosed, String((error as Error)?.message ?? error)));
    });
  });
}

/** The host's answer to one of the backends' requests. */
function settle(pending: Map<number, Pending>, message: Message): void {
  const waiter = typeof message.id === 'number' ? pending.get(message.id) : undefined;
  if (!waiter) return;
  const { error, result } = message as {
    error?: { code?: unknown; message?: unknown; data?: unknown };
    result?: unknown;
  };
  if (error) {
    const code = typeof error.code === 'number' ? error.code : RpcCode.InternalError;
    waiter.reject(
      new HostRequestError(code, typeof error.message === 'string' ? error.message : 'Error', error.data),
    );
  } else if (result && typeof result === 'object' && !Array.isArray(result)) {
    waiter.resolve(result as Record<string, unknown>);
  } else {
    waiter.reject(new HostRequestError(RpcCode.InternalError, 'The host answered with no result object'));
  }
}

/** Aborted by the backend side (its request was cancelled) or the host leaving, as the SDK server says it. */
function cancelledError(reason: unknown): HostRequestError {
  return new HostRequestError(RpcCode.RequestTimeout, String(reason));
}
