/**
 * `login NAME` and `logout NAME` for an `enterprise` entry without `idp.idToken`: the user signs in to the
 * entry's identity provider (OpenID Connect, authorization code + PKCE, auth/idp/session.ts) and its ID
 * token goes to the keychain; then the backend is started once, as `serve` would, so a sign-in the
 * identity provider or the MCP server's authorization server will not take is reported here, not later.
 * Entries naming the same identity provider and client share the sign-in (and its logout).
 */
import { defaultSignInStore, validateHttpServerAuth } from '../../auth/index.js';
import { defaultBaseFetch } from '../../auth/base-fetch.js';
import { IdpSignIn } from '../../auth/idp/session.js';
import { NO_HOST } from '../../backends/deps.js';
import { BackendManager } from '../../backends/manager.js';
import type {
  EnterpriseAuthConfig,
  HttpServerConfig,
  ResolvedHttpServerConfig,
  ServerConfig,
} from '../../config/types.js';
import { isStdioServer } from '../../config/types.js';
import { SentinelError } from '../../errors.js';
import { log } from '../../log.js';
import { backendDeps, type Runtime } from '../runtime.js';

type Outcome = 'signed-in' | 'already' | 'failed';

export interface IdpLoginTools {
  resolve(name: string, raw: HttpServerConfig, runtime: Runtime): Promise<ResolvedHttpServerConfig>;
  show(name: string, url: string, browser: boolean): Promise<void>;
  failed(name: string, error: unknown, signedIn: boolean): 'failed';
}

/** Whether `server` is an enterprise entry whose ID token comes from the user's sign-in. */
export function signsInToIdp(server: ServerConfig | undefined): boolean {
  if (!server || isStdioServer(server) || server.auth?.type !== 'enterprise') return false;
  const idp = (server.auth as Partial<EnterpriseAuthConfig>).idp;
  return typeof idp === 'object' && idp !== null && idp.idToken === undefined;
}

function session(name: string, server: HttpServerConfig): IdpSignIn {
  const auth = server.auth as EnterpriseAuthConfig;
  return new IdpSignIn(name, auth.idp, {
    store: defaultSignInStore(),
    base: defaultBaseFetch(),
    log: log.child(name),
  });
}

export async function loginIdp(
  name: string,
  raw: HttpServerConfig,
  runtime: Runtime,
  browser: boolean,
  tools: IdpLoginTools,
): Promise<Outcome> {
  let signedIn = false;
  let idp: IdpSignIn;
  try {
    const server = await tools.resolve(name, raw, runtime);
    const issues = validateHttpServerAuth(server, `mcpServers.${name}`);
    if (issues[0]) {
      throw new SentinelError('CONFIG_INVALID', `${issues[0].path} ${issues[0].message}`, {
        hint: issues[0].hint ?? 'fix the listed key in the config file',
        issues,
      });
    }
    idp = session(name, server);
    if (!(await idp.idToken())) {
      await idp.signIn((url) => tools.show(name, url, browser));
      signedIn = true;
    }
  } catch (error) {
    return tools.failed(name, error, false);
  }
  // The whole chain once: ID token → ID-JAG at the identity provider → access token → the server.
  const manager = new BackendManager(runtime.loaded.config, backendDeps(runtime, NO_HOST), [name]);
  try {
    await manager.startAll();
    const backend = manager.get(name);
    if (!backend || backend.state !== 'ready') return tools.failed(name, backend?.error, signedIn);
  } finally {
    await manager.stopAll();
  }
  const info = idp.describe();
  const refresh = info.refreshAvailable ? 'refresh available' : 'no refresh token';
  process.stdout.write(
    `${signedIn ? 'signed in to' : 'already signed in to'} ${name} through its identity provider ${String(info.issuer)} (ID token expires ${String(info.expiresAt)}, ${refresh})\n`,
  );
  return signedIn ? 'signed-in' : 'already';
}

export async function logoutIdp(
  name: string,
  raw: HttpServerConfig,
  runtime: Runtime,
  tools: Pick<IdpLoginTools, 'resolve'>,
): Promise<number> {
  const server = await tools.resolve(name, raw, runtime);
  const idp = session(name, server);
  const { removed, revoked } = await idp.signOut();
  process.stdout.write(
    removed
      ? `signed out of ${name}'s identity provider ${idp.idp.issuer}${revoked ? ' (refresh token revoked there)' : ''}\n`
      : `${name} was not signed in to its identity provider ${idp.idp.issuer}\n`,
  );
  return 0;
}
