import { UnsupportedKeyTypeError } from './errors.js';
import { KEY_TYPES, describeKeyObject, keyTypeOfKeyObject, type KeyType } from './key-type.js';
import { loadPrivateKeyPem } from './private-key-object.js';

/**
 * Tells which {@link KeyType} a PEM private key is, e.g. to check a key an operator brings
 * (certbot's `--key-path`, a reused key) before building a CSR with it.
 *
 * Accepts PKCS#8 `PRIVATE KEY` (RFC 5208), PKCS#1 `RSA PRIVATE KEY` (RFC 8017 §A.1.2) and SEC1
 * `EC PRIVATE KEY` (RFC 5915) PEM.
 *
 * @throws PrivateKeyParseError when the text is not an unencrypted PEM private key.
 * @throws UnsupportedKeyTypeError for keys outside {@link KeyType}: Ed25519, P-521, RSA-PSS,
 *   RSA sizes other than 2048/3072/4096.
 *
 * @example
 * ```ts
 * keyTypeOfPrivateKey((await generateCertificateKey('ecdsa-p384')).privateKeyPem); // 'ecdsa-p384'
 * ```
 */
export function keyTypeOfPrivateKey(pem: string): KeyType {
  const key = loadPrivateKeyPem(pem);
  const keyType = keyTypeOfKeyObject(key);
  if (keyType === null) {
    const keyDescription = describeKeyObject(key);
    throw new UnsupportedKeyTypeError(
      `unsupported certificate key (${keyDescription}); supported: ${KEY_TYPES.join(', ')}`,
      { keyDescription },
    );
  }
  return keyType;
}
