import { DerTag, expectDerTag, readDerChildren, readSingleDerElement, type DerElement } from './der-reader.js';
import { CertificateParseError, PemFormatError } from './errors.js';
import { pemToDer } from './pem-to-der.js';

/**
 * The fields of a certificate that this module reads from the DER itself, internal.
 * Element views point into `der`.
 */
export interface CertificateStructure {
  /** The whole certificate, an own copy (never a view into the caller's buffer). */
  readonly der: Uint8Array<ArrayBuffer>;
  /** The serialNumber INTEGER's content octets as encoded, leading 0x00 included (RFC 5280 §4.1.2.2). */
  readonly serial: Uint8Array;
  readonly issuer: DerElement;
  readonly subject: DerElement;
  readonly subjectPublicKeyInfo: DerElement;
}

/**
 * Takes a certificate as PEM text (the first `CERTIFICATE` block, so a fullchain gives its leaf)
 * or DER bytes, and checks the RFC 5280 §4.1 outline: exactly one SEQUENCE of tbsCertificate,
 * signatureAlgorithm and signatureValue, with nothing after it.
 *
 * @throws CertificateParseError with the PEM or DER fault as `cause`.
 */
export function readCertificateStructure(input: string | Uint8Array): CertificateStructure {
  let der: Uint8Array<ArrayBuffer>;
  if (typeof input === 'string') {
    try {
      der = pemToDer(input, 'CERTIFICATE');
    } catch (err) {
      const message =
        err instanceof PemFormatError ? `not a PEM certificate: ${err.message}` : 'not a PEM certificate';
      throw new CertificateParseError(message, { cause: err });
    }
  } else if (input instanceof Uint8Array) {
    der = new Uint8Array(input);
  } else {
    throw new CertificateParseError('a certificate must be PEM text or DER bytes (Uint8Array)');
  }
  try {
    const certificate = expectDerTag(readSingleDerElement(der), DerTag.SEQUENCE, 'Certificate');
    const [tbs, signatureAlgorithm, signatureValue] = readDerChildren(certificate);
    expectDerTag(tbs, DerTag.SEQUENCE, 'tbsCertificate');
    expectDerTag(signatureAlgorithm, DerTag.SEQUENCE, 'signatureAlgorithm');
    expectDerTag(signatureValue, DerTag.BIT_STRING, 'signatureValue');
    const fields = readDerChildren(tbs as DerElement);
    // version is [0] EXPLICIT and absent for v1 certificates (RFC 5280 §4.1.2.1).
    const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
    const serial = expectDerTag(fields[offset], DerTag.INTEGER, 'serialNumber');
    if (serial.content.length === 0) throw new CertificateParseError('the serialNumber INTEGER is empty');
    expectDerTag(fields[offset + 1], DerTag.SEQUENCE, 'signature');
    const issuer = expectDerTag(fields[offset + 2], DerTag.SEQUENCE, 'issuer');
    expectDerTag(fields[offset + 3], DerTag.SEQUENCE, 'validity');
    const subject = expectDerTag(fields[offset + 4], DerTag.SEQUENCE, 'subject');
    const subjectPublicKeyInfo = expectDerTag(fields[offset + 5], DerTag.SEQUENCE, 'subjectPublicKeyInfo');
    return { der, serial: serial.content, issuer, subject, subjectPublicKeyInfo };
  } catch (err) {
    if (err instanceof CertificateParseError) throw err;
    throw new CertificateParseError('not a DER X.509 certificate', { cause: err });
  }
}
