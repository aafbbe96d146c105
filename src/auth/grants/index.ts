/**
 * The machine-credential grants beside `oauth2` (client credentials): `jwt-bearer` (RFC 7523),
 * `token-exchange` (RFC 8693) and `enterprise` (SEP-990). Validation of their settings (values as they
 * will be sent; issues name key paths, never values) and the factory that hands each grant to the shared
 * token strategy (oauth2/strategy.ts: endpoint pinning and discovery, cache, refresh, 401 handling).
 */
import { isAbsolute } from 'node:path';
import type { EnterpriseAuthConfig, GrantAuthConfig } from '../../config/types.js';
import type { Issue } from '../../errors.js';
import type { TokenGrant } from '../oauth2/grant.js';
import { createTokenStrategy } from '../oauth2/strategy.js';
import type { TokenCache } from '../oauth2/token-cache.js';
import { endpointIssues, grantFieldIssues } from '../oauth2/validate.js';
import type { AuthStrategy } from '../strategy.js';
import { enterpriseGrant } from './enterprise.js';
import { jwtBearerGrant } from './jwt-bearer.js';
import type { SignedInContext } from './signed-in-subject.js';
import { tokenExchangeGrant } from './token-exchange.js';

export const GRANT_TYPES = ['jwt-bearer', 'token-exchange', 'enterprise'] as const;

export function isGrantType(type: unknown): type is GrantAuthConfig['type'] {
  return (GRANT_TYPES as readonly unknown[]).includes(type);
}

export function createGrantStrategy(
  input: { url: string; headers: Record<string, string>; auth: GrantAuthConfig },
  ctx: SignedInContext & { tokenCache?: TokenCache },
): AuthStrategy {
  const { auth } = input;
  const grant: TokenGrant =
    auth.type === 'jwt-bearer'
      ? jwtBearerGrant(auth)
      : auth.type === 'token-exchange'
        ? tokenExchangeGrant(auth, ctx)
        : enterpriseGrant(auth, ctx);
  return createTokenStrategy(input, grant, ctx);
}

/**
 * Every problem of a grant's settings under `path` (e.g. `mcpServers.ci.auth`): the values as they will be
 * sent, and the pairings the schema does not express. Keys, types and required fields were checked when
 * the config was loaded.
 */
export function validateGrant(auth: GrantAuthConfig, path: string): Issue[] {
  const issues = grantFieldIssues(auth, path);
  if (auth.type === 'jwt-bearer') {
    const given = (['assertion', 'assertionFile'] as const).filter((key) => auth[key] !== undefined);
    if (given.length !== 1) {
      issues.push({
        path: `${path}.assertion`,
        message: given.length === 0 ? 'or assertionFile is required' : 'and assertionFile exclude each other',
        hint: 'give the workload JWT as "assertion": "${WORKLOAD_JWT}" or "assertionFile": "/path/to/token"',
      });
    }
    issues.push(...emptyIssues(auth, path, ['assertion', 'assertionFile']));
    if (auth.assertionFile && !isAbsolute(auth.assertionFile)) {
      issues.push({ path: `${path}.assertionFile`, message: 'must be an absolute path' });
    }
  }
  if (auth.type === 'token-exchange') {
    const subject = auth.subjectToken;
    if (typeof subject === 'string') issues.push(...emptyIssues(auth, path, ['subjectToken']));
    else issues.push(...emptyIssues(subject, `${path}.subjectToken`, ['signIn']));
    issues.push(
      ...emptyIssues(auth, path, ['subjectTokenType', 'actorToken', 'actorTokenType', 'requestedTokenType']),
    );
    if ((auth.actorToken === undefined) !== (auth.actorTokenType === undefined)) {
      issues.push({
        path: `${path}.${auth.actorToken === undefined ? 'actorToken' : 'actorTokenType'}`,
        message: 'is required with ' + (auth.actorToken === undefined ? 'actorTokenType' : 'actorToken'),
        hint: 'RFC 8693 sends the actor token together with its type',
      });
    }
  }
  if (auth.type === 'enterprise') issues.push(...enterpriseIssues(auth, path));
  return issues;
}

function enterpriseIssues(auth: EnterpriseAuthConfig, path: string): Issue[] {
  const issues: Issue[] = [];
  if (auth.tokenUrl !== undefined && auth.issuer === undefined) {
    issues.push({
      path: `${path}.issuer`,
      message: 'is required with tokenUrl: the ID-JAG names the authorization server by its issuer',
      hint: 'set auth.issuer to the MCP server authorization server issuer, or remove tokenUrl to discover both',
    });
  }
  const idp = auth.idp;
  issues.push(
    ...emptyIssues(idp, `${path}.idp`, ['issuer', 'clientId', 'tokenEndpoint', 'clientSecret', 'idToken']),
  );
  // Scopes of the sign-in to the identity provider (used without `idToken`).
  if (idp.scopes?.some((scope) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))) {
    issues.push({
      path: `${path}.idp.scopes`,
      message: 'must be an array of scope names (no spaces or quotes)',
    });
  }
  issues.push(...endpointIssues(idp, `${path}.idp`, 'issuer', 'tokenEndpoint'));
  return issues;
}

/** The given `keys` of `bag` that a reference resolved to an empty string. */
function emptyIssues<K extends string>(bag: Partial<Record<K, unknown>>, path: string, keys: K[]): Issue[] {
  return keys
    .filter((key) => bag[key] === '')
    .map((key) => ({ path: `${path}.${key}`, message: 'must be a non-empty string' }));
}
