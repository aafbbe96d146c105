/**
 * Requests about the host's session rather than one backend: `logging/setLevel` (kept and replayed to
 * every backend session, replay.ts) and the `tasks/*` methods (routed by public task id, tasks.ts).
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import { requireString } from '../forward.js';
import { LOG_SEVERITY } from '../host-notifier.js';
import type { AggregatorParts, Handler } from '../parts.js';

export function sessionHandlers(parts: AggregatorParts): Record<string, Handler> {
  const { tasks } = parts;
  return {
    'logging/setLevel': async (params) => {
      const level = requireString(params, 'level');
      if (!LOG_SEVERITY.includes(level))
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `unknown log level "${level}"`);
      await parts.replay.setLevel(level, parts.manager.backends);
      return {};
    },
    'tasks/get': (params, context) => tasks.get(params, context),
    'tasks/result': (params, context) => tasks.result(params, context),
    'tasks/cancel': (params, context) => tasks.cancel(params, context),
    'tasks/list': (params, context) => tasks.list(params, context),
  };
}
