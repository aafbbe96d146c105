/**
 * Checks of the settings every token grant shares, on values as they will be sent (references resolved):
 * the client (id, secret or private key, authentication method, signing algorithm) and the endpoint
 * (tokenUrl / issuer over https, scopes, audience, resource, allowDiscoveredIssuer). Issues name key
 * paths, never values.
 */
import type { Issue } from '../../errors.js';
import { secureEndpointProblem } from '../urls.js';
import type { OAuth2AuthConfig } from '../../config/types.js';
import { checkPrivateKey } from './private-key-jwt.js';

/** The shared fields of every machine-credential grant, as loading checked their shape. */
export type GrantFields = Omit<OAuth2AuthConfig, 'type' | 'clientId'> & { clientId?: string };

/** RFC 6749 §3.3 scope-token: visible ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const HTTPS_HINT = 'credentials are only sent over https (plain http only to 127.0.0.1, ::1 or localhost)';

/**
 * Every problem with the shared fields of `auth`, under `path` (e.g. `mcpServers.jira.auth`). Which keys
 * are there and their types were checked when the config was loaded: these are the checks of the values,
 * which a resolved reference can make empty, non-https or malformed.
 */
export function grantFieldIssues(auth: GrantFields, path: string): Issue[] {
  const issues: Issue[] = [];
  const usesKey = auth.tokenEndpointAuthMethod === 'private_key_jwt';
  if (auth.clientId === '') issues.push({ path: `${path}.clientId`, message: 'must be a non-empty string' });
  if (!usesKey && auth.clientSecret === '') {
    issues.push({
      path: `${path}.clientSecret`,
      message: 'must be a non-empty string',
      hint: 'store it with the secrets command and reference it as "secret:NAME"',
    });
  }
  issues.push(...endpointIssues(auth, path, 'tokenUrl', 'issuer'));
  issues.push(...scopeIssues(auth.scopes, `${path}.scopes`));
  if (auth.audience === '') issues.push({ path: `${path}.audience`, message: 'must be a non-empty string' });
  if (auth.resource !== undefined && !isResourceUrl(auth.resource)) {
    issues.push({
      path: `${path}.resource`,
      message: 'must be an absolute URL without a fragment (RFC 8707)',
    });
  }
  issues.push(...keyIssues(auth, path, usesKey));
  return issues;
}

/** `privateKey` and `signingAlgorithm`: present exactly with private_key_jwt, and fitting each other. */
function keyIssues(auth: GrantFields, path: string, usesKey: boolean): Issue[] {
  const alg = auth.signingAlgorithm;
  if (!usesKey) {
    return auth.privateKey !== undefined || alg !== undefined
      ? [
          {
            path: `${path}.${auth.privateKey !== undefined ? 'privateKey' : 'signingAlgorithm'}`,
            message: 'is used only with "tokenEndpointAuthMethod": "private_key_jwt"',
            hint: 'add "tokenEndpointAuthMethod": "private_key_jwt", or remove this key',
          },
        ]
      : [];
  }
  if (!auth.privateKey) {
    return [
      {
        path: `${path}.privateKey`,
        message: 'is required with private_key_jwt: a PEM private key',
        hint: 'store the PEM with `mcp-sentinel secrets set NAME < key.pem` and reference it as "secret:NAME"',
      },
    ];
  }
  const check = checkPrivateKey(auth.privateKey, alg);
  return check.ok ? [] : [{ path: `${path}.privateKey`, message: check.problem }];
}

/** `keys` of `bag` that are set must be https (or loopback) URLs. */
export function endpointIssues<K extends string>(
  bag: Partial<Record<K, string>>,
  path: string,
  ...keys: K[]
): Issue[] {
  const issues: Issue[] = [];
  for (const key of keys) {
    const value = bag[key];
    if (value === undefined) continue;
    const problem = secureEndpointProblem(value);
    if (problem) issues.push({ path: `${path}.${key}`, message: problem, hint: HTTPS_HINT });
  }
  return issues;
}

/** Each scope must be one RFC 6749 scope-token (a reference may resolve to "a b"). */
export function scopeIssues(scopes: string[] | undefined, path: string): Issue[] {
  const issues: Issue[] = [];
  (scopes ?? []).forEach((scope, index) => {
    if (!SCOPE_TOKEN.test(scope)) {
      issues.push({
        path: `${path}.${index}`,
        message: 'must be one scope name: visible ASCII without spaces, quotes or backslashes',
      });
    }
  });
  return issues;
}

/** RFC 8707: an absolute http(s) URL without a fragment. */
export function isResourceUrl(value: string): boolean {
  if (value.includes('#')) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
