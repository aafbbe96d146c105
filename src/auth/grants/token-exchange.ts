/**
 * The `token-exchange` grant (RFC 8693): the configured subject token (a corporate ID or access token),
 * and optionally an actor token, are exchanged at a security token service for a token scoped to this one
 * backend (`audience` and/or `resource`, `scopes`, `requested_token_type`). The exchanged token is
 * cached and refreshed by the token strategy like any other, and dropped by a logout of this server or of
 * the sign-in its subject token comes from (sign-in-notices.ts).
 */
import type { TokenExchangeAuthConfig } from '../../config/types.js';
import { redactSecret } from '../../log.js';
import type { TokenGrant } from '../oauth2/grant.js';
import { requestToken, type TokenRequestEnv } from '../oauth2/token-client.js';
import {
  describeClient,
  grantClient,
  material,
  rotatingRedaction,
  targetParameters,
  TOKEN_EXCHANGE,
} from './common.js';
import { signedInSubject, type SignedInContext } from './signed-in-subject.js';

export const TOKEN_EXCHANGE_HINTS: Readonly<Record<string, string>> = {
  invalid_grant:
    'the token service refused the subject token: check that auth.subjectToken is current and of auth.subjectTokenType',
  invalid_target: 'the token service will not issue a token for auth.audience / auth.resource to this client',
  unauthorized_client: 'the token service does not allow this client to exchange tokens',
  invalid_scope: 'check auth.scopes against what the token service grants for this audience',
  unsupported_grant_type: 'the token endpoint does not support RFC 8693 token exchange',
};

export function tokenExchangeGrant(auth: TokenExchangeAuthConfig, ctx: SignedInContext): TokenGrant {
  const client = grantClient(auth);
  const given = auth.subjectToken;
  const remember = rotatingRedaction();
  const signedIn = typeof given === 'string' ? undefined : signedInSubject(given.signIn, ctx);
  const subjectToken = (env: TokenRequestEnv) => signedIn?.token(env) ?? Promise.resolve(given as string);
  if (typeof given === 'string') remember(given);
  if (auth.actorToken !== undefined) redactSecret(auth.actorToken);
  return {
    type: 'token-exchange',
    tokenUrl: auth.tokenUrl,
    issuer: auth.issuer,
    resource: auth.resource,
    allowDiscoveredIssuer: auth.allowDiscoveredIssuer,
    confidential: 'the subject token',
    identity: {
      clientId: auth.clientId,
      material: material(
        typeof given === 'string' ? given : `signIn:${given.signIn}`,
        auth.subjectTokenType,
        auth.actorToken,
        auth.requestedTokenType,
        auth.clientSecret,
        auth.privateKey,
      ),
      scopes: auth.scopes,
      audience: auth.audience,
    },
    signInChanges: (watch) => signedIn?.signInChanges(watch),
    forget: () => signedIn?.forget(),
    request: async (target, env) => {
      const subject = await subjectToken(env);
      remember(subject);
      const parameters = targetParameters(auth, target);
      parameters.set('subject_token', subject);
      parameters.set('subject_token_type', auth.subjectTokenType);
      if (auth.actorToken !== undefined) {
        parameters.set('actor_token', auth.actorToken);
        parameters.set('actor_token_type', auth.actorTokenType ?? '');
      }
      if (auth.requestedTokenType) parameters.set('requested_token_type', auth.requestedTokenType);
      return requestToken(
        {
          tokenEndpoint: target.tokenEndpoint,
          issuer: target.issuer,
          clientId: auth.clientId,
          auth: client,
          grantType: TOKEN_EXCHANGE,
          parameters,
          grantName: 'token exchange',
          // RFC 8693 §2.2.1: N_A when the issued token is not an access token; it is still sent as Bearer.
          tokenTypes: ['bearer', 'n_a'],
          issuedTokenType: auth.requestedTokenType,
          hints: TOKEN_EXCHANGE_HINTS,
        },
        env,
      );
    },
    describe: () => ({
      ...describeClient(auth, client),
      subjectTokenType: auth.subjectTokenType,
      ...(typeof given === 'string' ? {} : { subjectTokenFrom: `sign-in of "${given.signIn}"` }),
      ...(auth.actorTokenType !== undefined ? { actorTokenType: auth.actorTokenType } : {}),
      ...(auth.requestedTokenType !== undefined ? { requestedTokenType: auth.requestedTokenType } : {}),
    }),
  };
}
