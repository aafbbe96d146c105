/**
 * A 2026-07-28 host's request as a 2025-era backend takes it. The gateway in front of mcp-sentinel keeps
 * the host's capabilities and log level in `_meta`, and a retry's `inputResponses` / `requestState` in
 * the params, for a backend of that revision (src/aggregator/modern-host/envelope.ts); a 2025-era backend
 * gets none of them. A `requestState` cannot be its own (it has no such thing): the gateway answers the
 * retries of the states it issued itself, so one that reaches a 2025-era backend was altered or has
 * expired, and is refused with -32602 as a 2026-07-28 server would refuse it. The forwarder applies it
 * on every channel but a 2026-07-28 session's (forwarder.ts).
 */
import { SentinelError } from '../errors.js';

type Params = Record<string, unknown>;

// The 2026-07-28 envelope keys (literal, as in stdio-era.ts: this module loads on every start, the v2
// packages only with a session).
export const CLIENT_CAPABILITIES_META_KEY = 'io.modelcontextprotocol/clientCapabilities';
export const LOG_LEVEL_META_KEY = 'io.modelcontextprotocol/logLevel';

/** Whether the params carry anything of a 2026-07-28 host's (cheap: on every forwarded request). */
export function carriesModernHostParts(params: Params | undefined): boolean {
  if (params === undefined) return false;
  if (params.inputResponses !== undefined || params.requestState !== undefined) return true;
  const meta = params._meta as Params | undefined;
  return (
    meta !== undefined &&
    (meta[CLIENT_CAPABILITIES_META_KEY] !== undefined || meta[LOG_LEVEL_META_KEY] !== undefined)
  );
}

/** The params without the 2026-07-28 host's parts; a SentinelError for a `requestState`. */
export function forLegacyBackend(backend: string, params: Params): Params | SentinelError {
  if (params.requestState !== undefined)
    return new SentinelError(
      'BACKEND_ERROR',
      'Invalid params: requestState was not issued by this server for this request (altered, or expired)',
      { backend, rpc: { code: -32602 } },
    );
  const { inputResponses: _responses, _meta, ...rest } = params;
  if (_meta === undefined || typeof _meta !== 'object' || _meta === null) return rest;
  const {
    [CLIENT_CAPABILITIES_META_KEY]: _capabilities,
    [LOG_LEVEL_META_KEY]: _level,
    ...meta
  } = _meta as Params;
  return Object.keys(meta).length > 0 ? { ...rest, _meta: meta } : rest;
}
