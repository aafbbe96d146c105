/**
 * The `oauth2` grant: client credentials (RFC 6749 §4.4), the client authenticated with its secret
 * (`client_secret_basic` / `client_secret_post`) or its private key (`private_key_jwt`, RFC 7523 §2.2).
 */
import type { OAuth2AuthConfig } from '../../config/types.js';
import { redactSecret } from '../../log.js';
import { clientAuthentication } from './client-auth.js';
import { checkPrivateKey } from './private-key-jwt.js';
import type { TokenGrant } from './grant.js';
import { requestToken } from './token-client.js';

export function clientCredentialsGrant(auth: OAuth2AuthConfig): TokenGrant {
  const method = auth.tokenEndpointAuthMethod ?? 'client_secret_basic';
  const usesKey = method === 'private_key_jwt';
  const material = (usesKey ? auth.privateKey : auth.clientSecret) ?? '';
  redactSecret(material);
  const key =
    usesKey && auth.privateKey !== undefined
      ? checkPrivateKey(auth.privateKey, auth.signingAlgorithm)
      : undefined;
  const signingAlgorithm = key?.ok ? key.alg : undefined;
  const client = clientAuthentication({
    clientId: auth.clientId,
    clientSecret: auth.clientSecret,
    method,
    privateKey: auth.privateKey,
    signingAlgorithm,
  });
  return {
    type: 'oauth2',
    tokenUrl: auth.tokenUrl,
    issuer: auth.issuer,
    resource: auth.resource,
    allowDiscoveredIssuer: auth.allowDiscoveredIssuer,
    confidential: usesKey ? 'an assertion signed with the private key' : 'the client secret',
    identity: { clientId: auth.clientId, material, scopes: auth.scopes, audience: auth.audience },
    request: (target, env) => {
      const parameters = new URLSearchParams();
      if (auth.scopes && auth.scopes.length > 0) parameters.set('scope', auth.scopes.join(' '));
      if (auth.audience) parameters.set('audience', auth.audience);
      if (target.resource) parameters.set('resource', target.resource);
      return requestToken(
        {
          tokenEndpoint: target.tokenEndpoint,
          issuer: target.issuer,
          clientId: auth.clientId,
          auth: client,
          grantType: 'client_credentials',
          parameters,
          grantName: 'client credentials grant',
        },
        env,
      );
    },
    describe: () => ({
      clientId: auth.clientId,
      tokenEndpointAuthMethod: method,
      ...(signingAlgorithm !== undefined ? { signingAlgorithm } : {}),
      scopes: auth.scopes ?? [],
      audience: auth.audience,
    }),
  };
}
