/**
 * Checks of an `oauth` (user sign-in) entry, on values as they will be sent (references resolved). Every
 * field is optional; issues name key paths, never values.
 */
import type { Issue } from '../../errors.js';
import type { OAuthAuthConfig } from '../../config/types.js';
import { endpointIssues } from '../oauth2/validate.js';

/** RFC 6749 §3.3 scope-token: visible ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'];

export function validateSignIn(auth: OAuthAuthConfig, path: string): Issue[] {
  const issues: Issue[] = [];
  for (const key of ['clientId', 'clientSecret'] as const) {
    const value = auth[key];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0))
      issues.push({ path: `${path}.${key}`, message: 'must be a non-empty string' });
  }
  if (auth.clientSecret !== undefined && auth.clientId === undefined) {
    issues.push({
      path: `${path}.clientSecret`,
      message: 'needs auth.clientId (the client the secret belongs to)',
    });
  }
  issues.push(
    ...endpointIssues(auth as unknown as Record<string, unknown>, path, 'issuer', 'clientMetadataUrl'),
  );
  if (auth.scopes !== undefined) {
    if (!Array.isArray(auth.scopes))
      issues.push({ path: `${path}.scopes`, message: 'must be an array of scope names' });
    else
      auth.scopes.forEach((scope, index) => {
        if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
          issues.push({
            path: `${path}.scopes.${index}`,
            message: 'must be one scope name: visible ASCII without spaces, quotes or backslashes',
          });
        }
      });
  }
  const port = auth.redirectPort;
  if (port !== undefined && (!Number.isInteger(port) || port < 1024 || port > 65535)) {
    issues.push({ path: `${path}.redirectPort`, message: 'must be a port number from 1024 to 65535' });
  }
  if (auth.resource !== undefined && auth.resource !== false && !isResource(auth.resource)) {
    issues.push({
      path: `${path}.resource`,
      message: 'must be an absolute URL without a fragment (RFC 8707), or false to omit the parameter',
    });
  }
  if (auth.tokenEndpointAuthMethod !== undefined && !AUTH_METHODS.includes(auth.tokenEndpointAuthMethod)) {
    issues.push({
      path: `${path}.tokenEndpointAuthMethod`,
      message: `must be one of ${AUTH_METHODS.join(', ')}`,
    });
  }
  if (auth.allowDiscoveredIssuer !== undefined && typeof auth.allowDiscoveredIssuer !== 'boolean') {
    issues.push({ path: `${path}.allowDiscoveredIssuer`, message: 'must be true or false' });
  }
  return issues;
}

function isResource(value: unknown): boolean {
  if (typeof value !== 'string' || value.includes('#')) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
