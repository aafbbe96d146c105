/**
 * How a client authenticates at a token endpoint, for every grant mcp-sentinel makes (client credentials,
 * JWT bearer, token exchange, the two steps of enterprise-managed authorization): `client_secret_basic`
 * (with the RFC 6749 §2.3.1 form-encoding), `client_secret_post`, `private_key_jwt`, or none (the
 * client_id in the body when there is one, nothing otherwise).
 */
import * as oauth from 'oauth4webapi';
import { privateKeyJwtAuth, type SigningAlgorithm } from './private-key-jwt.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/** A client's authentication, built once per backend; `forAudience` is called per token request. */
export interface ClientAuthentication {
  method: ClientAuthMethod;
  /** The oauth4webapi client authentication for a request whose assertion audience is `audience`. */
  forAudience(audience: string): oauth.ClientAuth;
}

export interface ClientAuthSettings {
  clientId?: string;
  clientSecret?: string;
  method?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  privateKey?: string;
  /** Checked against the key by validation; resolved (never undefined) for private_key_jwt. */
  signingAlgorithm?: SigningAlgorithm;
}

/** The authentication `settings` describe: a secret means Basic unless post is asked, a key means JWT. */
export function clientAuthentication(settings: ClientAuthSettings): ClientAuthentication {
  const method: ClientAuthMethod =
    settings.method ?? (settings.clientSecret !== undefined ? 'client_secret_basic' : 'none');
  if (method === 'private_key_jwt' && settings.privateKey !== undefined && settings.signingAlgorithm) {
    return { method, forAudience: privateKeyJwtAuth(settings.privateKey, settings.signingAlgorithm) };
  }
  const secret = settings.clientSecret ?? '';
  if (method === 'client_secret_post') {
    const post = oauth.ClientSecretPost(secret);
    return { method, forAudience: () => post };
  }
  if (method === 'client_secret_basic') {
    const basic = clientSecretBasic(secret);
    return { method, forAudience: () => basic };
  }
  // A client without credentials: its client_id in the body (RFC 6749 §3.2.1), or nothing at all.
  const none: oauth.ClientAuth = settings.clientId !== undefined ? oauth.None() : () => undefined;
  return { method: 'none', forAudience: () => none };
}

/**
 * client_secret_basic with RFC 6749 §2.3.1: id and secret are application/x-www-form-urlencoded, then
 * joined with ":" and base64-encoded. The WHATWG serializer (URLSearchParams) leaves `*-._` and
 * alphanumerics as they are, so ordinary ids and secrets look the same encoded or not, which keeps servers
 * that skip the decoding working (oauth4webapi's encoder also escapes `-`, `_`, `.` and `~`).
 */
function clientSecretBasic(clientSecret: string): oauth.ClientAuth {
  return (_as, client, _body, headers) => {
    const credentials = `${formUrlEncode(client.client_id)}:${formUrlEncode(clientSecret)}`;
    headers.set('authorization', `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`);
  };
}

export function formUrlEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
