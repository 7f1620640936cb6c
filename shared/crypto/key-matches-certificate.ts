import { createPublicKey } from 'node:crypto';
import { readCertificateStructure } from './certificate-structure.js';
import { loadPrivateKeyPem } from './private-key-object.js';

/**
 * Tells whether a private key belongs to a certificate, by comparing the public key derived from
 * the private key with the certificate's subjectPublicKeyInfo (RFC 5280 §4.1.2.7). Both sides
 * go through Node.js's SPKI encoder first, so an EC point written compressed in the certificate
 * still matches.
 *
 * Use it before storing or deploying a certificate: a key that does not match makes a server
 * fail its TLS handshakes.
 *
 * @throws PrivateKeyParseError when the key is not an unencrypted PEM private key.
 * @throws CertificateParseError when the certificate is not one.
 *
 * @example
 * ```ts
 * if (!(await keyMatchesCertificate(privateKeyPem, certPem))) throw new Error('key mismatch');
 * ```
 */
export async function keyMatchesCertificate(privateKeyPem: string, certificate: string | Uint8Array): Promise<boolean> {
  const privateKey = loadPrivateKeyPem(privateKeyPem);
  const structure = readCertificateStructure(certificate);
  let certificateKey: Buffer;
  try {
    certificateKey = createPublicKey({
      key: Buffer.from(structure.subjectPublicKeyInfo.bytes),
      format: 'der',
      type: 'spki',
    }).export({ type: 'spki', format: 'der' });
  } catch {
    // A public key OpenSSL cannot read cannot be the public half of a key it could read.
    return false;
  }
  const derivedKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return derivedKey.equals(certificateKey);
}
