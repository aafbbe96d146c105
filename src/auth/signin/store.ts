/**
 * Where sign-in state lives: the OS keychain (src/secrets), under its own service so that `secrets list`
 * never shows it, one JSON entry per item:
 * - `token.<h(issuer, resource)>`: access and refresh token, expiry, scope, token type and, for a DPoP-bound
 *   token, its private key (a bound token is useless without it);
 * - `client.<h(issuer, client identity)>`: a dynamic registration (client id and secret, redirect URI);
 * - `server.<h(server URL)>`: which issuer and resource a server signed in with, and the scopes it asked
 *   for, so `serve` finds the token without asking the server first;
 * - `idtoken.<h(issuer, client id)>`: an OpenID Connect sign-in to an identity provider (its ID token and
 *   refresh token), for grants that exchange the user's ID token (`enterprise` without `idp.idToken`).
 * Entries are keyed by issuer and resource, so no backend can read another's. Nothing here is ever written
 * to a file or a log; values never appear in errors.
 */
import { createHash } from 'node:crypto';
import type { SecretStore } from '../../secrets/store.js';

export const SIGNIN_KEYCHAIN_SERVICE = 'mcp-sentinel-oauth';

export interface TokenRecord {
  issuer: string;
  /** The RFC 8707 resource the token was requested for; undefined when omitted. */
  resource?: string;
  clientId: string;
  accessToken: string;
  tokenType: 'bearer' | 'dpop';
  refreshToken?: string;
  /** Epoch ms; undefined when the server gave no lifetime. */
  expiresAt?: number;
  scope?: string;
  obtainedAt: number;
  /** The DPoP key pair (JWK, private part included) the token is bound to. */
  dpopKey?: { privateJwk: Record<string, unknown>; publicJwk: Record<string, unknown> };
}

export interface ClientRecord {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  authMethod: 'client_secret_basic' | 'client_secret_post' | 'none';
  /** The redirect URI registered with the client (dynamic registration). */
  redirectUri?: string;
  source: 'pre-registered' | 'metadata-document' | 'dynamic';
}

export interface ServerRecord {
  serverUrl: string;
  issuer: string;
  resource?: string;
  /** Protected-resource metadata URL, to sign in again without a challenge. */
  resourceMetadataUrl?: string;
  /** The scopes last requested; a step-up adds to them. */
  scopes?: string[];
  /** Scopes a 403 asked for that the current token lacks: `login` requests them. */
  pendingScopes?: string[];
}

export interface IdTokenRecord {
  issuer: string;
  clientId: string;
  idToken: string;
  refreshToken?: string;
  /** The ID token's `sub`: a refreshed ID token must name the same user. */
  subject: string;
  /** Epoch ms of the ID token's `exp`. */
  expiresAt: number;
  obtainedAt: number;
}

export interface SignInStore {
  readonly description: string;
  getToken(issuer: string, resource: string | undefined): Promise<TokenRecord | undefined>;
  setToken(record: TokenRecord): Promise<void>;
  deleteToken(issuer: string, resource: string | undefined): Promise<boolean>;
  getClient(issuer: string, identity: string): Promise<ClientRecord | undefined>;
  setClient(identity: string, record: ClientRecord): Promise<void>;
  getServer(serverUrl: string): Promise<ServerRecord | undefined>;
  setServer(record: ServerRecord): Promise<void>;
  deleteServer(serverUrl: string): Promise<boolean>;
  getIdToken(issuer: string, clientId: string): Promise<IdTokenRecord | undefined>;
  setIdToken(record: IdTokenRecord): Promise<void>;
  deleteIdToken(issuer: string, clientId: string): Promise<boolean>;
}

function hash(...parts: (string | undefined)[]): string {
  return createHash('sha256')
    .update(parts.map((p) => p ?? '').join('\n'))
    .digest('hex')
    .slice(0, 40);
}

export const tokenEntry = (issuer: string, resource: string | undefined) => `token.${hash(issuer, resource)}`;
export const clientEntry = (issuer: string, identity: string) => `client.${hash(issuer, identity)}`;
export const serverEntry = (serverUrl: string) => `server.${hash(serverUrl)}`;
export const idTokenEntry = (issuer: string, clientId: string) => `idtoken.${hash(issuer, clientId)}`;

export function createSignInStore(keychain: SecretStore): SignInStore {
  const read = async <T>(name: string): Promise<T | undefined> => {
    const raw = await keychain.get(name);
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as T;
    } catch {
      // An entry we cannot read is as good as none: signing in again replaces it.
      return undefined;
    }
  };
  const write = (name: string, value: unknown) => keychain.set(name, JSON.stringify(value));
  return {
    description: keychain.description,
    getToken: (issuer, resource) => read<TokenRecord>(tokenEntry(issuer, resource)),
    setToken: (record) => write(tokenEntry(record.issuer, record.resource), record),
    deleteToken: (issuer, resource) => keychain.delete(tokenEntry(issuer, resource)),
    getClient: (issuer, identity) => read<ClientRecord>(clientEntry(issuer, identity)),
    setClient: (identity, record) => write(clientEntry(record.issuer, identity), record),
    getServer: (serverUrl) => read<ServerRecord>(serverEntry(serverUrl)),
    setServer: (record) => write(serverEntry(record.serverUrl), record),
    deleteServer: (serverUrl) => keychain.delete(serverEntry(serverUrl)),
    getIdToken: (issuer, clientId) => read<IdTokenRecord>(idTokenEntry(issuer, clientId)),
    setIdToken: (record) => write(idTokenEntry(record.issuer, record.clientId), record),
    deleteIdToken: (issuer, clientId) => keychain.delete(idTokenEntry(issuer, clientId)),
  };
}

/** A store in memory, for tests and for `--no-keychain` style runs that must not persist anything. */
export function createMemorySecretStore(description = 'memory'): SecretStore {
  const values = new Map<string, string>();
  return {
    description,
    get: async (name) => values.get(name),
    set: async (name, value) => {
      values.set(name, value);
    },
    delete: async (name) => values.delete(name),
    list: async () => [...values.keys()].sort(),
    probe: async () => ({ ok: true, store: description }),
  };
}
