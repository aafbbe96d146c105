/**
 * Checks of the settings every token grant shares, on values as they will be sent (references resolved):
 * the client (id, secret or private key, authentication method, signing algorithm) and the endpoint
 * (tokenUrl / issuer over https, scopes, audience, resource, allowDiscoveredIssuer). Issues name key
 * paths, never values.
 */
import type { Issue } from '../../errors.js';
import { secureEndpointProblem } from '../urls.js';
import { checkPrivateKey, SIGNING_ALGORITHMS } from './private-key-jwt.js';

/** The shared fields, as any grant's config may carry them. */
export interface GrantFields {
  tokenUrl?: unknown;
  issuer?: unknown;
  clientId?: unknown;
  clientSecret?: unknown;
  tokenEndpointAuthMethod?: unknown;
  privateKey?: unknown;
  signingAlgorithm?: unknown;
  scopes?: unknown;
  audience?: unknown;
  resource?: unknown;
  allowDiscoveredIssuer?: unknown;
}

export interface ClientRules {
  /** Whether a client_id must be given (client credentials, enterprise). */
  clientIdRequired: boolean;
  /** Whether the client must authenticate (client credentials): a secret, or a key with private_key_jwt. */
  credentialRequired: boolean;
}

/** RFC 6749 §3.3 scope-token: visible ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];
const HTTPS_HINT = 'credentials are only sent over https (plain http only to 127.0.0.1, ::1 or localhost)';

/** Every problem with the shared fields of `auth`, under `path` (e.g. `mcpServers.jira.auth`). */
export function grantFieldIssues(auth: GrantFields, path: string, rules: ClientRules): Issue[] {
  const issues: Issue[] = [];
  const usesKey = auth.tokenEndpointAuthMethod === 'private_key_jwt';
  if (auth.clientId !== undefined || rules.clientIdRequired) {
    if (typeof auth.clientId !== 'string' || auth.clientId.length === 0)
      issues.push({ path: `${path}.clientId`, message: 'must be a non-empty string' });
  }
  if (!usesKey && (auth.clientSecret !== undefined || rules.credentialRequired)) {
    if (typeof auth.clientSecret !== 'string' || auth.clientSecret.length === 0) {
      issues.push({
        path: `${path}.clientSecret`,
        message: 'must be a non-empty string',
        hint: 'store it with the secrets command and reference it as "secret:NAME"',
      });
    }
  }
  issues.push(...endpointIssues(auth as Record<string, unknown>, path, 'tokenUrl', 'issuer'));
  issues.push(...scopeIssues(auth.scopes, `${path}.scopes`));
  if (auth.audience !== undefined && (typeof auth.audience !== 'string' || auth.audience.length === 0)) {
    issues.push({ path: `${path}.audience`, message: 'must be a non-empty string' });
  }
  if (auth.resource !== undefined) {
    if (typeof auth.resource !== 'string' || !isHttpUrl(auth.resource) || auth.resource.includes('#')) {
      issues.push({
        path: `${path}.resource`,
        message: 'must be an absolute URL without a fragment (RFC 8707)',
      });
    }
  }
  if (
    auth.tokenEndpointAuthMethod !== undefined &&
    !AUTH_METHODS.includes(auth.tokenEndpointAuthMethod as string)
  ) {
    issues.push({
      path: `${path}.tokenEndpointAuthMethod`,
      message: `must be one of ${AUTH_METHODS.join(', ')}`,
    });
  }
  if (auth.allowDiscoveredIssuer !== undefined && typeof auth.allowDiscoveredIssuer !== 'boolean') {
    issues.push({ path: `${path}.allowDiscoveredIssuer`, message: 'must be true or false' });
  }
  issues.push(...keyIssues(auth, path, usesKey));
  return issues;
}

/** `privateKey` and `signingAlgorithm`: present exactly with private_key_jwt, and fitting each other. */
function keyIssues(auth: GrantFields, path: string, usesKey: boolean): Issue[] {
  const alg = auth.signingAlgorithm;
  if (alg !== undefined && !(SIGNING_ALGORITHMS as readonly unknown[]).includes(alg)) {
    return [{ path: `${path}.signingAlgorithm`, message: `must be one of ${SIGNING_ALGORITHMS.join(', ')}` }];
  }
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
  if (typeof auth.privateKey !== 'string' || auth.privateKey.length === 0) {
    return [
      {
        path: `${path}.privateKey`,
        message: 'is required with private_key_jwt: a PEM private key',
        hint: 'store the PEM with `mcp-sentinel secrets set NAME < key.pem` and reference it as "secret:NAME"',
      },
    ];
  }
  const check = checkPrivateKey(auth.privateKey, alg as (typeof SIGNING_ALGORITHMS)[number] | undefined);
  return check.ok ? [] : [{ path: `${path}.privateKey`, message: check.problem }];
}

/** `keys` of `bag` that are set must be https (or loopback) URLs. */
export function endpointIssues(bag: Record<string, unknown>, path: string, ...keys: string[]): Issue[] {
  const issues: Issue[] = [];
  for (const key of keys) {
    const value = bag[key];
    if (value === undefined) continue;
    const problem = typeof value === 'string' ? secureEndpointProblem(value) : 'must be a URL string';
    if (problem) issues.push({ path: `${path}.${key}`, message: problem, hint: HTTPS_HINT });
  }
  return issues;
}

function scopeIssues(scopes: unknown, path: string): Issue[] {
  if (scopes === undefined) return [];
  if (!Array.isArray(scopes)) return [{ path, message: 'must be an array of scope names' }];
  const issues: Issue[] = [];
  scopes.forEach((scope, index) => {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      issues.push({
        path: `${path}.${index}`,
        message: 'must be one scope name: visible ASCII without spaces, quotes or backslashes',
      });
    }
  });
  return issues;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
