/**
 * Routes a host's `tools/call` straight to a ready stdio backend's passthrough table, around the SDK
 * server and client (see src/backends/passthrough.ts for why and what it keeps). Anything it does not
 * take (unknown or not-yet-listed tools, remote backends, a backend that is restarting, malformed params)
 * goes on to the SDK server, whose handlers give the full answers and errors. Task-augmented calls
 * (`params.task`) go there too: tasks are routed and refused in one place (tasks.ts).
 */
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { BackendManager } from '../backends/manager.js';
import { requestKey } from '../jsonrpc.js';
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
        const cancel = requestId === undefined ? undefined : cancels.get(requestKey(requestId));
        if (cancel) {
          cancels.delete(requestKey(requestId!));
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
      // A task-augmented call needs the SDK path's answer (tasks are not supported).
      if (params.task !== undefined) return false;
      const args = params.arguments;
      if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args)))
        return false;
      // mcp-sentinel's own tools are answered by the SDK server's handler (own-tools.ts).
      if (params.name.startsWith(OWN_TOOL_PREFIX)) return false;
      const publicName = params.name;
      const route = catalog().toolRoutes.get(publicName);
      const backend = route && manager.get(route.backend);
      if (!route || !backend) return false;
      const id = message.id;
      const key = requestKey(id);
      const progressToken = (params._meta as { progressToken?: string | number } | undefined)?.progressToken;
      const cancel = backend.callDirect({
        params: { ...params, name: route.name },
        hostProgressToken: progressToken,
        timeoutMs: backend.timeoutMs,
        maxTotalMs: backend.timeoutMs * 10,
        onProgress: (progress) => reply({ method: 'notifications/progress', params: progress }),
        onDone: (outcome) => {
          cancels.delete(key);
          if ('result' in outcome) {
            onResult(route.backend, outcome.result);
            const fitted = finish(publicName, outcome.result);
            if (fitted !== outcome.result) {
              void Promise.resolve(fitted).then(
                (result) => reply({ id, result }),
                () => reply({ id, ...outcome }),
              );
              return;
            }
          }
          // Errors are redacted where every message leaves for the host (outbound-redaction.ts).
          reply({ id, ...outcome });
        },
      });
      if (!cancel) return false;
      cancels.set(key, cancel);
      return true;
    },
  };
}
