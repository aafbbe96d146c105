/**
 * Outgoing auth per HTTP backend: the registry of strategies (`none`, `static`, `oauth2`), the validation
 * of a backend's auth settings, and the factory the backend layer calls once per backend at startup.
 *
 * Each backend's settings (with references already resolved) are validated once; a problem fails that
 * backend only, with issues that name key paths and headers, never values. The strategy's `fetch` is then
 * given to the SDK transport as its `fetch` option, so every request of that transport gets the backend's
 * own credentials and nobody else's.
 */
import { SentinelError, type Issue } from '../errors.js';
import type { HttpServerConfig, OAuth2AuthConfig, OAuthAuthConfig } from '../config/types.js';
import { createKeychainStore } from '../secrets/keychain.js';
import { validateHeaderSets, type HeaderSet } from './headers.js';
import { createOAuth2Strategy } from './oauth2/strategy.js';
import type { TokenCache } from './oauth2/token-cache.js';
import { createHeaderStrategy } from './static.js';
import { createSignInStore, SIGNIN_KEYCHAIN_SERVICE, type SignInStore } from './signin/store.js';
import { createSignInStrategy, type SignInHandler } from './signin/strategy.js';
import type { AuthContext, AuthStrategy } from './strategy.js';
import { secureEndpointProblem } from './urls.js';

export type { AuthContext, AuthOptions, AuthStrategy } from './strategy.js';
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
}

let sharedSignInStore: SignInStore | undefined;

/** The process-wide sign-in store: the OS keychain, under its own service name. */
export function defaultSignInStore(): SignInStore {
  sharedSignInStore ??= createSignInStore(createKeychainStore({ service: SIGNIN_KEYCHAIN_SERVICE }));
  return sharedSignInStore;
}

