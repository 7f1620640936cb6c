import { createPublicKey } from 'node:crypto';
import { UnsupportedKeyTypeError } from './errors.js';
import { KEY_TYPES, describeKeyObject, keyTypeOfKeyObject, type KeyType } from './key-type.js';
import { loadPrivateKeyPem } from './private-key-object.js';

/** A certificate key imported into Web Crypto, ready for @peculiar/x509's generators. */
export interface SigningKey {
  readonly keyType: KeyType;
  /** The private half is imported non-extractable: once in Web Crypto it cannot be read back. */
  readonly keys: CryptoKeyPair;
  /** Web Crypto parameters for `subtle.sign`, including the hash. */
  readonly signingAlgorithm: RsaHashedImportParams | EcdsaParams;
}

/**
 * Imports a PEM certificate key into Web Crypto with the signature algorithm that goes with it,
 * internal to this module (and the test helpers):
 * RSA → sha256WithRSAEncryption (RSASSA-PKCS1-v1_5 with SHA-256, RFC 8017 §8.2, RFC 4055 §5);
 * P-256 → ecdsa-with-SHA256 and P-384 → ecdsa-with-SHA384 (RFC 5758 §3.2), matching the hash
 * to the curve's strength as CAs require (CA/Browser Forum BR §7.1.3.2).
 *
 * @throws PrivateKeyParseError / UnsupportedKeyTypeError as `keyTypeOfPrivateKey`.
 */
export async function importSigningKey(privateKeyPem: string, crypto: Crypto = globalThis.crypto): Promise<SigningKey> {
  const keyObject = loadPrivateKeyPem(privateKeyPem);
  const keyType = keyTypeOfKeyObject(keyObject);
  if (keyType === null) {
    const keyDescription = describeKeyObject(keyObject);
    throw new UnsupportedKeyTypeError(
      `unsupported certificate key (${keyDescription}); supported: ${KEY_TYPES.join(', ')}`,
      { keyDescription },
    );
  }
  const importParams: RsaHashedImportParams | EcKeyImportParams =
    keyType === 'ecdsa-p256'
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : keyType === 'ecdsa-p384'
        ? { name: 'ECDSA', namedCurve: 'P-384' }
        : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const signingAlgorithm: RsaHashedImportParams | EcdsaParams =
    keyType === 'ecdsa-p256'
      ? { name: 'ECDSA', hash: 'SHA-256' }
      : keyType === 'ecdsa-p384'
        ? { name: 'ECDSA', hash: 'SHA-384' }
        : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(keyObject).export({ type: 'spki', format: 'der' });
  const [privateKey, publicKey] = await Promise.all([
    crypto.subtle.importKey('pkcs8', pkcs8, importParams, false, ['sign']),
    // Extractable: @peculiar/x509 exports the public key to write the SubjectPublicKeyInfo.
    crypto.subtle.importKey('spki', spki, importParams, true, ['verify']),
  ]);
  return { keyType, keys: { privateKey, publicKey }, signingAlgorithm };
}
