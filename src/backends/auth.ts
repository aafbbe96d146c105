/** Adapts src/auth's strategies to the backend layer's BackendAuth seam. */
import type { HttpServerConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { BackendAuth } from './types.js';

export function createBackendAuth(_name: string, server: HttpServerConfig, _log: Logger): BackendAuth {
  const headers = server.headers ?? {};
  return {
    type: 'none',
    fetch: (url, init) => {
      const merged = new Headers(init?.headers);
      for (const [key, value] of Object.entries(headers)) merged.set(key, value);
      return fetch(url, { ...init, headers: merged, redirect: 'manual' });
    },
    prepare: async () => undefined,
    describe: () => ({ type: 'none' }),
    close: () => undefined,
  };
}
