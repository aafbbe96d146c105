/**
 * Adapts src/auth's strategies to the backend layer's BackendAuth seam: one strategy per backend,
 * validated when the backend connects, so a bad header or auth block fails that backend only.
 */
import { createAuthStrategy } from '../auth/index.js';
import type { HttpServerConfig } from '../config/types.js';
import { SentinelError } from '../errors.js';
import type { Logger } from '../log.js';
import type { BackendAuth } from './types.js';

export function createBackendAuth(name: string, server: HttpServerConfig, log: Logger): BackendAuth {
  try {
    return createAuthStrategy(server, { backend: name, log });
  } catch (error) {
    // Invalid headers or auth settings will not fix themselves: no restart loop.
    if (error instanceof SentinelError) {
      throw new SentinelError(error.code, error.message, {
        hint: error.hint,
        issues: error.issues,
        permanent: true,
      });
    }
    throw error;
  }
}