/** RFC 6749 §3.3 scope-token: visible ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

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
    type !== 'client-credentials' &&
    type !== 'oauth'
  ) {
    issues.push({
      path: `${path}.auth.type`,
      message:
        'must be one of none, static, oauth (user sign-in), client-credentials (or its old name oauth2)',
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
  issues.push(...validateHeaderSets(sets, type));
  if (auth.type === 'oauth2' || auth.type === 'client-credentials')
    issues.push(...validateOAuth2(auth, `${path}.auth`));
  if (auth.type === 'oauth') issues.push(...validateOAuth(auth, `${path}.auth`));
  return issues;
}

function validateOAuth(auth: OAuthAuthConfig, path: string): Issue[] {
  const issues: Issue[] = [];
  for (const key of ['clientId', 'clientSecret'] as const) {
    const value = auth[key];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0))
      issues.push({ path: `${path}.${key}`, message: 'must be a non-empty string' });
  }
  if (auth.clientSecret !== undefined && auth.clientId === undefined) {
    issues.push({
      path: `${path}.clientSecret`,
      message: 'needs auth.clientId (the client the secret belongs to)',
    });
  }
  for (const key of ['issuer', 'clientMetadataUrl'] as const) {
    const value = auth[key];
    if (value === undefined) continue;
    const problem = typeof value === 'string' ? secureEndpointProblem(value) : 'must be a URL string';
    if (problem) issues.push({ path: `${path}.${key}`, message: problem });
  }
  if (auth.scopes !== undefined) issues.push(...validateScopes(auth.scopes, path));
  if (
    auth.redirectPort !== undefined &&
    (!Number.isInteger(auth.redirectPort) || auth.redirectPort < 1024 || auth.redirectPort > 65535)
  ) {
    issues.push({ path: `${path}.redirectPort`, message: 'must be a port number from 1024 to 65535' });
  }
  if (auth.resource !== undefined && auth.resource !== false) {
    if (typeof auth.resource !== 'string' || !isUrl(auth.resource) || auth.resource.includes('#')) {
      issues.push({
        path: `${path}.resource`,
        message: 'must be an absolute URL without a fragment (RFC 8707), or false to omit the parameter',
      });
    }
  }
  if (
    auth.tokenEndpointAuthMethod !== undefined &&
    ![...AUTH_METHODS, 'none'].includes(auth.tokenEndpointAuthMethod)
  ) {
    issues.push({
      path: `${path}.tokenEndpointAuthMethod`,
      message: `must be one of ${[...AUTH_METHODS, 'none'].join(', ')}`,
    });
  }
  if (auth.allowDiscoveredIssuer !== undefined && typeof auth.allowDiscoveredIssuer !== 'boolean') {
    issues.push({ path: `${path}.allowDiscoveredIssuer`, message: 'must be true or false' });
  }
  return issues;
}

function validateScopes(scopes: unknown, path: string): Issue[] {
  if (!Array.isArray(scopes)) return [{ path: `${path}.scopes`, message: 'must be an array of scope names' }];
  const issues: Issue[] = [];
  scopes.forEach((scope, index) => {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      issues.push({
        path: `${path}.scopes.${index}`,
        message: 'must be one scope name: visible ASCII without spaces, quotes or backslashes',
      });
    }
  });
  return issues;
}

function validateOAuth2(auth: OAuth2AuthConfig, path: string): Issue[] {
  const issues: Issue[] = [];
  if (typeof auth.clientId !== 'string' || auth.clientId.length === 0) {
    issues.push({ path: `${path}.clientId`, message: 'must be a non-empty string' });
  }
  if (typeof auth.clientSecret !== 'string' || auth.clientSecret.length === 0) {
    issues.push({
      path: `${path}.clientSecret`,
      message: 'must be a non-empty string',
      hint: 'store it with the secrets command and reference it as "secret:NAME"',
    });
  }
  for (const key of ['tokenUrl', 'issuer'] as const) {
    const value = auth[key];
    if (value === undefined) continue;
    const problem = typeof value === 'string' ? secureEndpointProblem(value) : 'must be a URL string';
    if (problem) {
      issues.push({
        path: `${path}.${key}`,
        message: problem,
        hint: 'client secrets are only sent over https (plain http only to 127.0.0.1, ::1 or localhost)',
      });
    }
  }
  if (auth.scopes !== undefined) {
    if (!Array.isArray(auth.scopes)) {
      issues.push({ path: `${path}.scopes`, message: 'must be an array of scope names' });
    } else {
      auth.scopes.forEach((scope, index) => {
        if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
          issues.push({
            path: `${path}.scopes.${index}`,
            message: 'must be one scope name: visible ASCII without spaces, quotes or backslashes',
          });
        }
      });
    }
  }
  if (auth.audience !== undefined && (typeof auth.audience !== 'string' || auth.audience.length === 0)) {
    issues.push({ path: `${path}.audience`, message: 'must be a non-empty string' });
  }
  if (auth.resource !== undefined) {
    if (typeof auth.resource !== 'string' || !isUrl(auth.resource) || auth.resource.includes('#')) {
      issues.push({
        path: `${path}.resource`,
        message: 'must be an absolute URL without a fragment (RFC 8707)',
      });
    }
  }
  if (auth.tokenEndpointAuthMethod !== undefined && !AUTH_METHODS.includes(auth.tokenEndpointAuthMethod)) {
    issues.push({
      path: `${path}.tokenEndpointAuthMethod`,
      message: `must be one of ${AUTH_METHODS.join(', ')}`,
    });
  }
  if (auth.allowDiscoveredIssuer !== undefined && typeof auth.allowDiscoveredIssuer !== 'boolean') {
    issues.push({ path: `${path}.allowDiscoveredIssuer`, message: 'must be true or false' });
  }
  return issues;
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
  const signInContext = () => ({
    ...ctx,
    signInStore: () => ctx.signInStore ?? defaultSignInStore(),
  });
  switch (auth.type) {
    case 'oauth2':
    case 'client-credentials':
      return createOAuth2Strategy({ url: server.url, headers, auth: { ...auth, type: 'oauth2' } }, ctx);
    case 'oauth':
      return createSignInStrategy(
        { url: server.url, headers, auth, clientMetadataUrl: ctx.clientMetadataUrl },
        signInContext(),
      );
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
