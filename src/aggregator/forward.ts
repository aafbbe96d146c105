/**
 * Forwarding one host request to one backend from a handler (not the fast path): the host's cancellation, the backend's
 * timeout, and progress relayed to the host in order under the host's own token. Also how a backend's
 * failure is told to the host: as a tool error result, or as a JSON-RPC error. The text is not redacted
 * here: everything but a successful result is redacted where it leaves for the host (outbound-redaction.ts).
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/client';
import { describeError, SentinelError } from '../errors.js';
import type { BackendManager } from '../backends/manager.js';
import { forHost } from '../backends/forwarder/outcomes.js';
import type { Backend, ForwardOptions } from '../backends/backend.js';

export type Params = Record<string, unknown> & { _meta?: Record<string, unknown> };
export type Result = Record<string, unknown>;

/** What a handler gets of the host's request: its cancellation, and a way to send it notifications. */
export interface RequestContext {
  signal: AbortSignal;
  sendNotification(notification: { method: string; params?: Record<string, unknown> }): Promise<void>;
}

/** Forwards with the host's cancellation, the backend's timeout, and progress relayed in order. */
export async function forward(
  backend: Backend,
  method: string,
  params: Params,
  context: RequestContext,
): Promise<Result> {
  const progressToken = params._meta?.progressToken;
  const options: ForwardOptions = { signal: context.signal };
  let relayed: Promise<unknown> = Promise.resolve();
  if (progressToken !== undefined) {
    options.onprogress = (progress) => {
      relayed = relayed.then(() =>
        context
          .sendNotification({ method: 'notifications/progress', params: { ...progress, progressToken } })
          .catch(() => undefined),
      );
    };
    const { progressToken: _omit, ...meta } = params._meta ?? {};
    params = { ...params, _meta: meta };
  }
  try {
    return await backend.request(method, params, options);
  } catch (error) {
    // A backend's error and a forwarded request's failure reach the host as the JSON-RPC errors they are.
    throw forHost(error);
  } finally {
    await relayed;
  }
}

/** As `forward`, a backend's failure told as a JSON-RPC error. */
export async function forwardOrExplain(
  backend: Backend,
  method: string,
  params: Params,
  context: RequestContext,
): Promise<Result> {
  try {
    return await forward(backend, method, params, context);
  } catch (error) {
    throw error instanceof SentinelError ? toProtocolError(error) : error;
  }
}

/** The backend a route names; one that is gone by now is an internal error. */
export function backendFor(manager: BackendManager, name: string): Backend {
  const backend = manager.get(name);
  if (!backend) throw new ProtocolError(ProtocolErrorCode.InternalError, `no backend named "${name}"`);
  return backend;
}

/** A failure told as a tool result, so the model sees it. */
export function errorResult(error: SentinelError): Result {
  const text = error.hint ? `${error.message} (${error.hint})` : error.message;
  return { content: [{ type: 'text', text }], isError: true };
}

export function toProtocolError(error: SentinelError): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InternalError, describeError(error), { code: error.code });
}

export function requireString(params: Params, key: string): string {
  const value = params[key];
  if (typeof value !== 'string')
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `"${key}" must be a string`);
  return value;
}
