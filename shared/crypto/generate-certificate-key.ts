import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { UnsupportedKeyTypeError } from './errors.js';
import { KEY_TYPES, isKeyType, type KeyType } from './key-type.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** A freshly generated certificate key pair, both halves as PEM. */
export interface CertificateKeyPair {
  /** PKCS#8 (RFC 5208 §5) `PRIVATE KEY` PEM. Secret: it goes to the key store and nowhere else. */
  readonly privateKeyPem: string;
  /** SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) `PUBLIC KEY` PEM. */
  readonly publicKeyPem: string;
}

/**
 * Generates a new certificate key.
 *
 * Uses the asynchronous `generateKeyPair` on libuv's thread pool: an RSA 4096 key takes
 * seconds, which must not block the event loop of a Lambda or the CLI. RSA keys use the public
 * exponent 65537 (F4), the value CAs expect (CA/Browser Forum BR §6.1.6); EC keys use named
 * curves (RFC 5480 §2.1.1, explicit parameters are forbidden in certificates).
 *
 * @throws UnsupportedKeyTypeError when `keyType` is not a {@link KeyType} (e.g. from JSON).
 *
 * @example
 * ```ts
 * const { privateKeyPem } = await generateCertificateKey('ecdsa-p256');
 * const csr = await createCsr({ privateKeyPem, domains: ['example.com'] });
 * ```
 */
export async function generateCertificateKey(keyType: KeyType): Promise<CertificateKeyPair> {
  if (!isKeyType(keyType)) {
    throw new UnsupportedKeyTypeError(
      `unsupported certificate key type "${String(keyType)}"; supported: ${KEY_TYPES.join(', ')}`,
      { keyDescription: String(keyType) },
    );
  }
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const;
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  const { privateKey, publicKey } =
    keyType === 'ecdsa-p256' || keyType === 'ecdsa-p384'
      ? await generateKeyPairAsync('ec', {
          namedCurve: keyType === 'ecdsa-p256' ? 'P-256' : 'P-384',
          publicKeyEncoding,
          privateKeyEncoding,
        })
      : await generateKeyPairAsync('rsa', {
          modulusLength: Number(keyType.slice('rsa-'.length)),
          publicExponent: 0x10001,
          publicKeyEncoding,
          privateKeyEncoding,
        });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}
