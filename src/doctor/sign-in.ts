/**
 * The doctor line of a backend that signs in (auth `oauth`, or no auth and a server that asked): signed in
 * or sign-in needed, the issuer, scopes, expiry and whether a refresh token is there. Never a token.
 */
import type { NamedCheck } from './report.js';

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
