/**
 * What the machine-credential grants (jwt-bearer, token-exchange, enterprise) share: their client
 * authentication built from the config, the scope/audience/resource parameters, the grant type URNs, and
 * the redaction of every token they handle.
 */
import type { GrantAuthConfig } from '../../config/types.js';
import { redactSecret } from '../../log.js';
import { clientAuthentication, type ClientAuthentication } from '../oauth2/client-auth.js';
import { checkPrivateKey } from '../oauth2/private-key-jwt.js';
import type { GrantTarget } from '../oauth2/grant.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_JAG = 'urn:ietf:params:oauth:token-type:id-jag';
export const ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';

/** The client authentication of `auth` at its own token endpoint (validated settings). */
export function grantClient(auth: GrantAuthConfig): ClientAuthentication {
  const usesKey = auth.tokenEndpointAuthMethod === 'private_key_jwt' && auth.privateKey !== undefined;
  const key = usesKey ? checkPrivateKey(auth.privateKey ?? '', auth.signingAlgorithm) : undefined;
  if (auth.clientSecret !== undefined) redactSecret(auth.clientSecret);
  if (auth.privateKey !== undefined) redactSecret(auth.privateKey);
  return clientAuthentication({
    clientId: auth.clientId,
    clientSecret: auth.clientSecret,
    method: auth.tokenEndpointAuthMethod,
    privateKey: auth.privateKey,
    signingAlgorithm: key?.ok ? key.alg : undefined,
  });
}

/** scope, audience and resource, as the grant sends them to `target`. */
export function targetParameters(
  auth: { scopes?: readonly string[]; audience?: string },
  target: GrantTarget,
): URLSearchParams {
  const parameters = new URLSearchParams();
  if (auth.scopes && auth.scopes.length > 0) parameters.set('scope', auth.scopes.join(' '));
  if (auth.audience) parameters.set('audience', auth.audience);
  if (target.resource) parameters.set('resource', target.resource);
  return parameters;
}

/** The fields every grant shows in `describe()`: names and methods, never a credential. */
export function describeClient(auth: GrantAuthConfig, client: ClientAuthentication): Record<string, unknown> {
  return {
    clientId: auth.clientId,
    tokenEndpointAuthMethod: client.method,
    scopes: auth.scopes ?? [],
    ...('audience' in auth && auth.audience !== undefined ? { audience: auth.audience } : {}),
  };
}

/** Holds the latest value of a rotating credential in the log redactor, releasing the one before. */
export function rotatingRedaction(): (value: string) => void {
  let release: () => void = () => undefined;
  return (value) => {
    const next = redactSecret(value);
    release();
    release = next;
  };
}

/** The confidential material of `values` for the token cache key (hashed there). */
export function material(...values: (string | undefined)[]): string {
  return values.map((value) => value ?? '').join('\n');
}
