/**
 * The `sign-in` check of a backend whose token needs the user's sign-in to an identity provider (an
 * `enterprise` entry without `idp.idToken`): signed in (until when, refresh available) or sign-in needed
 * with the command to run. Built from the auth strategy's description: never a token.
 */
import type { NamedCheck } from './report.js';

export function idpSignInCheck(
  name: string,
  auth: Record<string, unknown> | undefined,
): NamedCheck | undefined {
  const info = auth?.idpSignIn as Record<string, unknown> | undefined;
  if (!info) return undefined;
  const issuer = String(info.issuer);
  if (info.signedIn === true) {
    const expiresAt = typeof info.expiresAt === 'string' ? info.expiresAt : undefined;
    const refresh = info.refreshAvailable
      ? 'refresh available'
      : 'no refresh token: sign in again when it expires';
    return {
      id: 'sign-in',
      status: 'ok',
      reason: `signed in to the identity provider ${issuer}${expiresAt ? ` (ID token expires ${expiresAt}, ${refresh})` : ''}`,
    };
  }
  // Unknown until the grant first ran (e.g. the authorization server is still to be discovered).
  if (info.signedIn !== false) return undefined;
  return {
    id: 'sign-in',
    status: 'fail',
    reason: `sign-in needed at the identity provider ${issuer}${info.refreshRefused ? ' (it refused to refresh the sign-in)' : ''}`,
    hint: `run: mcp-sentinel login ${name}`,
  };
}

/**
 * The doctor line of a backend that signs in (auth `oauth`, or no auth and a server that asked): signed in
 * or sign-in needed, the issuer, scopes, expiry and whether a refresh token is there. Never a token.
 */
export function signInCheck(name: string, auth: Record<string, unknown> | undefined): NamedCheck | undefined {
  const info = auth?.signIn as Record<string, unknown> | undefined;
  if (!info) return undefined;
  const issuer = typeof info.issuer === 'string' ? `issuer ${info.issuer}` : 'issuer not known yet';
  const scopes =
    Array.isArray(info.scopes) && info.scopes.length > 0 ? `scopes ${info.scopes.join(' ')}` : 'no scopes';
  if (info.signedIn && !info.needed) {
    const expiry = typeof info.expiresAt === 'string' ? `, expires ${info.expiresAt}` : '';
    const refresh = info.refreshAvailable ? 'refresh available' : 'no refresh token';
    return { id: 'sign-in', status: 'ok', reason: `signed in (${issuer}, ${scopes}${expiry}, ${refresh})` };
  }
  return {
    id: 'sign-in',
    status: 'fail',
    reason: `sign-in needed (${issuer})`,
    hint: `run: mcp-sentinel login ${name}`,
  };
}
