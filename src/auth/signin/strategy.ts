/**
 * The `oauth` strategy: a signed-in user's token on every request of one backend, and what happens when
 * the server asks for more.
 *
 * - The token comes from the keychain (session.ts), refreshed ahead of expiry; it goes to the backend's own
 *   origin only.
 * - A 401 after sending a token: re-read the keychain (another instance may have refreshed or signed in),
 *   else refresh; retried once. Without a usable token the backend needs sign-in: the `onSignIn` handler
 *   (the `login` command's browser, or serve's host elicitation) is asked, single-flight; without one the
 *   request fails at once with AUTH_SIGNIN_REQUIRED naming the command to run.
 * - A 403 `insufficient_scope` with a `scope`: step-up, a sign-in with the union of the scopes, then the
 *   request is retried once; at most MAX_STEP_UPS per backend so a server that never grants cannot loop.
 * - An entry without `auth` (implicit): requests go out without a token until the server answers 401 with
 *   an MCP authorization challenge (a Bearer `WWW-Authenticate`, or protected-resource metadata at the
 *   well-known location); from then on it behaves like `oauth`. Other 401s (Basic, ...) pass through.
 * - `mcp-sentinel logout` of this server, from any process, drops the token kept in memory before the
 *   next request (sign-in-notices.ts): the keychain is read again, and without a token the backend needs sign-in.
 */
import { SentinelError } from '../../errors.js';
import type { OAuthAuthConfig } from '../../config/types.js';
import { defaultBaseFetch, type BaseFetch } from '../base-fetch.js';
import { isReplayable, mergeHeaders, sameOrigin, type AuthContext, type AuthStrategy } from '../strategy.js';
import { hasBearerChallenge, parseBearerChallenge } from './challenge.js';
import { dpopRequest } from './dpop.js';
import { serverNotice, SignInChangeWatch } from '../sign-in-notices.js';
import { discoverResourceMetadata } from './metadata.js';
import { SignInSession, type SignInNeed } from './session.js';
import type { SignInStore, TokenRecord } from './store.js';

export const MAX_STEP_UPS = 2;

/** Signs in for `need` (opening a browser or asking the host); resolves with the new token. */
export type SignInHandler = (need: SignInNeed, session: SignInSession) => Promise<TokenRecord>;

export interface SignInStrategyInput {
  url: string;
  headers: Record<string, string>;
  /** Undefined for an entry without `auth`. */
  auth?: OAuthAuthConfig;
  clientMetadataUrl?: string;
}

export interface SignInContext extends AuthContext {
  signInStore: () => SignInStore;
  onSignIn?: SignInHandler;
  lockDir?: string;
}

export interface SignInStrategy extends AuthStrategy {
  readonly session: SignInSession;
  /** Set while the backend needs the user; cleared by a successful sign-in. */
  readonly needsSignIn: SignInNeed | undefined;
  /** Whether the server turned out to want sign-in (always true for an `oauth` entry). */
  readonly engaged: boolean;
}

/** What the parts of one backend's sign-in strategy share; `engaged`, `need` and `stepUps` change. */
interface SignInState {
  input: SignInStrategyInput;
  ctx: SignInContext;
  base: BaseFetch;
  origin: string;
  who: string;
  plainHeaders: [string, string][];
  session: SignInSession;
  signInChanges: SignInChangeWatch;
  engaged: boolean;
  need?: SignInNeed;
  pendingSignIn?: Promise<TokenRecord>;
  stepUps: number;
}

export function createSignInStrategy(input: SignInStrategyInput, ctx: SignInContext): SignInStrategy {
  const implicit = input.auth === undefined;
  const base: BaseFetch = ctx.baseFetch ?? defaultBaseFetch();
  const session = createSession(input, ctx, base);
  const state: SignInState = {
    input,
    ctx,
    base,
    origin: new URL(input.url).origin,
    who: `backend "${ctx.backend}"`,
    plainHeaders: Object.entries(input.headers),
    session,
    signInChanges: new SignInChangeWatch(() => session.forget(), ctx.lockDir),
    engaged: !implicit,
    stepUps: 0,
  };
  state.signInChanges.add(serverNotice(input.url));
  return {
    type: implicit ? 'none' : 'oauth',
    fetch: (url, init) => signedInFetch(state, url, init),
    session,
    get needsSignIn() {
      return state.need;
    },
    get engaged() {
      return state.engaged;
    },
    prepare: async () => {
      if (!state.engaged) return;
      // A keychain that cannot be read is reported by the first request's sign-in error, not here.
      await session.accessToken().catch((error: unknown) => {
        if (error instanceof SentinelError) session.lastError = error;
      });
    },
    describe: () => ({
      type: implicit ? 'none' : 'oauth',
      ...(state.engaged ? { signIn: { ...session.describe(), needed: state.need?.reason } } : {}),
      headers: Object.keys(input.headers),
    }),
    close: () => undefined,
  };
}

/** The backend's session; the keychain store is opened on first use only. */
function createSession(input: SignInStrategyInput, ctx: SignInContext, base: BaseFetch): SignInSession {
  const auth: OAuthAuthConfig = input.auth ?? { type: 'oauth' };
  let store: SignInStore | undefined;
  return new SignInSession(
    { backend: ctx.backend, serverUrl: input.url, auth, clientMetadataUrl: input.clientMetadataUrl },
    {
      get store() {
        store ??= ctx.signInStore();
        return store;
      },
      base,
      log: ctx.log,
      now: ctx.now,
      lockDir: ctx.lockDir,
      timeoutMs: ctx.options?.metadataTimeoutMs,
    },
  );
}

