import type { JWK } from 'jose';
import { UnsupportedKeyTypeError } from './errors.js';
import { describeKeyObject } from './key-type.js';
import { loadPrivateKeyPem } from './private-key-object.js';

/**
 * Converts a PEM private key (PKCS#8, PKCS#1 or SEC1) to a private JWK (RFC 7517, members of
 * RFC 7518 §6.2.2 / §6.3.2, RFC 8037 §2 for OKP), e.g. to hand an account key to jose.
 *
 * Any key Node.js can express as a JWK is accepted (RSA, EC P-256/P-384/P-521, Ed25519), not
 * only certificate {@link KeyType}s, because ACME account keys have their own rules.
 * The result holds the private key: keep it out of logs, events and execution state.
 *
 * @throws PrivateKeyParseError when the text is not an unencrypted PEM private key.
 * @throws UnsupportedKeyTypeError for keys JWK cannot describe (RSA-PSS, DSA, DH).
 *
 * @example
 * ```ts
 * const jwk = privateKeyPemToJwk(pem); // { kty: 'EC', crv: 'P-256', x, y, d }
 * const key = await importJWK(jwk, 'ES256');
 * ```
 */
export function privateKeyPemToJwk(pem: string): JWK {
  const key = loadPrivateKeyPem(pem);
  try {
    return key.export({ format: 'jwk' }) as JWK;
  } catch (err) {
    const keyDescription = describeKeyObject(key);
    throw new UnsupportedKeyTypeError(`a ${keyDescription} key cannot be expressed as a JWK`, {
      cause: err,
      keyDescription,
    });
  }
}
