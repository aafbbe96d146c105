/**
 * Routes a host's `tools/call` straight to a ready backend's forwarder (src/backends/forwarder/), around the
 * handlers' per-request AbortController, promise chains and catalog waits, which cost more than the whole
 * relay per call. Anything it does not take (unknown or not-yet-listed tools, a backend that is restarting
 * or renewing its session, malformed params) goes on to the handlers (pipeline/dispatch.ts,
 * handlers/tools.ts), which give the full answers and errors. Task-augmented calls (`params.task`) go there
 * too: tasks are routed and refused in one place (tasks.ts).
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/server';
import type { BackendManager } from '../backends/manager.js';
import { jsonRpcError } from '../backends/forwarder/outcomes.js';
import { errorResult } from './forward.js';
import { keyOf } from '../jsonrpc.js';
import { vouch } from '../json-splice.js';
import type { Catalog } from './catalog.js';
import { OWN_TOOL_PREFIX } from './own-tools.js';
import { asDirectCall } from './surface/meta-tools.js';

export interface ToolCallFastPath {
  /** True when the message was taken (the caller must not pass it on). */
  handle(message: JSONRPCMessage): boolean;
}

export function createToolCallFastPath(
  catalog: () => Catalog,
  manager: BackendManager,
  send: (message: JSONRPCMessage) => Promise<void>,
  onResult: (backend: string, result: Record<string, unknown>) => void = () => undefined,
  /** The result as the host can take it (results/kept-results.ts); the same object when unchanged. */
  finish: (tool: string, result: Record<string, unknown>) => unknown = (_tool, result) => result,
): ToolCallFastPath {
  const cancels = new Map<string, () => void>();
  const reply = (message: Record<string, unknown>) =>
    void send({ jsonrpc: '2.0', ...message } as JSONRPCMessage).catch(() => undefined);

  return {
    handle(message) {
      if (!('method' in message)) return false;
      let params = message.params as Record<string, unknown> | undefined;
      if (message.method === 'notifications/cancelled') {
        const requestId = params?.requestId as RequestId | undefined;
        const cancel = requestId === undefined ? undefined : cancels.get(keyOf(requestId));
        if (cancel) {
          cancels.delete(keyOf(requestId!));
          cancel();
        }
        return false;
      }
      if (message.method !== 'tools/call' || !('id' in message) || !params) return false;
      // A sentinel__call_tool call is the direct call it names; a malformed one goes on to the SDK's answer.
      try {
        params = asDirectCall(params);
      } catch {
        return false;
      }
      if (typeof params.name !== 'string') return false;
      // A task-augmented call is routed (or refused) by the handlers' task router (tasks.ts).
      if (params.task !== undefined) return false;
      const args = params.arguments;
      if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args)))
        return false;
      // mcp-sentinel's own tools are answered by the tools handler (own-tools.ts).
      if (params.name.startsWith(OWN_TOOL_PREFIX)) return false;
      const publicName = params.name;
      const route = catalog().toolRoutes.get(publicName);
      const backend = route && manager.get(route.backend);
      if (!route || !backend) return false;
      const id = message.id;
      const key = keyOf(id);
      const progressToken = (params._meta as { progressToken?: string | number } | undefined)?.progressToken;
      const cancel = backend.forward({
        method: 'tools/call',
        // The arguments go on unchanged: they may be written from the host's own text (json-splice.ts).
        params: vouch({ ...params, name: route.name }, args),
        timeoutMs: backend.timeoutMs,
        maxTotalMs: backend.timeoutMs * 10,
        onProgress:
          progressToken === undefined
            ? undefined
            : (progress) =>
                reply({ method: 'notifications/progress', params: { ...progress, progressToken } }),
        onDone: (outcome) => {
          cancels.delete(key);
          if ('error' in outcome) {
            // As the handlers do (handlers/tools.ts): a failure with a wire form (the backend's own error,
            // a timeout, a lost connection) is that JSON-RPC error; mcp-sentinel's own (a sign-in needed)
            // is a tool result the model can read and act on.
            const { error } = outcome;
            reply(error.rpc ? { id, error: jsonRpcError(error) } : { id, result: errorResult(error) });
            return;
          }
          onResult(route.backend, outcome.result);
          const fitted = finish(publicName, outcome.result);
          // The backend's result as it came: it may be written from the backend's own text (json-splice.ts).
          if (fitted === outcome.result) return reply(vouch({ id, result: fitted }, fitted));
          void Promise.resolve(fitted).then(
            (result) => reply({ id, result }),
            () => reply({ id, result: outcome.result }),
          );
        },
      });
      if (!cancel) return false;
      cancels.set(key, cancel);
      return true;
    },
  };
}
