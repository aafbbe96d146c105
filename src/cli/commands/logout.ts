/**
 * `mcp-sentinel logout NAME`: forgets what NAME signed in with and drops every token cached for it.
 *
 * - A sign-in (`"type": "oauth"`, or a remote entry without `auth`): its tokens leave the keychain, revoked
 *   where the authorization server offers RFC 7009.
 * - `enterprise` without `idp.idToken`: the sign-in to the identity provider (login-idp.ts).
 * - Tokens from a grant (`oauth2`/`client-credentials`, `jwt-bearer`, `token-exchange`, `enterprise`):
 *   never stored, but running `serve` processes hold them in memory.
 * In every case a sign-in notice (auth/sign-in-notices.ts) makes each running `serve` drop, before its next
 * request, the tokens it holds for NAME and those made from its sign-in (token exchanges whose subject
 * token is NAME's sign-in; entries sharing its sign-in to the identity provider).
 */
import { createAuthStrategy, type SignInStrategy } from '../../auth/index.js';
import { announceSignInChange, serverNotice } from '../../auth/sign-in-notices.js';
import type { HttpServerConfig, ResolvedHttpServerConfig } from '../../config/types.js';
import { isStdioServer } from '../../config/types.js';
import { SentinelError } from '../../errors.js';
import { log } from '../../log.js';
import { loadRuntime, type CommonOptions, type Runtime } from '../runtime.js';
import { resolve } from './login.js';
import { logoutIdp, signsInToIdp } from './login-idp.js';

const GRANTS = ['oauth2', 'client-credentials', 'jwt-bearer', 'token-exchange', 'enterprise'];

export async function logout(options: CommonOptions & { name: string }): Promise<number> {
  const runtime = await loadRuntime(options);
  const { name } = options;
  const raw = runtime.loaded.config.mcpServers[name];
  if (!raw) {
    throw new SentinelError('USAGE', `no server named "${name}" in ${runtime.loaded.path}`);
  }
  if (isStdioServer(raw)) {
    out(`${name} is a local (stdio) server: there is no sign-in to forget`);
    return 0;
  }
  if (signsInToIdp(raw)) return logoutIdp(name, raw, runtime, { resolve });
  const auth = raw.auth;
  if (auth && GRANTS.includes(auth.type)) return dropGrantTokens(name, raw, runtime);
  if (auth && auth.type !== 'oauth') {
    // Not resolved: its credentials are not needed to say so (a missing one must not fail the logout).
    out(`${name} uses ${auth.type} credentials from the config: there is no sign-in to forget`);
    return 0;
  }
  const server = await resolve(name, raw, runtime);
  const strategy = createAuthStrategy(
    server.auth?.type === 'oauth' ? server : { ...server, auth: undefined },
    {
      backend: name,
      log: log.child(name),
      clientMetadataUrl: runtime.loaded.settings.clientMetadataUrl,
    },
  ) as SignInStrategy;
  // signOut() also tells running serve instances (auth/sign-in-notices.ts).
  const { removed, revoked } = await strategy.session.signOut();
  out(
    removed
      ? `signed out of ${name}${revoked ? ' (tokens revoked at the authorization server)' : ''}`
      : `${name} was not signed in`,
  );
  return 0;
}

/** Grant tokens live only in the memory of running `serve` processes: the notice drops them there. */
async function dropGrantTokens(name: string, raw: HttpServerConfig, runtime: Runtime): Promise<number> {
  // Only the URL is needed: the entry's credentials are not read (a missing one must not stop a logout).
  const { url } = await resolve(name, { type: raw.type, url: raw.url } as HttpServerConfig, runtime);
  await announceSignInChange([serverNotice(url)]);
  const auth = raw.auth as ResolvedHttpServerConfig['auth'];
  const subject =
    auth?.type === 'token-exchange' && typeof auth.subjectToken === 'object' ? auth.subjectToken.signIn : '';
  out(
    `dropped the tokens of ${name} that running serve instances hold; they get new ones from its configured credentials${subject ? ` and the sign-in of ${subject} (to sign out of that: mcp-sentinel logout ${subject})` : ''}`,
  );
  return 0;
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}
