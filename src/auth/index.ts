/**
 * Outgoing auth per HTTP backend: the registry of strategies (`none`, `static`, `oauth2` alias
 * `client-credentials`, the machine-credential grants `jwt-bearer`, `token-exchange`, `enterprise` of
 * grants/, and user sign-in `oauth` of signin/), the validation
 * of a backend's auth settings, and the factory the backend layer calls once per backend at startup.
 *
 * Each backend's settings (with references already resolved) are validated once; a problem fails that
 * backend only, with issues that name key paths and headers, never values. The strategy's `fetch` is then
 * given to the SDK transport as its `fetch` option, so every request of that transport gets the backend's
 * own credentials and nobody else's.
 */
import { SentinelError, type Issue } from '../errors.js';
import type { ResolvedHttpServerConfig } from '../config/types.js';
import { createKeychainStore } from '../secrets/keychain.js';
import { createGrantStrategy, validateGrant } from './grants/index.js';
import type { SignInEntry } from './grants/signed-in-subject.js';
import { validateHeaderSets, type HeaderSet } from './headers.js';
import { createOAuth2Strategy } from './oauth2/strategy.js';
import { grantFieldIssues } from './oauth2/validate.js';
import type { TokenCache } from './oauth2/token-cache.js';
import { createHeaderStrategy } from './static.js';
import { createSignInStore, SIGNIN_KEYCHAIN_SERVICE, type SignInStore } from './signin/store.js';
import { createSignInStrategy, type SignInHandler } from './signin/strategy.js';
import { validateSignIn } from './signin/validate.js';
import type { AuthContext, AuthStrategy } from './strategy.js';

export type { AuthContext, AuthOptions, AuthStrategy } from './strategy.js';
export type { SignInEntry } from './grants/signed-in-subject.js';
export { TokenCache } from './oauth2/token-cache.js';
export { createBaseFetch, type BaseFetch, type BaseFetchOptions } from './base-fetch.js';
export * as signin from './signin/index.js';
export type { SignInStrategy, SignInHandler } from './signin/strategy.js';

export type AuthType = AuthStrategy['type'];

export interface CreateAuthStrategyContext extends AuthContext {
  /** Token cache to use; defaults to the process-wide one. Tests pass their own. */
  tokenCache?: TokenCache;
  /** Where sign-in tokens live; defaults to the OS keychain. */
  signInStore?: SignInStore;
  /** Signs in interactively (login's browser, serve's host); without it a needed sign-in is an error. */
  onSignIn?: SignInHandler;
  /** settings.clientMetadataUrl. */
  clientMetadataUrl?: string;
  /** Directory of the cross-process refresh locks; defaults to the user's runtime or cache directory. */
  lockDir?: string;
  /** An `oauth` entry of the config by name, resolved: a token exchange's `subjectToken.signIn`. */
  signInEntry?: (name: string) => Promise<SignInEntry | undefined>;
}

let sharedSignInStore: SignInStore | undefined;

/** The process-wide sign-in store: the OS keychain, under its own service name. */
export function defaultSignInStore(): SignInStore {
  sharedSignInStore ??= createSignInStore(createKeychainStore({ service: SIGNIN_KEYCHAIN_SERVICE }));
  return sharedSignInStore;
}

/**
 * Every problem with `server`'s headers and auth settings, as issues under `path` (e.g. `mcpServers.jira`).
 * The shape (types, allowed and required keys, enums) was checked when the config was loaded; these are the
 * checks of values as they will be sent, which resolving a reference can change, and of header names.
 */
export function validateHttpServerAuth(server: ResolvedHttpServerConfig, path: string): Issue[] {
  const issues: Issue[] = [];
  const auth = server.auth ?? { type: 'none' as const };
  if (!isUrl(server.url))
    issues.push({ path: `${path}.url`, message: 'must be an absolute http or https URL' });
  const sets: HeaderSet[] = [];
  if (server.headers !== undefined) sets.push({ path: `${path}.headers`, headers: server.headers });
  if (auth.type === 'static') sets.push({ path: `${path}.auth.headers`, headers: auth.headers });
  const owner = auth.type === 'none' || auth.type === 'static' ? auth.type : 'oauth2';
  issues.push(...validateHeaderSets(sets, owner));
  switch (auth.type) {
    case 'oauth2':
    case 'client-credentials':
      issues.push(...grantFieldIssues(auth, `${path}.auth`));
      break;
    case 'oauth':
      issues.push(...validateSignIn(auth, `${path}.auth`));
      break;
    case 'jwt-bearer':
    case 'token-exchange':
    case 'enterprise':
      issues.push(...validateGrant(auth, `${path}.auth`));
  }
  return issues;
}

/**
 * The strategy for one backend, validated. Throws SentinelError HEADER_INVALID (a header problem) or
 * CONFIG_INVALID (anything else) with all issues; the message names the backend, never a value.
 */
export function createAuthStrategy(
  server: ResolvedHttpServerConfig,
  ctx: CreateAuthStrategyContext,
): AuthStrategy {
  const path = `mcpServers.${ctx.backend}`;
  const issues = validateHttpServerAuth(server, path);
  if (issues.length > 0) {
    const headerProblem = issues.some((issue) => /\.headers\./.test(issue.path));
    throw new SentinelError(
      headerProblem ? 'HEADER_INVALID' : 'CONFIG_INVALID',
      `backend "${ctx.backend}" has invalid ${headerProblem ? 'headers' : 'auth settings'}: ${issues[0]?.path} ${issues[0]?.message}`,
      { issues, hint: 'fix the listed keys in the config file; other backends are not affected' },
    );
  }
  const auth = server.auth ?? { type: 'none' as const };
  const headers = server.headers ?? {};
  const signInContext = () => ({ ...ctx, signInStore: () => ctx.signInStore ?? defaultSignInStore() });
  switch (auth.type) {
    case 'oauth2':
    case 'client-credentials':
      return createOAuth2Strategy({ url: server.url, headers, auth: { ...auth, type: 'oauth2' } }, ctx);
    case 'oauth':
      return createSignInStrategy(
        { url: server.url, headers, auth, clientMetadataUrl: ctx.clientMetadataUrl },
        signInContext(),
      );
    case 'jwt-bearer':
    case 'token-exchange':
    case 'enterprise':
      return createGrantStrategy({ url: server.url, headers, auth }, signInContext());
    case 'static':
      return createHeaderStrategy(
        { type: 'static', url: server.url, headers, credentialHeaders: auth.headers },
        ctx,
      );
    default:
      // No `auth` at all: a server that answers with an MCP authorization challenge needs sign-in.
      if (
        server.auth === undefined &&
        !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')
      ) {
        return createSignInStrategy(
          { url: server.url, headers, clientMetadataUrl: ctx.clientMetadataUrl },
          signInContext(),
        );
      }
      return createHeaderStrategy({ type: 'none', url: server.url, headers, credentialHeaders: {} }, ctx);
  }
}

function isUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
