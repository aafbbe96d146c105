/**
 * The ID token of an `enterprise` entry without `idp.idToken`: the user's own OpenID Connect sign-in to
 * that identity provider (`mcp-sentinel login NAME`, idp/session.ts: the keychain, refreshed ahead of
 * expiry with the cross-process lock). Without a usable sign-in the token request fails at once with
 * AUTH_SIGNIN_REQUIRED and the command to run; other backends are not affected. A logout of that sign-in
 * (sign-in-notices.ts) drops the ID token read here: the next exchange reads the keychain again.
 */
import type { IdpConfig } from '../../config/types.js';
import { SentinelError } from '../../errors.js';
import { defaultBaseFetch } from '../base-fetch.js';
import { IdpSignIn } from '../idp/session.js';
import type { TokenRequestEnv } from '../oauth2/token-client.js';
import { idpNotice } from '../sign-in-notices.js';
import type { SignedInContext } from './signed-in-subject.js';

export interface IdpSubject {
  /** The ID token to exchange now. */
  idToken(env: TokenRequestEnv): Promise<string>;
  /** The sign-in's state for describe(): never a token. */
  describe(): Record<string, unknown>;
  /** The grant's `signInChanges`: this sign-in to the identity provider. */
  signInChanges(watch: (subject: string) => void): void;
  /** After a change of the sign-in: the next ID token is read from the keychain again. */
  forget(): void;
}

export function idpSignedInSubject(idp: IdpConfig, ctx: SignedInContext): IdpSubject {
  let session: IdpSignIn | undefined;
  const open = (): IdpSignIn =>
    (session ??= new IdpSignIn(ctx.backend, idp, {
      store: ctx.signInStore(),
      base: ctx.baseFetch ?? defaultBaseFetch(),
      log: ctx.log,
      now: ctx.now,
      lockDir: ctx.lockDir,
    }));
  return {
    idToken: async (env) => {
      const current = open();
      const token = await current.idToken();
      if (token) return token;
      throw new SentinelError(
        'AUTH_SIGNIN_REQUIRED',
        `backend "${env.backend}" needs sign-in to its identity provider ${idp.issuer}${current.refreshRefused ? ' again: it refused to refresh the sign-in' : ''}`,
        { hint: `run: mcp-sentinel login ${env.backend}`, permanent: true },
      );
    },
    describe: () =>
      session ? session.describe() : { issuer: idp.issuer, clientId: idp.clientId, signedIn: undefined },
    signInChanges: (watch) => watch(idpNotice(idp.issuer, idp.clientId)),
    forget: () => session?.forget(),
  };
}