/** Sends to the backend's own origin with its headers and `token` (Bearer, or DPoP-bound). */
async function send(
  state: SignInState,
  url: string | URL,
  init: RequestInit | undefined,
  token: TokenRecord | undefined,
): Promise<Response> {
  const { base, who, plainHeaders } = state;
  if (token?.tokenType === 'dpop' && token.dpopKey) {
    const handle = await state.session.dpopHandle(token);
    const headers = mergeHeaders(init, plainHeaders);
    return dpopRequest(token.accessToken, handle, url, { ...init, headers }, (href, request) =>
      base(href, request, who),
    );
  }
  const headers: [string, string][] = [...plainHeaders];
  if (token) headers.push(['authorization', `Bearer ${token.accessToken}`]);
  return base(url, { ...init, headers: mergeHeaders(init, headers) }, who);
}

/** A sign-in for `next`, single-flight through `onSignIn`; without one, AUTH_SIGNIN_REQUIRED. */
function signIn(state: SignInState, next: SignInNeed): Promise<TokenRecord> {
  const { ctx } = state;
  state.need = next;
  if (!ctx.onSignIn) {
    const scopes = next.scopes?.length ? ` (it asks for scope ${next.scopes.join(' ')})` : '';
    throw new SentinelError(
      'AUTH_SIGNIN_REQUIRED',
      `${state.who} needs sign-in${next.reason === 'refresh-refused' ? ' again: the authorization server refused to refresh the token' : ''}${scopes}`,
      { hint: `run: mcp-sentinel login ${ctx.backend}`, permanent: true },
    );
  }
  state.pendingSignIn ??= ctx.onSignIn(next, state.session).finally(() => {
    state.pendingSignIn = undefined;
  });
  return state.pendingSignIn.then((token) => {
    state.need = undefined;
    return token;
  });
}

/** Whether a 401 is an MCP authorization challenge (for an entry without `auth`). */
async function wantsSignIn(state: SignInState, response: Response): Promise<boolean> {
  if (hasBearerChallenge(response.headers.get('www-authenticate'))) return true;
  const { ctx } = state;
  const metadata = await discoverResourceMetadata(state.input.url, undefined, {
    base: state.base,
    backend: ctx.backend,
    timeoutMs: ctx.options?.metadataTimeoutMs ?? 10_000,
    maxResponseBytes: ctx.options?.maxResponseBytes ?? 1024 * 1024,
  }).catch(() => undefined);
  return metadata !== undefined;
}

async function signedInFetch(state: SignInState, url: string | URL, init?: RequestInit): Promise<Response> {
  const { base, who, session } = state;
  if (!sameOrigin(url, state.origin))
    return base(url, { ...init, headers: mergeHeaders(init, undefined) }, who);
  if (state.engaged) await state.signInChanges.check();
  const token = state.engaged ? await session.accessToken() : undefined;
  const response = await send(state, url, init, token);
  if (response.status === 401) return retryUnauthorized(state, url, init, token, response);
  if (response.status === 403 && state.engaged) return stepUp(state, url, init, response);
  return response;
}

/** A 401: a newer token from the keychain or a refresh, else a sign-in; the request is retried once. */
async function retryUnauthorized(
  state: SignInState,
  url: string | URL,
  init: RequestInit | undefined,
  token: TokenRecord | undefined,
  response: Response,
): Promise<Response> {
  const { session } = state;
  if (!state.engaged && !(await wantsSignIn(state, response))) return response;
  state.engaged = true;
  const challenge = response.headers.get('www-authenticate') ?? undefined;
  if (!isReplayable(init)) return response;
  await response.body?.cancel().catch(() => undefined);
  const next = token ? await session.afterUnauthorized(token.accessToken) : await session.accessToken();
  const fresh =
    next && next.accessToken !== token?.accessToken
      ? next
      : await signIn(state, { reason: session.refreshRefused ? 'refresh-refused' : 'no-token', challenge });
  const retried = await send(state, url, init, fresh);
  if (retried.status !== 401) state.need = undefined;
  return retried;
}

/** A 403 insufficient_scope with scopes: a sign-in with them (at most MAX_STEP_UPS), then one retry. */
async function stepUp(
  state: SignInState,
  url: string | URL,
  init: RequestInit | undefined,
  response: Response,
): Promise<Response> {
  const header = response.headers.get('www-authenticate');
  const challenge = parseBearerChallenge(header);
  if (challenge.error !== 'insufficient_scope' || !challenge.scopes?.length || !isReplayable(init))
    return response;
  if (state.stepUps >= MAX_STEP_UPS) return response;
  state.stepUps++;
  await response.body?.cancel().catch(() => undefined);
  await state.session.recordPendingScopes(challenge.scopes).catch(() => undefined);
  const token = await signIn(state, {
    reason: 'insufficient-scope',
    challenge: header ?? undefined,
    scopes: challenge.scopes,
  });
  return send(state, url, init, token);
}
