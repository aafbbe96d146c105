/**
 * Adapts src/auth's strategies to the backend layer's BackendAuth seam: one strategy per backend,
 * validated when the backend connects, so a bad header or auth block fails that backend only.
 *
 * The auth module (and the HTTP client under it) is loaded only when a remote backend connects: a config
 * of stdio servers never pays for it at startup. `loadAuth()` must have resolved before `createBackendAuth`.
 */
import type * as AuthModule from '../auth/index.js';
import type { ResolvedHttpServerConfig } from '../config/types.js';
import { SentinelError } from '../errors.js';
import type { Logger } from '../log.js';
import type { BackendAuth } from './types.js';

let auth: typeof AuthModule | undefined;
let loading: Promise<typeof AuthModule> | undefined;

export async function loadAuth(): Promise<void> {
  loading ??= import('../auth/index.js');
  auth = await loading;
}

export function createBackendAuth(
  name: string,
  server: ResolvedHttpServerConfig,
  log: Logger,
  extra: {
    clientMetadataUrl?: string;
    signInEntry?: AuthModule.CreateAuthStrategyContext['signInEntry'];
    onSignIn?: AuthModule.CreateAuthStrategyContext['onSignIn'];
  } = {},
): BackendAuth {
  if (!auth) throw new Error('internal: the auth module was not loaded before a remote backend connected');
  try {
    return auth.createAuthStrategy(server, {
      backend: name,
      log,
      clientMetadataUrl: extra.clientMetadataUrl,
      signInEntry: extra.signInEntry,
      onSignIn: extra.onSignIn,
    });
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
