/**
 * The user's OpenID Connect sign-in to a company identity provider (the `idp` block of an `enterprise`
 * entry without `idToken`): its ID token, kept fresh, for grants that exchange it.
 *
 * - `signIn(open)`: the pinned issuer's metadata (signin/metadata.ts: its `issuer` must match exactly),
 *   authorization code with PKCE, state and a nonce (signin/authorize.ts), scope `openid` plus
 *   `offline_access` when the provider lists it and `idp.scopes`; oauth4webapi checks the ID token's
 *   claims. The ID token and refresh token go to the keychain (signin/store.ts), keyed by issuer + client
 *   id, so every backend that names the same identity provider and client shares one sign-in.
 * - `idToken()`: the stored ID token, refreshed (refresh grant → new ID token of the same `sub`) when it
 *   expires soon, single-flight across processes (signin/lock.ts; the keychain is read again under the
 *   lock). A refused refresh removes the sign-in: every instance then asks for sign-in instead of retrying.
 * - Nothing here writes a file or logs a token; tokens are registered with the log redactor.
 */
import * as oauth from 'oauth4webapi';
import type { IdpConfig } from '../../config/types.js';
import { SentinelError } from '../../errors.js';
import { redactSecret, type Logger } from '../../log.js';
import type { BaseFetch } from '../base-fetch.js';
import { authorizeCode } from '../signin/authorize.js';
import { withFileLock } from '../signin/lock.js';
import { idpNotice, tellSignInChange } from '../sign-in-notices.js';
import { startLoopback } from '../signin/loopback.js';
import { discoverAuthorizationServer } from '../signin/metadata.js';
import { OAuthRequestError, refreshGrant, revokeToken, type OAuthEnv } from '../signin/oauth-client.js';
import { idTokenEntry, type ClientRecord, type IdTokenRecord, type SignInStore } from '../signin/store.js';

export interface IdpSignInDeps {
  store: SignInStore;
  base: BaseFetch;
  log: Logger;
  now?: () => number;
  lockDir?: string;
  timeoutMs?: number;
  /** How long the loopback listener waits for the browser. Default 5 minutes. */
  redirectTimeoutMs?: number;
}

/** Refresh when less than this much lifetime is left (or a tenth of the lifetime, whichever is larger). */
const REFRESH_MARGIN_MS = 60_000;

export class IdpSignIn {
  private record: IdTokenRecord | undefined;
  private loaded = false;
  /** Counts forget() calls: a keychain read that a logout overtook reads again. */
  private generation = 0;
  private metadata: Promise<oauth.AuthorizationServer> | undefined;
  private unregister: () => void = () => undefined;
  /** The identity provider refused the last refresh: the sign-in is gone. */
  refreshRefused = false;

  constructor(
    /** The backend whose entry names this identity provider (for messages). */
    readonly backend: string,
    readonly idp: IdpConfig,
    private readonly deps: IdpSignInDeps,
  ) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private get env(): OAuthEnv {
    return { base: this.deps.base, backend: this.backend, timeoutMs: this.deps.timeoutMs ?? 30_000 };
  }

  /** The stored sign-in (read from the keychain again when `fresh`). */
  async load(fresh = false): Promise<IdTokenRecord | undefined> {
    if (this.loaded && !fresh) return this.record;
    const generation = this.generation;
    const record = await this.deps.store.getIdToken(this.idp.issuer, this.idp.clientId);
    // A logout seen while this read was on its way (forget()) may have come after it: read again.
    if (generation !== this.generation) return this.load(true);
    this.set(record);
    this.loaded = true;
    return this.record;
  }

  /** An ID token to exchange now, refreshed when close to expiry; undefined when sign-in is needed. */
  async idToken(): Promise<string | undefined> {
    const record = await this.load();
    if (!record) return undefined;
    if (!expiring(record, this.now())) return record.idToken;
    if (!record.refreshToken) return expired(record, this.now()) ? undefined : record.idToken;
    return (await this.refresh(record))?.idToken;
  }

  private refresh(record: IdTokenRecord): Promise<IdTokenRecord | undefined> {
    return withFileLock(
      idTokenEntry(record.issuer, record.clientId),
      async () => {
        const fresh = await this.deps.store.getIdToken(record.issuer, record.clientId);
        if (!fresh) return this.set(undefined);
        // Another instance refreshed while this one waited for the lock.
        if (!expiring(fresh, this.now()) || !fresh.refreshToken) {
          return this.set(expired(fresh, this.now()) ? undefined : fresh);
        }
        return this.refreshLocked(fresh, fresh.refreshToken);
      },
      { dir: this.deps.lockDir },
    );
  }

