/**
 * The sign-in state of one backend: which token it uses, keeping that token fresh, and signing in.
 *
 * - `accessToken()`: the stored token, refreshed ahead of expiry; undefined means sign-in is needed.
 * - Refresh is single-flight across processes: a lock file per token (lock.ts); after taking it the keychain
 *   is read again, because another instance may have refreshed already. A rotated refresh token is stored
 *   before the new access token is used. A refused refresh (invalid_grant) removes the token: every
 *   instance then sees "sign-in needed" instead of retrying a dead refresh token.
 * - `signIn(open, need)`: discovery (metadata.ts), then the browser sign-in with its scopes (interactive.ts);
 *   the token and the server record are stored here. Two sign-ins for the same server wait for each other
 *   (the same lock).
 */
import type * as oauth from 'oauth4webapi';
import { describeError, SentinelError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { redactSecret } from '../../log.js';
import type { OAuthAuthConfig } from '../../config/types.js';
import type { BaseFetch } from '../base-fetch.js';
import * as oauthLib from 'oauth4webapi';
import { tokenRecord } from './authorize.js';
import { importDpopKey } from './dpop.js';
import { parseBearerChallenge } from './challenge.js';
import { knownClient } from './client-choice.js';
import { authorizeInBrowser, signInScopes, union, type SignInNeed } from './interactive.js';
import { withFileLock } from './lock.js';
import { serverNotice, tellSignInChange, watchSignInNotice, type NoticeWatch } from '../sign-in-notices.js';
import { expired, expiring } from './token-life.js';
import { discover, discoverAuthorizationServer, type Discovery, type MetadataEnv } from './metadata.js';
import { OAuthRequestError, refreshGrant, revokeSignIn, type OAuthEnv } from './oauth-client.js';
import { tokenEntry, type ServerRecord, type SignInStore, type TokenRecord } from './store.js';

export interface SignInTarget {
  backend: string;
  serverUrl: string;
  auth: OAuthAuthConfig;
  /** settings.clientMetadataUrl, used when the entry has none. */
  clientMetadataUrl?: string;
}

export interface SignInDeps {
  store: SignInStore;
  base: BaseFetch;
  log: Logger;
  now?: () => number;
  lockDir?: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** How long the loopback listener waits for the browser. Default 5 minutes. */
  redirectTimeoutMs?: number;
}

export type { SignInNeed } from './interactive.js';

export class SignInSession {
  private token: TokenRecord | undefined;
  private server: ServerRecord | undefined;
  private loaded = false;
  /** Counts forget(): a keychain read begun before one is read again. */
  private generation = 0;
  private readonly metadataCache = new Map<string, Promise<oauth.AuthorizationServer>>();
  private unregister: () => void = () => undefined;
  private readonly dpopHandles = new Map<string, Promise<oauth.DPoPHandle>>();
  lastError: SentinelError | undefined;
  /** The authorization server refused the last refresh: the sign-in itself is gone. */
  refreshRefused = false;

  constructor(
    readonly target: SignInTarget,
    private readonly deps: SignInDeps,
  ) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private get metadataEnv(): MetadataEnv {
    const { base, timeoutMs = 10_000, maxResponseBytes = 1024 * 1024 } = this.deps;
    return { base, backend: this.target.backend, timeoutMs, maxResponseBytes };
  }

  private get oauthEnv(): OAuthEnv {
    return { base: this.deps.base, backend: this.target.backend, timeoutMs: this.deps.timeoutMs ?? 30_000 };
  }

  private get clientMetadataUrl(): string | undefined {
    return this.target.auth.clientMetadataUrl ?? this.target.clientMetadataUrl;
  }

  /** The stored server record and token, read from the keychain (again when `fresh`). */
  async load(fresh = false): Promise<TokenRecord | undefined> {
    if (this.loaded && !fresh) return this.token;
    const generation = this.generation;
    const server = await this.deps.store.getServer(this.target.serverUrl);
    const issuer = server?.issuer ?? this.target.auth.issuer;
    const resource = server?.resource ?? this.resourceFor(undefined);
    const token = issuer ? await this.deps.store.getToken(issuer, resource) : undefined;
    // A logout seen while this read was on its way (forget()) may have come after it: read again.
    if (generation !== this.generation) return this.load(true);
    this.server = server;
    this.setToken(token);
    this.loaded = true;
    return this.token;
  }

  /** The token to send now, refreshed when close to expiry; undefined when there is none that works. */
  async accessToken(): Promise<TokenRecord | undefined> {
    const token = await this.load();
    if (!token || !expiring(token, this.now())) return token;
    if (!token.refreshToken) return expired(token, this.now()) ? undefined : token;
    return this.refresh(token, false);
  }

  /** After the server refused `sent`: a token another instance stored meanwhile, or a refreshed one. */
  async afterUnauthorized(sent: string): Promise<TokenRecord | undefined> {
    const fresh = await this.load(true);
    if (!fresh) return undefined;
    if (fresh.accessToken !== sent && !expired(fresh, this.now())) return fresh;
    if (!fresh.refreshToken) return undefined;
    return this.refresh(fresh, true);
  }

  get record(): ServerRecord | undefined {
    return this.server;
  }

  get current(): TokenRecord | undefined {
    return this.token;
  }

  /** Scopes a 403 asked for, kept so that the next sign-in (maybe `login` in another process) asks for them. */
  async recordPendingScopes(scopes: string[]): Promise<void> {
    if (!this.server) return;
    this.server = { ...this.server, pendingScopes: union(this.server.pendingScopes ?? [], scopes) };
    await this.deps.store.setServer(this.server);
  }

  private refresh(token: TokenRecord, force: boolean): Promise<TokenRecord | undefined> {
    return withFileLock(
      tokenEntry(token.issuer, token.resource),
      async () => {
        const fresh = await this.deps.store.getToken(token.issuer, token.resource);
        if (!fresh) return this.setToken(undefined);
        if (fresh.accessToken !== token.accessToken && !expiring(fresh, this.now()))
          return this.setToken(fresh);
        if (!fresh.refreshToken) return this.setToken(undefined);
        if (!force && !expiring(fresh, this.now())) return this.setToken(fresh);
        return this.refreshLocked(fresh);
      },
      { dir: this.deps.lockDir },
    );
  }

  private async refreshLocked(token: TokenRecord): Promise<TokenRecord | undefined> {
    const as = await this.authorizationServer(token.issuer);
    const client = await knownClient(
      as,
      this.target.auth,
      this.clientMetadataUrl,
      this.deps.store,
      this.target.backend,
    );
    if (!client || client.clientId !== token.clientId) {
      await this.deps.store.deleteToken(token.issuer, token.resource);
      return this.setToken(undefined);
    }
    try {
      // A DPoP-bound refresh token is refreshed with a proof of the same key.
      const dpop = token.dpopKey ? await this.dpopHandle(token) : undefined;
      const env = { ...this.oauthEnv, dpop };
      const response = await refreshGrant(as, client, token.refreshToken as string, token.resource, env);
      const next = tokenRecord(response, {
        as,
        client,
        resource: token.resource,
        now: this.now(),
        previousRefreshToken: token.refreshToken,
        previousScope: token.scope,
      });
      if (next.tokenType === 'dpop') next.dpopKey = token.dpopKey;
      // Stored before use: a rotated refresh token must never exist only in memory.
      await this.deps.store.setToken(next);
      this.deps.log.info('access token refreshed');
      return this.setToken(next);
    } catch (error) {
      if (error instanceof OAuthRequestError && error.permanent) {
        this.lastError = error;
        this.refreshRefused = true;
        this.deps.log.warn(`${error.message}: sign-in needed`);
        await this.deps.store.deleteToken(token.issuer, token.resource);
        return this.setToken(undefined);
      }
      throw error;
    }
  }

  private authorizationServer(issuer: string): Promise<oauth.AuthorizationServer> {
    let pending = this.metadataCache.get(issuer);
    if (!pending) {
      const legacy = issuer === new URL(this.target.serverUrl).origin;
      pending = discoverAuthorizationServer(issuer, this.metadataEnv, legacy).then((r) => r.as);
      pending.catch(() => this.metadataCache.delete(issuer));
      this.metadataCache.set(issuer, pending);
    }
    return pending;
  }

  private resourceFor(discovery: Discovery | undefined): string | undefined {
    const configured = this.target.auth.resource;
    if (configured === false) return undefined;
    if (typeof configured === 'string') return configured;
    return discovery?.resourceMetadata?.resource ?? this.target.serverUrl;
  }

  /** Interactive sign-in; `open` shows the authorization URL to the user. */
  async signIn(open: (url: string) => Promise<void>, need: SignInNeed): Promise<TokenRecord> {
    const { lockDir: dir, redirectTimeoutMs = 300_000 } = this.deps;
    const lock = `signin.${tokenEntry(this.target.serverUrl, undefined)}`;
    const options = { dir, timeoutMs: redirectTimeoutMs + 30_000, staleMs: 400_000 };
    return withFileLock(lock, () => this.signInLocked(open, need), options);
  }

  private async signInLocked(open: (url: string) => Promise<void>, need: SignInNeed): Promise<TokenRecord> {
    await this.load(true).catch(() => undefined);
    const challenge = parseBearerChallenge(need.challenge);
    const discovery = await discover(
      this.target.serverUrl,
      {
        challengeMetadataUrl: challenge.resourceMetadata ?? this.server?.resourceMetadataUrl,
        pinnedIssuer: this.target.auth.issuer,
      },
      this.metadataEnv,
    );
    const { as } = discovery;
    this.metadataCache.set(as.issuer, Promise.resolve(as));
    const resource = this.resourceFor(discovery);
    const scopes = signInScopes(
      this.target.auth.scopes ?? [],
      discovery,
      challenge.scopes,
      need,
      this.server,
    );
    const token = await authorizeInBrowser({
      discovery,
      auth: this.target.auth,
      clientMetadataUrl: this.clientMetadataUrl,
      store: this.deps.store,
      env: this.oauthEnv,
      redirectTimeoutMs: this.deps.redirectTimeoutMs,
      scopes,
      resource,
      open,
      now: () => this.now(),
    });
    await this.deps.store.setToken(token);
    this.server = {
      serverUrl: this.target.serverUrl,
      issuer: as.issuer,
      resource,
      resourceMetadataUrl: discovery.resourceMetadata?.url,
      scopes,
    };
    await this.deps.store.setServer(this.server);
    // Running serve instances drop the previous user's tokens (and those made from them): sign-in-notices.ts.
    await tellSignInChange([serverNotice(this.target.serverUrl)], this.deps.lockDir, this.deps.log);
    this.loaded = true;
    this.lastError = undefined;
    this.refreshRefused = false;
    return this.setToken(token) as TokenRecord;
  }

  /** The DPoP handle of a bound token (its key from the keychain), one per key: it keeps the server's nonce. */
  dpopHandle(token: TokenRecord): Promise<oauth.DPoPHandle> {
    const stored = token.dpopKey;
    if (!stored) return Promise.reject(new Error('internal: the token is not DPoP-bound'));
    const id = JSON.stringify(stored.publicJwk);
    let handle = this.dpopHandles.get(id);
    if (!handle) {
      handle = importDpopKey(stored).then((keyPair) => oauthLib.DPoP({}, keyPair));
      this.dpopHandles.set(id, handle);
    }
    return handle;
  }

  /** Forgets the sign-in of this server (and revokes its tokens where the server offers RFC 7009). */
  async signOut(): Promise<{ removed: boolean; revoked: boolean }> {
    const token = await this.load(true);
    let revoked = false;
    if (token) {
      // Read, revoke and delete under the refresh's lock: a refresh running in a serve can neither rotate the
      // refresh token between the read and the revocation nor write its new token back after the delete.
      const { issuer, resource } = token;
      const revokeAndDrop = () =>
        this.revoke(token).finally(() => this.deps.store.deleteToken(issuer, resource));
      revoked = await withFileLock(tokenEntry(issuer, resource), revokeAndDrop, { dir: this.deps.lockDir });
    }
    const removedServer = await this.deps.store.deleteServer(this.target.serverUrl);
    await tellSignInChange([serverNotice(this.target.serverUrl)], this.deps.lockDir, this.deps.log);
    this.setToken(undefined);
    this.server = undefined;
    return { removed: Boolean(token) || removedServer, revoked };
  }

  /** Calls `onChange` when a sign-in or logout of this server happens anywhere (sign-in-notices.ts). */
  watchSignIns(onChange: () => void): NoticeWatch {
    return watchSignInNotice(serverNotice(this.target.serverUrl), onChange, this.deps.lockDir);
  }

  /** Forgets what was read from the keychain (a logout elsewhere, sign-in-notices.ts): the next use reads it again. */
  forget(): void {
    this.generation++;
    this.setToken(undefined);
    this.server = undefined;
    this.loaded = false;
  }

  /**
   * Revokes the stored token of `signedIn`'s issuer and resource (`signedIn` itself when none is stored):
   * its refresh token (what keeps a sign-in alive), else its access token; false when not offered.
   */
  private async revoke(signedIn: TokenRecord): Promise<boolean> {
    try {
      const token = (await this.deps.store.getToken(signedIn.issuer, signedIn.resource)) ?? signedIn;
      const as = await this.authorizationServer(token.issuer);
      const { auth, backend } = this.target;
      const client = await knownClient(as, auth, this.clientMetadataUrl, this.deps.store, backend);
      return await revokeSignIn(as, client, token, this.oauthEnv);
    } catch (error) {
      this.deps.log.warn(`could not revoke the tokens: ${describeError(error)}`);
      return false;
    }
  }

  private setToken(token: TokenRecord | undefined): TokenRecord | undefined {
    if (token?.accessToken !== this.token?.accessToken) {
      this.unregister();
      this.unregister = () => undefined;
      if (token) {
        const a = redactSecret(token.accessToken);
        const r = token.refreshToken ? redactSecret(token.refreshToken) : () => undefined;
        this.unregister = () => {
          a();
          r();
        };
      }
    }
    this.token = token;
    return token;
  }

  /** For doctor and logs: never a token. */
  describe(): Record<string, unknown> {
    const token = this.token;
    return {
      signedIn: Boolean(token) && !expired(token as TokenRecord, this.now()),
      issuer: token?.issuer ?? this.server?.issuer ?? this.target.auth.issuer,
      resource: token?.resource ?? this.server?.resource,
      scopes: token?.scope ? token.scope.split(' ') : (this.server?.scopes ?? this.target.auth.scopes ?? []),
      expiresAt: token?.expiresAt ? new Date(token.expiresAt).toISOString() : undefined,
      refreshAvailable: Boolean(token?.refreshToken),
      pendingScopes: this.server?.pendingScopes,
    };
  }
}
