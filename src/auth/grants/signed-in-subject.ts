/**
 * A subject token from the user's own sign-in: `"subjectToken": {"signIn": "corp"}` names an `oauth` entry
 * of the config, and its signed-in access token (sign-in core: the keychain, refreshed ahead of expiry
 * with the cross-process lock) is what the token exchange sends. One corporate login (`mcp-sentinel login
 * corp`) then serves every backend that exchanges it. Without a usable sign-in the token request fails
 * with the command to run. A logout of that entry, or a new login (sign-in-notices.ts), drops the session
 * here: the next exchange reads the keychain again, never sends the signed-out user's token, and picks up a
 * login made in another terminal.
 */
import type { OAuthAuthConfig } from '../../config/types.js';
import { defaultBaseFetch } from '../base-fetch.js';
import { TokenError, type TokenRequestEnv } from '../oauth2/token-client.js';
import { serverNotice } from '../sign-in-notices.js';
import { SignInSession } from '../signin/session.js';
import type { SignInStore } from '../signin/store.js';
import type { AuthContext } from '../strategy.js';

/** An `oauth` entry of the config, its references resolved. */
export interface SignInEntry {
  url: string;
  auth: OAuthAuthConfig;
}

export interface SignedInContext extends AuthContext {
  /** The `oauth` entry named `name`, resolved; undefined when the config has none by that name. */
  signInEntry?: (name: string) => Promise<SignInEntry | undefined>;
  signInStore: () => SignInStore;
  lockDir?: string;
}

/** A subject token source: the current access token of one entry's sign-in. */
export interface SignedInSubject {
  token(env: TokenRequestEnv): Promise<string>;
  /** The grant's `signInChanges`: the entry's URL is told to `watch` once it is known. */
  signInChanges(watch: (subject: string) => void): void;
  /** After a change of the sign-in: the next token is read from the keychain again. */
  forget(): void;
}

/** The current access token of entry `name`'s sign-in, as a subject token source. */
export function signedInSubject(name: string, ctx: SignedInContext): SignedInSubject {
  let session: Promise<SignInSession> | undefined;
  let watch: (subject: string) => void = () => undefined;
  const open = async (env: TokenRequestEnv): Promise<SignInSession> => {
    const entry = await ctx.signInEntry?.(name);
    if (!entry) {
      throw new TokenError(
        true,
        `backend "${env.backend}": auth.subjectToken.signIn names "${name}", which is no "oauth" entry of the config`,
        { hint: `add "${name}" with "auth": {"type": "oauth", ...}, or fix the name` },
      );
    }
    // Watched before the keychain is read: a logout of the entry from now on drops what is read.
    watch(serverNotice(entry.url));
    return new SignInSession(
      { backend: name, serverUrl: entry.url, auth: entry.auth },
      {
        store: ctx.signInStore(),
        base: ctx.baseFetch ?? defaultBaseFetch(),
        log: ctx.log,
        now: ctx.now,
        lockDir: ctx.lockDir,
      },
    );
  };
  const token = async (env: TokenRequestEnv): Promise<string> => {
    session ??= open(env);
    session.catch(() => (session = undefined));
    const current = await (await session).accessToken();
    if (!current) {
      throw new TokenError(
        false,
        `backend "${env.backend}": its subject token is the sign-in of "${name}", which is needed first`,
        {
          hint: `run: mcp-sentinel login ${name}`,
        },
      );
    }
    return current.accessToken;
  };
  return {
    token,
    signInChanges: (next) => {
      watch = next;
    },
    forget: () => {
      const dropped = session;
      session = undefined;
      void dropped?.then(
        (s) => s.forget(),
        () => undefined,
      );
    },
  };
}