  private async refreshLocked(
    record: IdTokenRecord,
    refreshToken: string,
  ): Promise<IdTokenRecord | undefined> {
    const as = await this.authorizationServer();
    const client = this.client();
    let response: oauth.TokenEndpointResponse;
    try {
      response = await refreshGrant(as, client, refreshToken, undefined, this.env);
    } catch (error) {
      if (error instanceof OAuthRequestError && error.permanent) {
        this.refreshRefused = true;
        this.deps.log.warn(
          `the identity provider refused to refresh the sign-in (${error.oauthError ?? 'error'}): sign-in needed`,
        );
        await this.deps.store.deleteIdToken(record.issuer, record.clientId);
        return this.set(undefined);
      }
      throw error;
    }
    const next = this.recordOf(response, refreshToken, record.subject);
    // Stored before use: a rotated refresh token must never exist only in memory.
    await this.deps.store.setIdToken(next);
    this.deps.log.info('ID token refreshed at the identity provider');
    return this.set(next);
  }

  /** Interactive sign-in; `open` shows the authorization URL to the user. */
  signIn(open: (url: string) => Promise<void>): Promise<IdTokenRecord> {
    return withFileLock(
      `signin.${idTokenEntry(this.idp.issuer, this.idp.clientId)}`,
      () => this.signInLocked(open),
      {
        dir: this.deps.lockDir,
        timeoutMs: (this.deps.redirectTimeoutMs ?? 300_000) + 30_000,
        staleMs: 400_000,
      },
    );
  }

  private async signInLocked(open: (url: string) => Promise<void>): Promise<IdTokenRecord> {
    const as = await this.authorizationServer();
    const supported = Array.isArray(as.scopes_supported) ? as.scopes_supported : [];
    const scopes = [
      ...new Set([
        'openid',
        ...(supported.includes('offline_access') ? ['offline_access'] : []),
        ...(this.idp.scopes ?? []),
      ]),
    ];
    const timeoutMs = this.deps.redirectTimeoutMs;
    const loopback = await startLoopback({ port: this.idp.redirectPort, timeoutMs });
    try {
      const response = await authorizeCode({
        as,
        client: this.client(),
        loopback,
        scopes,
        open,
        env: this.env,
        now: () => this.now(),
        nonce: oauth.generateRandomNonce(),
      });
      const record = this.recordOf(response, undefined, undefined);
      await this.deps.store.setIdToken(record);
      await this.changed();
      this.loaded = true;
      this.refreshRefused = false;
      return this.set(record) as IdTokenRecord;
    } finally {
      loopback.close();
    }
  }

  /** Forgets what was read from the keychain (a logout elsewhere, sign-in-notices.ts): the next use reads it again. */
  forget(): void {
    this.generation++;
    this.set(undefined);
    this.loaded = false;
  }

  /** Forgets the sign-in (revoking its refresh token where the identity provider offers RFC 7009). */
  async signOut(): Promise<{ removed: boolean; revoked: boolean }> {
    const record = await this.load(true);
    const { issuer, clientId } = this.idp;
    // Read, revoke and delete under the refresh's lock: a refresh running in a serve can neither rotate the
    // refresh token between the read and the revocation nor write its new sign-in back after the delete.
    const { removed, revoked } = await withFileLock(
      idTokenEntry(issuer, clientId),
      async () => {
        const current = (await this.deps.store.getIdToken(issuer, clientId)) ?? record;
        const revoked = current?.refreshToken ? await this.revoke(current.refreshToken) : false;
        return { removed: await this.deps.store.deleteIdToken(issuer, clientId), revoked };
      },
      { dir: this.deps.lockDir },
    );
    await this.changed();
    this.set(undefined);
    return { removed: removed || Boolean(record), revoked };
  }

  /** Revokes `refreshToken` where the identity provider offers RFC 7009; whether it did. */
  private async revoke(refreshToken: string): Promise<boolean> {
    try {
      const as = await this.authorizationServer();
      if (typeof as.revocation_endpoint !== 'string') return false;
      await revokeToken(as, this.client(), refreshToken, 'refresh_token', this.env);
      return true;
    } catch (error) {
      this.deps.log.warn(
        `could not revoke the sign-in: ${error instanceof Error ? error.message : String(error)}`,
      );
      return false;
    }
  }

