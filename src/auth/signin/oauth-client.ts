/**
 * The OAuth requests of a sign-in, through oauth4webapi: dynamic client registration (RFC 7591), the
 * authorization-code exchange with PKCE, refresh, and revocation (RFC 7009). Each call goes through the
 * base fetch (no redirects, the backend's name in errors) and ends in a SentinelError that carries the
 * authorization server's `error` and `error_description`, never a token or secret.
 */
import * as oauth from 'oauth4webapi';
import { SentinelError } from '../../errors.js';
import { redact } from '../../log.js';
import { withDeadline, type BaseFetch } from '../base-fetch.js';
import { clientAuthentication } from '../oauth2/client-auth.js';
import { isLoopbackUrl } from '../urls.js';
import type { ClientRecord } from './store.js';

export interface OAuthEnv {
  base: BaseFetch;
  backend: string;
  timeoutMs: number;
  dpop?: oauth.DPoPHandle;
}

/** A refused OAuth request; `oauthError` is the server's `error` code when it sent one. */
export class OAuthRequestError extends SentinelError {
  constructor(
    message: string,
    readonly oauthError?: string,
    hint?: string,
    permanent = true,
  ) {
    super(permanent ? 'AUTH_FAILED' : 'AUTH_TRANSIENT', message, { hint, permanent });
    this.name = 'OAuthRequestError';
  }
}

function requestOptions(env: OAuthEnv, url: string, signal: AbortSignal) {
  const parsed = new URL(url);
  return {
    signal,
    DPoP: env.dpop,
    [oauth.customFetch]: (target: string, init: oauth.CustomFetchOptions<string, unknown>) =>
      env.base(
        target,
        init as RequestInit,
        `${new URL(target).origin} (sign-in of backend "${env.backend}")`,
      ),
    [oauth.allowInsecureRequests]: parsed.protocol === 'http:' && isLoopbackUrl(parsed),
  };
}

export function clientOf(record: ClientRecord): oauth.Client {
  return { client_id: record.clientId, token_endpoint_auth_method: record.authMethod };
}

export function clientAuthOf(record: ClientRecord): oauth.ClientAuth {
  if (record.authMethod === 'none' || !record.clientSecret) return oauth.None();
  return clientAuthentication({
    clientId: record.clientId,
    clientSecret: record.clientSecret,
    method: record.authMethod,
  }).forAudience(record.issuer);
}

/** Runs one request with a deadline; maps every failure to an OAuthRequestError naming `what`. */
async function call<T>(env: OAuthEnv, what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const who = `backend "${env.backend}"`;
  try {
    return await withDeadline(
      env.timeoutMs,
      undefined,
      () =>
        new OAuthRequestError(
          `${who}: the ${what} did not answer within ${env.timeoutMs / 1000} s`,
          undefined,
          undefined,
          false,
        ),
      run,
    );
  } catch (error) {
    throw toRequestError(error, `${who}: the ${what}`);
  }
}

