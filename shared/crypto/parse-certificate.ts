import 'reflect-metadata';
import { createHash, createPublicKey } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { readCertificateStructure } from './certificate-structure.js';
import { toHex } from './der-reader.js';
import { commonNameOf, formatDistinguishedName } from './distinguished-name.js';
import { CertificateParseError } from './errors.js';
import { keyTypeOfKeyObject, type KeyType } from './key-type.js';
import './x509-provider.js';

/**
 * What acmeflow needs to know about a certificate. Plain JSON: it survives a round trip through
 * Step Functions state, S3 `meta.json` and events, and holds nothing secret.
 */
export interface CertificateInfo {
  /**
   * serialNumber as the CA encoded it (RFC 5280 §4.1.2.2): lowercase hex of the INTEGER's
   * content octets, no separators, a leading `00` kept when the DER has one.
   */
  readonly serialHex: string;
  /** Validity notBefore, ISO 8601 UTC (`2025-01-01T00:00:00.000Z`). */
  readonly notBefore: string;
  /** Validity notAfter, ISO 8601 UTC; the certificate is still valid during this second. */
  readonly notAfter: string;
  /**
   * The validity period in seconds, counted inclusively as RFC 5280 §4.1.2.5 defines it:
   * `notAfter - notBefore + 1`. A Let's Encrypt certificate from 00:00:00 to 23:59:59 89 days
   * later has exactly 90 days (7 776 000 s).
   */
  readonly lifetimeSeconds: number;
  /** subjectAltName dNSName entries, in certificate order (RFC 5280 §4.2.1.6). */
  readonly domains: string[];
  /** The subject's first commonName, or null (ACME certificates may have an empty subject). */
  readonly commonName: string | null;
  /** The issuer's first commonName, e.g. `R3`, or null. */
  readonly issuerCommonName: string | null;
  /** The subject as an RFC 4514 string, most specific RDN first: `CN=example.com`. */
  readonly subjectDn: string;
  /** The issuer as an RFC 4514 string: `CN=R3,O=Let's Encrypt,C=US`. */
  readonly issuerDn: string;
  /** Authority Key Identifier keyIdentifier, lowercase hex (RFC 5280 §4.2.1.1), or null. */
  readonly authorityKeyIdentifierHex: string | null;
  /** Subject Key Identifier, lowercase hex (RFC 5280 §4.2.1.2), or null. */
  readonly subjectKeyIdentifierHex: string | null;
  /** The subject key's {@link KeyType}, or null for any other key (Ed25519, P-521, RSA 1024...). */
  readonly keyType: KeyType | null;
  /** SHA-256 over the whole DER certificate, lowercase hex, no separators. */
  readonly sha256FingerprintHex: string;
  /** basicConstraints cA (RFC 5280 §4.2.1.9); false when the extension is absent. */
  readonly isCa: boolean;
}

/**
 * Reads a certificate: PEM text (the first `CERTIFICATE` block, so a fullchain gives the leaf)
 * or DER bytes.
 *
 * The serial and the names are read from the DER directly: @peculiar/x509 drops a serial's
 * leading 00 (which RFC 9773 §4.1 identifiers keep) and prints names in encoded order rather
 * than RFC 4514's reverse order. Validity and extensions come from @peculiar/x509.
 *
 * @throws CertificateParseError when the input is not a certificate.
 *
 * @example
 * ```ts
 * const info = parseCertificate(fullchainPem);
 * info.domains;          // ['example.com', '*.example.com']
 * info.lifetimeSeconds;  // 7776000
 * ```
 */
export function parseCertificate(input: string | Uint8Array): CertificateInfo {
  const structure = readCertificateStructure(input);
  try {
    const certificate = new x509.X509Certificate(structure.der);
    const notBefore = certificate.notBefore;
    const notAfter = certificate.notAfter;
    const san = certificate.getExtension(x509.SubjectAlternativeNameExtension);
    const aki = certificate.getExtension(x509.AuthorityKeyIdentifierExtension);
    const ski = certificate.getExtension(x509.SubjectKeyIdentifierExtension);
    const basicConstraints = certificate.getExtension(x509.BasicConstraintsExtension);
    return {
      serialHex: toHex(structure.serial),
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
      lifetimeSeconds: Math.round((notAfter.getTime() - notBefore.getTime()) / 1000) + 1,
      domains: san === null ? [] : san.names.items.filter((name) => name.type === 'dns').map((name) => name.value),
      commonName: commonNameOf(structure.subject),
      issuerCommonName: commonNameOf(structure.issuer),
      subjectDn: formatDistinguishedName(structure.subject),
      issuerDn: formatDistinguishedName(structure.issuer),
      authorityKeyIdentifierHex: aki?.keyId?.toLowerCase() ?? null,
      subjectKeyIdentifierHex: ski?.keyId.toLowerCase() ?? null,
      keyType: keyTypeOfSubjectPublicKeyInfo(structure.subjectPublicKeyInfo.bytes),
      sha256FingerprintHex: createHash('sha256').update(structure.der).digest('hex'),
      isCa: basicConstraints?.ca ?? false,
    };
  } catch (err) {
    if (err instanceof CertificateParseError) throw err;
    throw new CertificateParseError('the certificate could not be decoded', { cause: err });
  }
}

function keyTypeOfSubjectPublicKeyInfo(spki: Uint8Array): KeyType | null {
  try {
    return keyTypeOfKeyObject(createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }));
  } catch {
    // A key algorithm OpenSSL does not know is still a certificate; it is just not ours.
    return null;
  }
}