  /** Running serve instances drop what they hold of this sign-in: sign-in-notices.ts. */
  private changed(): Promise<void> {
    const subject = idpNotice(this.idp.issuer, this.idp.clientId);
    return tellSignInChange([subject], this.deps.lockDir, this.deps.log);
  }

  /** The keychain record of a token response; its ID token's claims were checked by oauth4webapi. */
  private recordOf(
    response: oauth.TokenEndpointResponse,
    previousRefreshToken: string | undefined,
    subject: string | undefined,
  ): IdTokenRecord {
    const claims = oauth.getValidatedIdTokenClaims(response);
    const who = `backend "${this.backend}"`;
    if (!claims || typeof response.id_token !== 'string') {
      throw new SentinelError(
        'AUTH_SIGNIN_REQUIRED',
        `${who}: the identity provider ${this.idp.issuer} answered without an ID token`,
        { hint: `sign in again: mcp-sentinel login ${this.backend}`, permanent: true },
      );
    }
    if (subject !== undefined && claims.sub !== subject) {
      throw new SentinelError(
        'AUTH_FAILED',
        `${who}: the identity provider ${this.idp.issuer} refreshed the sign-in for another user`,
        { hint: `sign in again: mcp-sentinel login ${this.backend}`, permanent: true },
      );
    }
    return {
      issuer: this.idp.issuer,
      clientId: this.idp.clientId,
      idToken: response.id_token,
      refreshToken: response.refresh_token ?? previousRefreshToken,
      subject: claims.sub,
      expiresAt: claims.exp * 1000,
      obtainedAt: this.now(),
    };
  }

  /** The pinned identity provider's metadata; a pinned `tokenEndpoint` wins over the one it lists. */
  private authorizationServer(): Promise<oauth.AuthorizationServer> {
    this.metadata ??= discoverAuthorizationServer(this.idp.issuer, {
      base: this.deps.base,
      backend: this.backend,
      timeoutMs: this.deps.timeoutMs ?? 10_000,
      maxResponseBytes: 1024 * 1024,
    }).then(({ as }) => (this.idp.tokenEndpoint ? { ...as, token_endpoint: this.idp.tokenEndpoint } : as));
    this.metadata.catch(() => (this.metadata = undefined));
    return this.metadata;
  }

  /** The pre-registered client at the identity provider: public, or client_secret_basic with a secret. */
  private client(): ClientRecord {
    const secret = this.idp.clientSecret;
    return {
      issuer: this.idp.issuer,
      clientId: this.idp.clientId,
      clientSecret: secret,
      authMethod: secret ? 'client_secret_basic' : 'none',
      source: 'pre-registered',
    };
  }

  private set(record: IdTokenRecord | undefined): IdTokenRecord | undefined {
    if (record?.idToken !== this.record?.idToken) {
      this.unregister();
      this.unregister = () => undefined;
      if (record) {
        const releases = [record.idToken, record.refreshToken]
          .filter((v): v is string => typeof v === 'string')
          .map((v) => redactSecret(v));
        this.unregister = () => releases.forEach((release) => release());
      }
    }
    this.record = record;
    return record;
  }

  /** For doctor and login: never a token. */
  describe(): Record<string, unknown> {
    const record = this.record;
    return {
      issuer: this.idp.issuer,
      clientId: this.idp.clientId,
      // An expired ID token with a refresh token is still a sign-in: the next use refreshes it.
      signedIn:
        Boolean(record) && (!expired(record as IdTokenRecord, this.now()) || Boolean(record?.refreshToken)),
      expiresAt: record ? new Date(record.expiresAt).toISOString() : undefined,
      refreshAvailable: Boolean(record?.refreshToken),
      ...(this.refreshRefused ? { refreshRefused: true } : {}),
    };
  }
}

function expiring(record: IdTokenRecord, now: number): boolean {
  const lifetime = record.expiresAt - record.obtainedAt;
  return record.expiresAt - now < Math.max(Math.min(REFRESH_MARGIN_MS, lifetime / 2), lifetime / 10);
}

function expired(record: IdTokenRecord, now: number): boolean {
  return record.expiresAt <= now;
}