export function toRequestError(error: unknown, prefix: string): SentinelError {
  if (error instanceof SentinelError) return error;
  if (error instanceof oauth.ResponseBodyError) {
    const description = error.error_description ? ` (${redact(printable(error.error_description))})` : '';
    return new OAuthRequestError(
      `${prefix} was refused: ${printable(error.error)}${description}`,
      error.error,
      error.error === 'invalid_grant' ? 'sign in again' : undefined,
      error.status >= 500 ? false : true,
    );
  }
  if (error instanceof oauth.AuthorizationResponseError) {
    const description = error.error_description ? ` (${redact(printable(error.error_description))})` : '';
    return new OAuthRequestError(
      `${prefix} was refused: ${printable(error.error)}${description}`,
      error.error,
    );
  }
  if (error instanceof oauth.OperationProcessingError || error instanceof TypeError) {
    return new OAuthRequestError(`${prefix} failed: ${redact(printable(error.message))}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new OAuthRequestError(
    `${prefix} failed: ${redact(printable(message))}`,
    undefined,
    undefined,
    false,
  );
}

export function registerClient(
  as: oauth.AuthorizationServer,
  metadata: Partial<oauth.Client>,
  env: OAuthEnv,
): Promise<oauth.Client> {
  const endpoint = as.registration_endpoint as string;
  return call(env, 'client registration', async (signal) => {
    const response = await oauth.dynamicClientRegistrationRequest(
      as,
      metadata,
      requestOptions(env, endpoint, signal),
    );
    if (response.status !== 201 && response.status !== 200) {
      // oauth4webapi turns an OAuth error body into ResponseBodyError, with the server's error code.
      return (await oauth.processDynamicClientRegistrationResponse(response)) as oauth.Client;
    }
    // Parsed here rather than by oauth4webapi: servers in the field leave out client_secret_expires_at
    // (required by RFC 7591 with a secret), and that omission must not make sign-in impossible.
    const body: unknown = await response.json().catch(() => undefined);
    const client = body as Partial<oauth.Client> | undefined;
    if (!client || typeof client !== 'object' || typeof client.client_id !== 'string' || !client.client_id) {
      throw new OAuthRequestError(
        `backend "${env.backend}": the client registration answered without a client_id`,
      );
    }
    return client as oauth.Client;
  });
}

export function exchangeCode(
  as: oauth.AuthorizationServer,
  record: ClientRecord,
  callback: URLSearchParams,
  input: { redirectUri: string; verifier: string; resource?: string; nonce?: string },
  env: OAuthEnv,
): Promise<oauth.TokenEndpointResponse> {
  const client = clientOf(record);
  return call(env, 'token request', async (signal) => {
    const additionalParameters = input.resource ? { resource: input.resource } : undefined;
    const run = () =>
      oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuthOf(record),
        callback,
        input.redirectUri,
        input.verifier,
        {
          ...requestOptions(env, as.token_endpoint as string, signal),
          additionalParameters,
        },
      );
    // An OpenID Connect sign-in (a nonce was sent) requires the ID token, its claims checked by oauth4webapi.
    const oidc = input.nonce ? { expectedNonce: input.nonce, requireIdToken: true } : undefined;
    return retryOnNonce(env, async () =>
      oauth.processAuthorizationCodeResponse(as, client, await run(), oidc),
    );
  });
}

export function refreshGrant(
  as: oauth.AuthorizationServer,
  record: ClientRecord,
  refreshToken: string,
  resource: string | undefined,
  env: OAuthEnv,
): Promise<oauth.TokenEndpointResponse> {
  const client = clientOf(record);
  return call(env, 'token refresh', async (signal) => {
    const additionalParameters = resource ? { resource } : undefined;
    const run = () =>
      oauth.refreshTokenGrantRequest(as, client, clientAuthOf(record), refreshToken, {
        ...requestOptions(env, as.token_endpoint as string, signal),
        additionalParameters,
      });
    return retryOnNonce(env, async () => oauth.processRefreshTokenResponse(as, client, await run()));
  });
}

export async function revokeToken(
  as: oauth.AuthorizationServer,
  record: ClientRecord,
  token: string,
  hint: 'refresh_token' | 'access_token',
  env: OAuthEnv,
): Promise<void> {
  if (typeof as.revocation_endpoint !== 'string') return;
  const endpoint = as.revocation_endpoint;
  await call(env, 'token revocation', async (signal) => {
    const response = await oauth.revocationRequest(as, clientOf(record), clientAuthOf(record), token, {
      ...requestOptions(env, endpoint, signal),
      additionalParameters: { token_type_hint: hint },
    });
    await oauth.processRevocationResponse(response);
  });
}

/**
 * Ends a sign-in at the server: revokes the refresh token (what keeps a sign-in alive), else the access
 * token. False when there is no client or the server offers no revocation (RFC 7009).
 */
export async function revokeSignIn(
  as: oauth.AuthorizationServer,
  record: ClientRecord | undefined,
  token: { accessToken: string; refreshToken?: string },
  env: OAuthEnv,
): Promise<boolean> {
  if (!record || typeof as.revocation_endpoint !== 'string') return false;
  if (token.refreshToken) await revokeToken(as, record, token.refreshToken, 'refresh_token', env);
  else await revokeToken(as, record, token.accessToken, 'access_token', env);
  return true;
}

/** A DPoP `use_dpop_nonce` answer is retried once: the handle has learned the nonce by then. */
async function retryOnNonce<T>(env: OAuthEnv, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (env.dpop && oauth.isDPoPNonceError(error)) return run();
    throw error;
  }
}

function printable(text: string): string {
  const clean = String(text).replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 300 ? `${clean.slice(0, 300)}...` : clean;
}
