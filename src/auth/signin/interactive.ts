/**
 * One interactive sign-in, after discovery: the scopes to ask for, the loopback listener for the redirect,
 * the client (client-choice.ts), a DPoP key where the server supports it, and the authorization itself
 * (authorize.ts). Storing the result and the lock around it are the session's (session.ts).
 */
import * as oauthLib from 'oauth4webapi';
import type { OAuthAuthConfig } from '../../config/types.js';
import { authorize } from './authorize.js';
import { chooseClient, DYNAMIC_IDENTITY } from './client-choice.js';
import { newDpopKey, supportsDpop } from './dpop.js';
import { startLoopback } from './loopback.js';
import type { Discovery } from './metadata.js';
import { clientOf, type OAuthEnv } from './oauth-client.js';
import type { ServerRecord, SignInStore, TokenRecord } from './store.js';

/** Why a backend needs the user: no token yet, a refused refresh, or more scope. */
export interface SignInNeed {
  reason: 'no-token' | 'refresh-refused' | 'insufficient-scope';
  /** The `WWW-Authenticate` header that asked, when one did. */
  challenge?: string;
  /** Scopes a 403 asked for. */
  scopes?: string[];
}

/**
 * The challenge's scopes, else the ones a 403 asked for, else the resource's `scopes_supported`, beside
 * the configured ones; a step-up (or a sign-in after one) keeps what was granted and asked before; plus
 * `offline_access` when the authorization server lists it.
 */
export function signInScopes(
  configured: readonly string[],
  discovery: Discovery,
  challenged: string[] | undefined,
  need: SignInNeed,
  server: ServerRecord | undefined,
): string[] {
  const base = challenged?.length
    ? challenged
    : need.scopes?.length
      ? need.scopes
      : (discovery.resourceMetadata?.scopesSupported ?? []);
  let scopes = union(configured, base);
  if (need.reason === 'insufficient-scope' || server?.pendingScopes?.length) {
    scopes = union(union(server?.scopes ?? [], server?.pendingScopes ?? []), scopes);
  }
  const supported = discovery.as.scopes_supported;
  if (Array.isArray(supported) && supported.includes('offline_access')) {
    scopes = union(scopes, ['offline_access']);
  }
  return scopes;
}

export interface BrowserSignIn {
  discovery: Discovery;
  auth: OAuthAuthConfig;
  clientMetadataUrl: string | undefined;
  store: SignInStore;
  env: OAuthEnv;
  redirectTimeoutMs: number | undefined;
  scopes: string[];
  resource: string | undefined;
  /** Shows the authorization URL to the user. */
  open: (url: string) => Promise<void>;
  now: () => number;
}

/** The token of one authorization through the browser, with its DPoP key when it is bound to one. */
export async function authorizeInBrowser(input: BrowserSignIn): Promise<TokenRecord> {
  const { as } = input.discovery;
  const stored = await input.store.getClient(as.issuer, DYNAMIC_IDENTITY);
  const port = input.auth.redirectPort ?? portOf(stored?.redirectUri);
  const timeoutMs = input.redirectTimeoutMs;
  const loopback = await startLoopback({ port, timeoutMs }).catch((error: unknown) => {
    if (input.auth.redirectPort) throw error;
    return startLoopback({ timeoutMs });
  });
  try {
    const client = await chooseClient({
      as,
      auth: input.auth,
      clientMetadataUrl: input.clientMetadataUrl,
      redirectUri: loopback.redirectUri,
      store: input.store,
      env: input.env,
    });
    // DPoP where the server supports it: the key is made here and kept with the token.
    const key = supportsDpop(as) ? await newDpopKey() : undefined;
    const dpop = key ? oauthLib.DPoP(clientOf(client), key.keyPair) : undefined;
    const token = await authorize({
      as,
      client,
      loopback,
      scopes: input.scopes,
      resource: input.resource,
      open: input.open,
      env: { ...input.env, dpop },
      now: input.now,
    });
    if (key && token.tokenType === 'dpop') token.dpopKey = key.stored;
    return token;
  } finally {
    loopback.close();
  }
}

export function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

function portOf(uri: string | undefined): number | undefined {
  if (!uri) return undefined;
  try {
    const port = Number(new URL(uri).port);
    return port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}
