import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { readCertificateStructure } from './certificate-structure.js';
import { CertificateParseError, MissingAuthorityKeyIdentifierError } from './errors.js';
import './x509-provider.js';

/**
 * The ACME Renewal Information certificate identifier (RFC 9773 §4.1): the base64url (no
 * padding) of the Authority Key Identifier's keyIdentifier octets, a `.`, and the base64url of
 * the serialNumber INTEGER's content octets exactly as encoded in the DER. A serial whose high
 * bit is set is encoded with a leading 0x00 (X.690 §8.3: INTEGER is two's complement), and that
 * byte is part of the identifier: `00:87:65:43:21` gives `AIdlQyE`, not `h2VDIQ`.
 *
 * Used for the `renewalInfo` request path (RFC 9773 §4.1) and the `replaces` field of a
 * newOrder (RFC 9773 §5).
 *
 * @throws CertificateParseError when the input is not a certificate.
 * @throws MissingAuthorityKeyIdentifierError when the certificate has no AKI keyIdentifier.
 *
 * @example
 * ```ts
 * // RFC 9773 §4.1's example: AKI 69:88:5B:...:C8:D4, serial 00:87:65:43:21
 * ariCertificateId(certPem); // 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE'
 * ```
 */
export function ariCertificateId(certificate: string | Uint8Array): string {
  const structure = readCertificateStructure(certificate);
  let keyIdHex: string | undefined;
  try {
    const aki = new x509.X509Certificate(structure.der).getExtension(x509.AuthorityKeyIdentifierExtension);
    keyIdHex = aki?.keyId;
  } catch (err) {
    throw new CertificateParseError('the certificate extensions could not be decoded', { cause: err });
  }
  if (keyIdHex === undefined || keyIdHex.length === 0) {
    throw new MissingAuthorityKeyIdentifierError(
      'the certificate has no Authority Key Identifier keyIdentifier, required for its ARI identifier (RFC 9773 §4.1)',
    );
  }
  const keyIdentifier = Buffer.from(keyIdHex, 'hex').toString('base64url');
  const serial = Buffer.from(structure.serial).toString('base64url');
  return `${keyIdentifier}.${serial}`;
}
