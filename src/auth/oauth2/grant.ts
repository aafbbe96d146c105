/**
 * The contract between the token strategy (strategy.ts) and a grant (client credentials, JWT bearer,
 * token exchange, enterprise): the strategy resolves where tokens come from and when one is needed; the
 * grant makes the request.
 */
import type { AuthStrategy } from '../strategy.js';
import type { IssuedToken, TokenRequestEnv } from './token-client.js';

/** Where a token is requested, as the strategy resolved it. */
export interface GrantTarget {
  tokenEndpoint: string;
  issuer?: string;
  source: 'tokenUrl' | 'issuer' | 'discovery';
  /** RFC 8707 resource to request: the configured one, else the one discovery found. */
  resource?: string;
  /** The backend's URL (the MCP server), for grants that must name it. */
  backendUrl: string;
}

/** One backend's grant: the endpoint pins and how one token is requested. */
export interface TokenGrant {
  type: Exclude<AuthStrategy['type'], 'none' | 'static'>;
  tokenUrl?: string;
  issuer?: string;
  resource?: string;
  /** Send the confidential material to an authorization server found by discovery that nobody pinned. */
  allowDiscoveredIssuer?: boolean;
  /** Names what a discovered, unpinned server is not sent, e.g. "the client secret". */
  confidential: string;
  /** What tells two tokens of one endpoint apart; `material` (secrets, assertions) enters the key hashed. */
  identity: { clientId?: string; material: string; scopes?: readonly string[]; audience?: string };
  /** Makes one token request (the cache decides when). */
  request(target: GrantTarget, env: TokenRequestEnv): Promise<IssuedToken>;
  /**
   * Called once with `watch`: the grant names the sign-ins its tokens derive from (sign-in-notices.ts subjects),
   * at once or when it first reads one; a logout of any of them drops the tokens.
   */
  signInChanges?(watch: (subject: string) => void): void;
  /** Drops what the grant keeps of a user's sign-in (its subject token's session) after it changed (logout, a new login). */
  forget?(): void;
  /** The grant's own fields for `describe()`: names and endpoints only. */
  describe(): Record<string, unknown>;
}
