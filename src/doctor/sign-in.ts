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
