/**
 * One authorization-code sign-in (OAuth 2.1 with PKCE S256): builds the authorization URL (state, PKCE,
 * scope, RFC 8707 resource), hands it to `open` (a browser, or the host through URL elicitation), waits for
 * the loopback redirect, checks it with oauth4webapi (state, RFC 9207 `iss` when advertised or present,
 * compared as exact strings) and exchanges the code. A wrong or unexpected `iss`, a wrong state or an error
 * response ends the sign-in before any code reaches the token endpoint.
 */
import * as oauth from 'oauth4webapi';
import { SentinelError } from '../../errors.js';
import { clientOf, exchangeCode, toRequestError, type OAuthEnv } from './oauth-client.js';
import type { Loopback } from './loopback.js';
import type { ClientRecord, TokenRecord } from './store.js';

export interface AuthorizeInput {
  as: oauth.AuthorizationServer;
  client: ClientRecord;
  loopback: Loopback;
  scopes: string[];
  resource?: string;
  /** Shows the URL to the user: opens a browser, or asks the host. Resolves once shown. */
  open: (url: string) => Promise<void>;
  env: OAuthEnv;
  now: () => number;
}

export async function authorize(input: AuthorizeInput): Promise<TokenRecord> {
  const response = await authorizeCode(input);
  return tokenRecord(response, {
    as: input.as,
    client: input.client,
    resource: input.resource,
    requested: input.scopes,
    now: input.now(),
  });
}

/**
 * The flow itself, answering the token response. With `nonce` (OpenID Connect) the request carries it and
 * the response must hold an ID token whose claims (issuer, audience, expiry, nonce) oauth4webapi checked.
 */
export async function authorizeCode(
  input: AuthorizeInput & { nonce?: string },
): Promise<oauth.TokenEndpointResponse> {
  const { as, client, loopback, env } = input;
  const who = `backend "${env.backend}"`;
  const methods = as.code_challenge_methods_supported;
  if (Array.isArray(methods) && !methods.includes('S256')) {
    throw new SentinelError(
      'AUTH_FAILED',
      `${who}: the authorization server ${as.issuer} does not support PKCE with S256`,
      {
        hint: 'sign-in needs PKCE (S256); ask the server operator to enable it',
        permanent: true,
      },
    );
  }
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint as string);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', client.clientId);
  url.searchParams.set('redirect_uri', loopback.redirectUri);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  if (input.scopes.length > 0) url.searchParams.set('scope', input.scopes.join(' '));
  if (input.resource) url.searchParams.set('resource', input.resource);
  if (input.nonce) url.searchParams.set('nonce', input.nonce);

  await input.open(url.href);
  const callback = await loopback.response;
  let parameters: URLSearchParams;
  try {
    parameters = oauth.validateAuthResponse(as, clientOf(client), callback, state);
  } catch (error) {
    throw toRequestError(error, `${who}: the authorization response`);
  }
  return exchangeCode(
    as,
    client,
    parameters,
    { redirectUri: loopback.redirectUri, verifier, resource: input.resource, nonce: input.nonce },
    env,
  );
}

/** The keychain record of a token response; the refresh token is kept when the server sends no new one. */
export function tokenRecord(
  response: oauth.TokenEndpointResponse,
  context: {
    as: oauth.AuthorizationServer;
    client: ClientRecord;
    resource?: string;
    requested?: string[];
    now: number;
    previousRefreshToken?: string;
    previousScope?: string;
  },
): TokenRecord {
  const lifetime =
    typeof response.expires_in === 'number' && response.expires_in > 0 ? response.expires_in : undefined;
  return {
    issuer: context.as.issuer,
    resource: context.resource,
    clientId: context.client.clientId,
    accessToken: response.access_token,
    tokenType: response.token_type === 'dpop' ? 'dpop' : 'bearer',
    refreshToken: response.refresh_token ?? context.previousRefreshToken,
    expiresAt: lifetime !== undefined ? context.now + lifetime * 1000 : undefined,
    scope:
      response.scope ??
      context.previousScope ??
      (context.requested?.length ? context.requested.join(' ') : undefined),
    obtainedAt: context.now,
  };
}
