/**
 * The `jwt-bearer` grant (RFC 7523 §2.1; workload identity federation, SEP-1933): a workload's JWT,
 * given as `assertion` or read from `assertionFile` for every token request (projected service-account
 * tokens rotate), is exchanged for an access token. A refusal (`invalid_grant`, `invalid_scope`,
 * `unauthorized_client`, ...) is surfaced at once: no other grant is tried, and the token cache's long
 * backoff keeps the same assertion from being sent again soon.
 */
import { readFile, stat } from 'node:fs/promises';
import type { GrantAuthConfig, JwtBearerAuthConfig } from '../../config/types.js';
import type { ClientAuthentication } from '../oauth2/client-auth.js';
import type { GrantTarget, TokenGrant } from '../oauth2/grant.js';
import { requestToken, TokenError, type TokenRequestEnv } from '../oauth2/token-client.js';
import {
  describeClient,
  grantClient,
  JWT_BEARER,
  material,
  rotatingRedaction,
  targetParameters,
} from './common.js';

/** A workload JWT is a few KiB; anything much larger is not one. */
const MAX_ASSERTION_BYTES = 64 * 1024;

export const JWT_BEARER_HINTS: Readonly<Record<string, string>> = {
  invalid_grant:
    'the authorization server refused the assertion: check that the JWT is current, its audience is this authorization server and its issuer is trusted there',
  unauthorized_client: 'the authorization server does not allow this client the JWT-bearer grant',
  invalid_scope: 'check auth.scopes against what the authorization server grants this workload',
  unsupported_grant_type: 'the authorization server does not support the JWT-bearer grant',
};

/** The token request of the JWT-bearer grant: a workload JWT here, an ID-JAG for the enterprise grant. */
export function requestJwtBearer(
  auth: GrantAuthConfig,
  client: ClientAuthentication,
  target: GrantTarget,
  assertion: string,
  grantName: string,
  env: TokenRequestEnv,
) {
  const parameters = targetParameters(auth, target);
  parameters.set('assertion', assertion);
  return requestToken(
    {
      tokenEndpoint: target.tokenEndpoint,
      issuer: target.issuer,
      clientId: auth.clientId,
      auth: client,
      grantType: JWT_BEARER,
      parameters,
      grantName,
      hints: JWT_BEARER_HINTS,
    },
    env,
  );
}

export function jwtBearerGrant(auth: JwtBearerAuthConfig): TokenGrant {
  const client = grantClient(auth);
  const remember = rotatingRedaction();
  if (auth.assertion !== undefined) remember(auth.assertion);
  return {
    type: 'jwt-bearer',
    tokenUrl: auth.tokenUrl,
    issuer: auth.issuer,
    resource: auth.resource,
    allowDiscoveredIssuer: auth.allowDiscoveredIssuer,
    confidential: 'the assertion',
    identity: {
      clientId: auth.clientId,
      // The file's path, not its content: the content changes and is the same workload's credential.
      material: material(
        auth.assertion ?? `file:${auth.assertionFile ?? ''}`,
        auth.clientSecret,
        auth.privateKey,
      ),
      scopes: auth.scopes,
      audience: auth.audience,
    },
    request: async (target, env) => {
      const assertion = auth.assertion ?? (await readAssertion(auth.assertionFile ?? '', env));
      remember(assertion);
      return requestJwtBearer(auth, client, target, assertion, 'JWT-bearer grant', env);
    },
    describe: () => ({
      ...describeClient(auth, client),
      assertion: auth.assertionFile !== undefined ? 'file' : 'value',
      ...(auth.assertionFile !== undefined ? { assertionFile: auth.assertionFile } : {}),
    }),
  };
}

/** The JWT in `path`, trimmed; a missing or empty file is a transient error (the token may be projected later). */
async function readAssertion(path: string, env: TokenRequestEnv): Promise<string> {
  const who = `backend "${env.backend}"`;
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > MAX_ASSERTION_BYTES) {
      throw new TokenError(
        true,
        `${who}: auth.assertionFile ${path} is larger than ${MAX_ASSERTION_BYTES} bytes`,
        {
          hint: 'point auth.assertionFile at the file holding the workload JWT',
        },
      );
    }
    text = (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if (error instanceof TokenError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new TokenError(false, `${who}: cannot read auth.assertionFile ${path} (${code})`, {
      hint: 'check that the workload token is mounted at that path and readable; it is read again on the next token request',
    });
  }
  if (text.length === 0) {
    throw new TokenError(false, `${who}: auth.assertionFile ${path} is empty`, {
      hint: 'check that the workload token is mounted at that path; it is read again on the next token request',
    });
  }
  return text;
}
