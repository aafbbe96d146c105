/**
 * Checks of an `oauth` (user sign-in) entry, on values as they will be sent (references resolved); its
 * shape was checked when the config was loaded. Every field is optional; issues name key paths, never
 * values.
 */
import type { Issue } from '../../errors.js';
import type { OAuthAuthConfig } from '../../config/types.js';
import { endpointIssues, isResourceUrl, scopeIssues } from '../oauth2/validate.js';

export function validateSignIn(auth: OAuthAuthConfig, path: string): Issue[] {
  const issues: Issue[] = [];
  for (const key of ['clientId', 'clientSecret'] as const) {
    if (auth[key] === '') issues.push({ path: `${path}.${key}`, message: 'must be a non-empty string' });
  }
  if (auth.clientSecret !== undefined && auth.clientId === undefined) {
    issues.push({
      path: `${path}.clientSecret`,
      message: 'needs auth.clientId (the client the secret belongs to)',
    });
  }
  issues.push(...endpointIssues(auth, path, 'issuer', 'clientMetadataUrl'));
  issues.push(...scopeIssues(auth.scopes, `${path}.scopes`));
  if (typeof auth.resource === 'string' && !isResourceUrl(auth.resource)) {
    issues.push({
      path: `${path}.resource`,
      message: 'must be an absolute URL without a fragment (RFC 8707), or false to omit the parameter',
    });
  }
  return issues;
}
