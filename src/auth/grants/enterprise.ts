/**
 * The `enterprise` grant: enterprise-managed authorization (SEP-990, Identity Assertion JWT Authorization
 * Grant). Two requests per access token:
 * 1. at the company's identity provider (`idp`, always pinned by the config), an RFC 8693 token exchange of
 *    the user's ID token for an ID-JAG: `requested_token_type=urn:ietf:params:oauth:token-type:id-jag`,
 *    `audience` = the MCP server's authorization server (its issuer), `resource` = the MCP server;
 * 2. at that authorization server (pinned, or discovered with `allowDiscoveredIssuer`), the JWT-bearer
 *    grant with the ID-JAG as the assertion, the client authenticated as configured.
 * The ID-JAG is short-lived and used once, so it is not cached; the access token is, like any other, until
 * a logout of this server or of the sign-in to the identity provider (sign-in-notices.ts).
 * Without `idp.idToken`, the ID token is the user's own sign-in to the identity provider (idp-subject.ts).
 */
import type { EnterpriseAuthConfig } from '../../config/types.js';
import { redactSecret } from '../../log.js';
import { clientAuthentication, type ClientAuthentication } from '../oauth2/client-auth.js';
import { fetchAuthorizationServer } from '../oauth2/discovery.js';
import type { GrantTarget, TokenGrant } from '../oauth2/grant.js';
import { requestToken, TokenError, type TokenRequestEnv } from '../oauth2/token-client.js';
import {
  describeClient,
  grantClient,
  ID_JAG,
  ID_TOKEN,
  material,
  rotatingRedaction,
  TOKEN_EXCHANGE,
} from './common.js';
import { idpSignedInSubject } from './idp-subject.js';
import { requestJwtBearer } from './jwt-bearer.js';
import type { SignedInContext } from './signed-in-subject.js';

const IDP_HINTS: Readonly<Record<string, string>> = {
  invalid_grant:
    'the identity provider refused the ID token: check that auth.idp.idToken is current and issued to auth.idp.clientId',
  invalid_client: 'check auth.idp.clientId and auth.idp.clientSecret',
  unauthorized_client: 'the identity provider does not allow this client to request ID-JAGs (token exchange)',
  invalid_target:
    'the identity provider does not allow an ID-JAG for this MCP server or its authorization server',
  unsupported_grant_type: 'the identity provider does not support token exchange for ID-JAGs',
};

export function enterpriseGrant(auth: EnterpriseAuthConfig, ctx: SignedInContext): TokenGrant {
  const { idp } = auth;
  const client = grantClient(auth);
  const idpClient = clientAuthentication({ clientId: idp.clientId, clientSecret: idp.clientSecret });
  const given = idp.idToken;
  const signedIn = given === undefined ? idpSignedInSubject(idp, ctx) : undefined;
  const idToken = (env: TokenRequestEnv): Promise<string> =>
    signedIn ? signedIn.idToken(env) : Promise.resolve(given as string);
  if (given !== undefined) redactSecret(given);
  if (idp.clientSecret !== undefined) redactSecret(idp.clientSecret);
  const rememberJag = rotatingRedaction();
  let idpEndpoint: Promise<string> | undefined;

  /** The IdP's token endpoint: pinned, or from the pinned issuer's metadata (asked again after a failure). */
  const idpTokenEndpoint = (env: TokenRequestEnv): Promise<string> => {
    if (idp.tokenEndpoint !== undefined) return Promise.resolve(idp.tokenEndpoint);
    idpEndpoint ??= fetchAuthorizationServer(idp.issuer, env).then((as) => as.tokenEndpoint);
    idpEndpoint.catch(() => (idpEndpoint = undefined));
    return idpEndpoint;
  };

  const requestJag = async (target: GrantTarget, env: TokenRequestEnv): Promise<string> => {
    const subject = await idToken(env);
    const jag = await requestIdJag(auth, subject, idpClient, await idpTokenEndpoint(env), target, env);
    rememberJag(jag);
    return jag;
  };

  return {
    type: 'enterprise',
    tokenUrl: auth.tokenUrl,
    issuer: auth.issuer,
    resource: auth.resource,
    allowDiscoveredIssuer: auth.allowDiscoveredIssuer,
    confidential: 'an ID-JAG or the client credentials',
    identity: {
      clientId: auth.clientId,
      material: material(
        idp.issuer,
        idp.clientId,
        given ?? 'signIn',
        idp.clientSecret,
        auth.clientSecret,
        auth.privateKey,
      ),
      scopes: auth.scopes,
    },
    signInChanges: (watch) => signedIn?.signInChanges(watch),
    forget: () => signedIn?.forget(),
    request: async (target, env) => {
      const jag = await requestJag(target, env);
      return requestJwtBearer(auth, client, target, jag, 'JWT-bearer grant with the ID-JAG', env);
    },
    describe: () => ({
      ...describeClient(auth, client),
      idp: { issuer: idp.issuer, tokenEndpoint: idp.tokenEndpoint, clientId: idp.clientId },
      ...(signedIn ? { idpSignIn: signedIn.describe() } : {}),
    }),
  };
}

/** Step 1: the ID token exchanged at the identity provider for an ID-JAG naming `target`'s server. */
async function requestIdJag(
  auth: EnterpriseAuthConfig,
  idToken: string,
  idpClient: ClientAuthentication,
  idpTokenEndpoint: string,
  target: GrantTarget,
  env: TokenRequestEnv,
): Promise<string> {
  const { idp } = auth;
  if (target.issuer === undefined) {
    throw new TokenError(
      true,
      `backend "${env.backend}": the issuer of its authorization server is not known`,
      {
        hint: 'set auth.issuer: the ID-JAG names it as its audience',
      },
    );
  }
  const parameters = new URLSearchParams({
    requested_token_type: ID_JAG,
    audience: target.issuer,
    resource: target.resource ?? target.backendUrl,
    subject_token: idToken,
    subject_token_type: ID_TOKEN,
  });
  if (auth.scopes && auth.scopes.length > 0) parameters.set('scope', auth.scopes.join(' '));
  const issued = await requestToken(
    {
      tokenEndpoint: idpTokenEndpoint,
      issuer: idp.issuer,
      clientId: idp.clientId,
      auth: idpClient,
      grantType: TOKEN_EXCHANGE,
      parameters,
      grantName: 'token exchange for an ID-JAG at the identity provider',
      tokenTypes: ['n_a', 'bearer'],
      issuedTokenType: ID_JAG,
      hints: IDP_HINTS,
    },
    env,
  );
  return issued.accessToken;
}
