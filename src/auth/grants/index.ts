/**
 * The machine-credential grants beside `oauth2` (client credentials): `jwt-bearer` (RFC 7523),
 * `token-exchange` (RFC 8693) and `enterprise` (SEP-990). Validation of their settings (values as they
 * will be sent; issues name key paths, never values) and the factory that hands each grant to the shared
 * token strategy (oauth2/strategy.ts: endpoint pinning and discovery, cache, refresh, 401 handling).
 */
import { isAbsolute } from 'node:path';
import type { GrantAuthConfig } from '../../config/types.js';
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

/** Every problem of a grant's settings under `path` (e.g. `mcpServers.ci.auth`). */
export function validateGrant(auth: GrantAuthConfig, path: string): Issue[] {
  const bag = auth as unknown as Record<string, unknown>;
  const issues = grantFieldIssues(auth, path, {
    clientIdRequired: auth.type === 'enterprise',
    credentialRequired: false,
  });
  if (auth.type === 'jwt-bearer') {
    const given = ['assertion', 'assertionFile'].filter((key) => bag[key] !== undefined);
    if (given.length !== 1) {
      issues.push({
        path: `${path}.assertion`,
        message: given.length === 0 ? 'or assertionFile is required' : 'and assertionFile exclude each other',
        hint: 'give the workload JWT as "assertion": "${WORKLOAD_JWT}" or "assertionFile": "/path/to/token"',
      });
    }
    issues.push(...stringIssues(bag, path, ['assertion', 'assertionFile'], false));
    if (typeof auth.assertionFile === 'string' && !isAbsolute(auth.assertionFile)) {
      issues.push({ path: `${path}.assertionFile`, message: 'must be an absolute path' });
    }
  }
  if (auth.type === 'token-exchange') {
    const subject = bag.subjectToken;
    if (typeof subject === 'object' && subject !== null && !Array.isArray(subject)) {
      issues.push(
        ...stringIssues(subject as Record<string, unknown>, `${path}.subjectToken`, ['signIn'], true),
      );
    } else {
      issues.push(...stringIssues(bag, path, ['subjectToken'], true));
    }
    issues.push(...stringIssues(bag, path, ['subjectTokenType'], true));
    issues.push(...stringIssues(bag, path, ['actorToken', 'actorTokenType', 'requestedTokenType'], false));
    if ((bag.actorToken === undefined) !== (bag.actorTokenType === undefined)) {
      issues.push({
        path: `${path}.${bag.actorToken === undefined ? 'actorToken' : 'actorTokenType'}`,
        message: 'is required with ' + (bag.actorToken === undefined ? 'actorTokenType' : 'actorToken'),
        hint: 'RFC 8693 sends the actor token together with its type',
      });
    }
  }
  if (auth.type === 'enterprise') issues.push(...enterpriseIssues(auth, path));
  return issues;
}

function enterpriseIssues(auth: GrantAuthConfig & { type: 'enterprise' }, path: string): Issue[] {
  const issues: Issue[] = [];
  if (auth.tokenUrl !== undefined && auth.issuer === undefined) {
    issues.push({
      path: `${path}.issuer`,
      message: 'is required with tokenUrl: the ID-JAG names the authorization server by its issuer',
      hint: 'set auth.issuer to the MCP server authorization server issuer, or remove tokenUrl to discover both',
    });
  }
  const idp = (auth as unknown as { idp?: unknown }).idp;
  if (typeof idp !== 'object' || idp === null || Array.isArray(idp)) {
    issues.push({ path: `${path}.idp`, message: 'must be an object: issuer, clientId, ...' });
    return issues;
  }
  const bag = idp as Record<string, unknown>;
  issues.push(...stringIssues(bag, `${path}.idp`, ['issuer', 'clientId'], true));
  issues.push(...stringIssues(bag, `${path}.idp`, ['tokenEndpoint', 'clientSecret', 'idToken'], false));
  issues.push(...idpSignInIssues(bag, `${path}.idp`));
  issues.push(...endpointIssues(bag, `${path}.idp`, 'issuer', 'tokenEndpoint'));
  return issues;
}

/** `scopes` and `redirectPort` of the sign-in to the identity provider (used without `idToken`). */
function idpSignInIssues(bag: Record<string, unknown>, path: string): Issue[] {
  const issues: Issue[] = [];
  const scopes = bag.scopes;
  if (
    scopes !== undefined &&
    (!Array.isArray(scopes) ||
      scopes.some((s) => typeof s !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)))
  ) {
    issues.push({ path: `${path}.scopes`, message: 'must be an array of scope names (no spaces or quotes)' });
  }
  const port = bag.redirectPort;
  if (
    port !== undefined &&
    (!Number.isInteger(port) || (port as number) < 1024 || (port as number) > 65535)
  ) {
    issues.push({ path: `${path}.redirectPort`, message: 'must be a port number from 1024 to 65535' });
  }
  return issues;
}

function stringIssues(
  bag: Record<string, unknown>,
  path: string,
  keys: string[],
  required: boolean,
): Issue[] {
  const issues: Issue[] = [];
  for (const key of keys) {
    const value = bag[key];
    if (value === undefined && !required) continue;
    if (typeof value !== 'string' || value.length === 0) {
      issues.push({
        path: `${path}.${key}`,
        message: value === undefined ? 'is required' : 'must be a non-empty string',
      });
    }
  }
  return issues;
}
