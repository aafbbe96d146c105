/**
 * Which OAuth client signs in, in the order of the MCP authorization spec: a pre-registered client from the
 * config, else a Client ID Metadata Document URL where the authorization server supports CIMD, else RFC
 * 7591 dynamic registration (kept in the keychain per issuer, reused while its redirect URI still fits).
 *
 * A client secret from the config goes only to a pinned issuer, or to a discovered one with
 * `allowDiscoveredIssuer: true`; public clients discover freely.
 */
import type * as oauth from 'oauth4webapi';
import { SentinelError } from '../../errors.js';
import type { OAuthAuthConfig } from '../../config/types.js';
import { registerClient, type OAuthEnv } from './oauth-client.js';
import type { ClientRecord, SignInStore } from './store.js';

export const DYNAMIC_IDENTITY = 'dynamic';

export interface ClientChoiceInput {
  as: oauth.AuthorizationServer;
  auth: OAuthAuthConfig;
  /** CIMD URL from the entry, else from settings. */
  clientMetadataUrl?: string;
  redirectUri: string;
  store: SignInStore;
  env: OAuthEnv;
}

/** The client the config or the keychain already has for `as`, without registering anything. */
export async function knownClient(
  as: oauth.AuthorizationServer,
  auth: OAuthAuthConfig,
  clientMetadataUrl: string | undefined,
  store: SignInStore,
  backend: string,
): Promise<ClientRecord | undefined> {
  if (auth.clientId) return preRegistered(as, auth, backend);
  if (clientMetadataUrl && as.client_id_metadata_document_supported === true) {
    return {
      issuer: as.issuer,
      clientId: clientMetadataUrl,
      authMethod: 'none',
      source: 'metadata-document',
    };
  }
  return store.getClient(as.issuer, DYNAMIC_IDENTITY);
}

export async function chooseClient(input: ClientChoiceInput): Promise<ClientRecord> {
  const { as, auth, store, env } = input;
  const known = await knownClient(as, auth, input.clientMetadataUrl, store, env.backend);
  if (known && (known.source !== 'dynamic' || stillFits(known, as, input.redirectUri))) return known;
  if (typeof as.registration_endpoint !== 'string') {
    throw new SentinelError(
      'AUTH_FAILED',
      `backend "${env.backend}": the authorization server ${as.issuer} offers neither Client ID Metadata Documents nor dynamic registration`,
      {
        hint: 'register a client with it and set auth.clientId (and auth.clientSecret) for this backend',
        permanent: true,
      },
    );
  }
  const method = registrationAuthMethod(as);
  const registered = await registerClient(
    as,
    {
      client_name: 'mcp-sentinel',
      redirect_uris: [input.redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: method,
      application_type: 'native',
    },
    env,
  );
  const authMethod = asAuthMethod(registered.token_endpoint_auth_method) ?? method;
  const record: ClientRecord = {
    issuer: as.issuer,
    clientId: registered.client_id,
    clientSecret: typeof registered.client_secret === 'string' ? registered.client_secret : undefined,
    authMethod,
    redirectUri: input.redirectUri,
    source: 'dynamic',
  };
  await store.setClient(DYNAMIC_IDENTITY, record);
  return record;
}

function preRegistered(as: oauth.AuthorizationServer, auth: OAuthAuthConfig, backend: string): ClientRecord {
  const secret = auth.clientSecret;
  if (secret && auth.issuer !== as.issuer && auth.allowDiscoveredIssuer !== true) {
    throw new SentinelError(
      'AUTH_FAILED',
      `backend "${backend}": discovery found the authorization server ${as.issuer}, which no setting pins; the client secret is not sent to it`,
      {
        hint: `add "issuer": "${as.issuer}" to this backend's auth settings (or "allowDiscoveredIssuer": true)`,
        permanent: true,
      },
    );
  }
  const supported = as.token_endpoint_auth_methods_supported;
  const authMethod =
    auth.tokenEndpointAuthMethod ??
    (!secret
      ? 'none'
      : supported?.includes('client_secret_basic') || !supported
        ? 'client_secret_basic'
        : supported.includes('client_secret_post')
          ? 'client_secret_post'
          : 'client_secret_basic');
  return {
    issuer: as.issuer,
    clientId: auth.clientId as string,
    clientSecret: secret,
    authMethod,
    source: 'pre-registered',
  };
}

/** A stored registration is reused while its redirect URI and auth method still fit the server. */
function stillFits(known: ClientRecord, as: oauth.AuthorizationServer, redirectUri: string): boolean {
  const supported = as.token_endpoint_auth_methods_supported;
  return known.redirectUri === redirectUri && (!supported || supported.includes(known.authMethod));
}

/** A public client where the server allows it; else the secret-based method it lists. */
function registrationAuthMethod(as: oauth.AuthorizationServer): ClientRecord['authMethod'] {
  const supported = as.token_endpoint_auth_methods_supported;
  if (!supported || supported.includes('none')) return 'none';
  if (supported.includes('client_secret_basic')) return 'client_secret_basic';
  if (supported.includes('client_secret_post')) return 'client_secret_post';
  return 'none';
}

function asAuthMethod(value: unknown): ClientRecord['authMethod'] | undefined {
  return value === 'none' || value === 'client_secret_basic' || value === 'client_secret_post'
    ? value
    : undefined;
}
