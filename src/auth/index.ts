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
import type { GrantAuthConfig, HttpServerConfig, OAuth2AuthConfig } from '../config/types.js';
import { createKeychainStore } from '../secrets/keychain.js';
import { createGrantStrategy, GRANT_TYPES, isGrantType, validateGrant } from './grants/index.js';
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

/** Auth types beyond the grants: user sign-in, and `client-credentials` as the clearer name of `oauth2`. */
const SIGNIN_TYPES = ['oauth', 'client-credentials'];

/**
 * Every problem with `server`'s headers and auth settings, as issues under `path` (e.g. `mcpServers.jira`).
 * `server` must have its references resolved: values are checked as they will be sent.
 */
export function validateHttpServerAuth(server: HttpServerConfig, path: string): Issue[] {
  const issues: Issue[] = [];
  const auth = server.auth ?? { type: 'none' as const };
  const type = auth.type;

  if (!isUrl(server.url))
    issues.push({ path: `${path}.url`, message: 'must be an absolute http or https URL' });
  if (
    type !== 'none' &&
    type !== 'static' &&
    type !== 'oauth2' &&
    !isGrantType(type) &&
    !SIGNIN_TYPES.includes(type)
  ) {
    issues.push({
      path: `${path}.auth.type`,
      message: `must be one of none, static, oauth (user sign-in), client-credentials (old name oauth2), ${GRANT_TYPES.join(', ')}`,
    });
    return issues;
  }

  const sets: HeaderSet[] = [];
  if (server.headers !== undefined) {
    if (isRecord(server.headers)) sets.push({ path: `${path}.headers`, headers: server.headers });
    else issues.push({ path: `${path}.headers`, message: 'must be an object of header names to values' });
  }
  if (auth.type === 'static') {
    if (!isRecord(auth.headers) || Object.keys(auth.headers).length === 0) {
      issues.push({
        path: `${path}.auth.headers`,
        message: 'must name at least one header',
        hint: 'e.g. "headers": {"X-Api-Key": "secret:my-key"}',
      });
    } else {
      sets.push({ path: `${path}.auth.headers`, headers: auth.headers });
    }
  }
  issues.push(...validateHeaderSets(sets, type === 'none' || type === 'static' ? type : 'oauth2'));
  if (auth.type === 'oauth2' || auth.type === 'client-credentials')
    issues.push(...validateOAuth2(auth, `${path}.auth`));
  if (auth.type === 'oauth') issues.push(...validateSignIn(auth, `${path}.auth`));
  if (isGrantType(auth.type)) issues.push(...validateGrant(auth as GrantAuthConfig, `${path}.auth`));
  return issues;
}

function validateOAuth2(auth: OAuth2AuthConfig, path: string): Issue[] {
  return grantFieldIssues(auth, path, { clientIdRequired: true, credentialRequired: true });
}

/**
 * The strategy for one backend, validated. Throws SentinelError HEADER_INVALID (a header problem) or
 * CONFIG_INVALID (anything else) with all issues; the message names the backend, never a value.
 */
export function createAuthStrategy(server: HttpServerConfig, ctx: CreateAuthStrategyContext): AuthStrategy {
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
