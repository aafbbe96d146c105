/**
 * User sign-in to remote MCP servers (the MCP authorization spec, client side): discovery, client
 * registration, the authorization-code flow with PKCE, tokens in the OS keychain with cross-process
 * refresh, and the `oauth` strategy. Each piece is its own module so that other grants (token exchange,
 * JWT assertions) can reuse discovery, the token store and the lock.
 */
export {
  parseBearerChallenge,
  hasBearerChallenge,
  challengeParam,
  type BearerChallenge,
} from './challenge.js';
export {
  discover,
  discoverAuthorizationServer,
  discoverResourceMetadata,
  type Discovery,
  type ResourceMetadata,
} from './metadata.js';
export {
  createSignInStore,
  createMemorySecretStore,
  SIGNIN_KEYCHAIN_SERVICE,
  type ClientRecord,
  type ServerRecord,
  type SignInStore,
  type TokenRecord,
} from './store.js';
export { withFileLock, defaultLockDir, type LockOptions } from './lock.js';
export { startLoopback, type Loopback } from './loopback.js';
export { SignInSession, type SignInNeed, type SignInTarget, type SignInDeps } from './session.js';
export {
  createSignInStrategy,
  MAX_STEP_UPS,
  type SignInHandler,
  type SignInStrategy,
  type SignInContext,
} from './strategy.js';
export { OAuthRequestError } from './oauth-client.js';
