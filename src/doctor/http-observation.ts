/**
 * What a backend's HTTP traffic showed during doctor's check, recorded by a wrapper around its auth fetch:
 * the first telling status (401, 403, 404, 5xx) with its WWW-Authenticate, or the network error's code.
 */
import type { BackendAuth } from '../backends/types.js';

/** What the backend's HTTP traffic showed, recorded by a wrapper around its auth fetch. */
export interface HttpObservation {
  status?: number;
  statusUrl?: string;
  wwwAuthenticate?: string;
  networkCode?: string;
  /** The innermost message of a network error without a code, e.g. "bad port". */
  networkMessage?: string;
}

function errorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const next = queue.shift();
    if (!next || typeof next !== 'object' || seen.has(next)) continue;
    seen.add(next);
    const code = (next as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code) && code !== 'ERR_INVALID_ARG_TYPE') return code;
    queue.push((next as { cause?: unknown }).cause);
    const errors = (next as { errors?: unknown }).errors;
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return undefined;
}

function innermostMessage(error: unknown): string | undefined {
  let current: unknown = error;
  let message: string | undefined;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    message = current.message;
    current = current.cause;
  }
  return message;
}

/** `auth` with every response and network failure of its fetch recorded in `seen`. */
export function observe(auth: BackendAuth, seen: HttpObservation): BackendAuth {
  return {
    type: auth.type,
    prepare: (signal) => auth.prepare(signal),
    describe: () => auth.describe(),
    close: () => auth.close(),
    fetch: async (url, init) => {
      try {
        const response = await auth.fetch(url, init);
        const status = response.status;
        if (
          seen.status === undefined &&
          (status === 401 || status === 403 || status === 404 || status >= 500)
        ) {
          seen.status = status;
          seen.statusUrl = String(url);
          seen.wwwAuthenticate = response.headers.get('www-authenticate') ?? undefined;
        }
        return response;
      } catch (error) {
        seen.networkCode ??= errorCode(error);
        seen.networkMessage ??= innermostMessage(error);
        throw error;
      }
    },
  };
}
