/**
 * DPoP (RFC 9449) for sign-in tokens: where the authorization server supports it (ES256 in its
 * `dpop_signing_alg_values_supported`), a key pair is made at sign-in, the token is bound to it, and the key
 * is kept with the token in the keychain (a bound token is useless without it, in every `serve` instance).
 * oauth4webapi makes the proofs (a fresh one per request, with the server's nonce once it sent one) and
 * retries once on `use_dpop_nonce`.
 */
import { webcrypto, type webcrypto as WebCrypto } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import type { TokenRecord } from './store.js';

type CryptoKeyPair = WebCrypto.CryptoKeyPair;
type JsonWebKey = WebCrypto.JsonWebKey;

const ALGORITHM = 'ES256';
const CURVE = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export type StoredDpopKey = NonNullable<TokenRecord['dpopKey']>;

export function supportsDpop(as: oauth.AuthorizationServer): boolean {
  const algorithms = as.dpop_signing_alg_values_supported;
  return Array.isArray(algorithms) && algorithms.includes(ALGORITHM);
}

/** A new key pair and its storable form. */
export async function newDpopKey(): Promise<{ keyPair: CryptoKeyPair; stored: StoredDpopKey }> {
  const keyPair = await oauth.generateKeyPair(ALGORITHM, { extractable: true });
  const [privateJwk, publicJwk] = await Promise.all([
    webcrypto.subtle.exportKey('jwk', keyPair.privateKey),
    webcrypto.subtle.exportKey('jwk', keyPair.publicKey),
  ]);
  return {
    keyPair,
    stored: {
      privateJwk: privateJwk as Record<string, unknown>,
      publicJwk: publicJwk as Record<string, unknown>,
    },
  };
}

export async function importDpopKey(stored: StoredDpopKey): Promise<CryptoKeyPair> {
  const [privateKey, publicKey] = await Promise.all([
    webcrypto.subtle.importKey('jwk', stored.privateJwk as JsonWebKey, CURVE, false, ['sign']),
    webcrypto.subtle.importKey('jwk', stored.publicJwk as JsonWebKey, CURVE, true, ['verify']),
  ]);
  return { privateKey, publicKey } as CryptoKeyPair;
}

/**
 * Sends one request to the resource with a DPoP-bound token: `Authorization: DPoP`, a fresh proof, one
 * retry with the server's nonce. Answers the response as it is, challenges included.
 */
export async function dpopRequest(
  token: string,
  handle: oauth.DPoPHandle,
  url: string | URL,
  init: RequestInit & { headers: Headers },
  send: (url: string, init: RequestInit) => Promise<Response>,
): Promise<Response> {
  const target = new URL(url);
  const options = {
    DPoP: handle,
    signal: init.signal ?? undefined,
    [oauth.customFetch]: (href: string, request: oauth.CustomFetchOptions<string, unknown>) =>
      send(href, request as RequestInit),
    [oauth.allowInsecureRequests]: target.protocol === 'http:',
  };
  const body = (init.body ?? null) as oauth.ProtectedResourceRequestBody;
  const method = init.method ?? 'GET';
  for (let attempt = 0; ; attempt++) {
    try {
      return await oauth.protectedResourceRequest(token, method, target, init.headers, body, options);
    } catch (error) {
      if (attempt === 0 && oauth.isDPoPNonceError(error)) continue;
      if (error instanceof oauth.WWWAuthenticateChallengeError) return error.response;
      throw error;
    }
  }
}
