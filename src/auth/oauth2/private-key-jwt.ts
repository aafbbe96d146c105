/**
 * `private_key_jwt` client authentication (RFC 7523 §2.2, OpenID Connect Core §9): the PEM private key
 * of a client, checked once when the backend's auth is validated, imported into WebCrypto on first use,
 * and an oauth4webapi `PrivateKeyJwt` that signs a fresh client assertion for every token request
 * (`iss` = `sub` = client_id, `aud` = the authorization server's issuer, a random `jti`, `exp` 60 s ahead).
 *
 * Not here: which token endpoint may receive the assertion (the strategy's issuer binding).
 */
import { createPrivateKey, webcrypto, type KeyObject } from 'node:crypto';
import * as oauth from 'oauth4webapi';

export const SIGNING_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

const CURVE_ALG: Record<string, SigningAlgorithm> = {
  prime256v1: 'ES256',
  secp384r1: 'ES384',
  secp521r1: 'ES512',
};
const WEB_CURVE: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

export type KeyCheck = { ok: true; alg: SigningAlgorithm } | { ok: false; problem: string };

/**
 * Whether `pem` is a private key that can sign with `alg` (or, without `alg`, which algorithm its type
 * implies). The problem text never quotes the key.
 */
export function checkPrivateKey(pem: string, alg?: SigningAlgorithm): KeyCheck {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    return /PUBLIC KEY|CERTIFICATE/.test(pem)
      ? { ok: false, problem: 'is a public key or certificate; the private key is needed' }
      : { ok: false, problem: 'is not a PEM private key (PKCS#8, PKCS#1 or SEC1)' };
  }
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const implied: SigningAlgorithm | undefined =
    type === 'rsa'
      ? 'RS256'
      : type === 'ed25519'
        ? 'EdDSA'
        : type === 'ec'
          ? CURVE_ALG[curve ?? '']
          : undefined;
  if (!implied) {
    const what = type === 'ec' ? `an EC key on curve ${curve ?? 'unknown'}` : `a ${type ?? 'unknown'} key`;
    return { ok: false, problem: `is ${what}; supported are RSA, EC P-256/P-384/P-521 and Ed25519 keys` };
  }
  if (alg === undefined) return { ok: true, alg: implied };
  const fits = implied.startsWith('RS') ? /^(RS|PS)/.test(alg) : alg === implied;
  return fits
    ? { ok: true, alg }
    : {
        ok: false,
        problem: `cannot sign with ${alg} (it suits ${implied}); fix signingAlgorithm or the key`,
      };
}

function webAlgorithm(
  alg: SigningAlgorithm,
): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.Algorithm {
  const hash = `SHA-${alg.slice(2)}`;
  if (alg.startsWith('ES')) return { name: 'ECDSA', namedCurve: WEB_CURVE[alg] ?? 'P-256' };
  if (alg.startsWith('RS')) return { name: 'RSASSA-PKCS1-v1_5', hash };
  if (alg.startsWith('PS')) return { name: 'RSA-PSS', hash };
  return { name: 'Ed25519' };
}

/**
 * The client authentication for one key: imports the key once (lazily, on the first token request), then
 * signs a new assertion per request. `audience` gives the `aud` claim for the endpoint asked.
 */
export function privateKeyJwtAuth(
  pem: string,
  alg: SigningAlgorithm,
): (audience: string) => oauth.ClientAuth {
  let imported: Promise<webcrypto.CryptoKey> | undefined;
  const cryptoKey = (): Promise<webcrypto.CryptoKey> => {
    imported ??= webcrypto.subtle.importKey(
      'pkcs8',
      createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' }),
      webAlgorithm(alg),
      false,
      ['sign'],
    );
    return imported;
  };
  return (audience) => async (as, client, body, headers) => {
    const key = (await cryptoKey()) as unknown as Parameters<typeof oauth.PrivateKeyJwt>[0];
    const sign = oauth.PrivateKeyJwt(key, {
      [oauth.modifyAssertion]: (header, payload) => {
        // oauth4webapi names an Ed25519 key's algorithm "Ed25519" (RFC 9864); servers expect "EdDSA".
        header.alg = alg;
        payload.aud = audience;
      },
    });
    await sign(as, client, body, headers);
  };
}
