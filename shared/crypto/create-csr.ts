import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { derToPem } from './der-to-pem.js';
import { InvalidCsrInputError } from './errors.js';
import { importSigningKey } from './signing-key.js';
import { webCrypto } from './x509-provider.js';

/** Input of {@link createCsr}. */
export interface CreateCsrInput {
  /** The certificate key, PEM (PKCS#8, PKCS#1 or SEC1), of a supported `KeyType`. */
  readonly privateKeyPem: string;
  /**
   * The order's DNS identifiers, ASCII (IDNs as A-labels), wildcards as `*.example.com`.
   * The first one becomes the subject CN when it fits (see {@link createCsr}).
   */
  readonly domains: readonly string[];
}

/** A PKCS#10 certificate signing request. */
export interface Csr {
  /** DER bytes; RFC 8555 §7.4 `finalize` sends them base64url-encoded. */
  readonly der: Uint8Array<ArrayBuffer>;
  /** The same request as a `CERTIFICATE REQUEST` PEM block (RFC 7468 §7). */
  readonly pem: string;
}

/** RFC 5280 Appendix A.1: ub-common-name INTEGER ::= 64. */
const UB_COMMON_NAME = 64;
/** dNSName is an IA5String (RFC 5280 §4.2.1.6); no spaces or controls in a DNS name either. */
const DNS_NAME_CHARS = /^[\x21-\x7e]+$/;

/**
 * Builds and signs the PKCS#10 request (RFC 2986) for an ACME `finalize` (RFC 8555 §7.4).
 *
 * - Every name goes into a subjectAltName extension as a dNSName, in the order given, exactly as
 *   given (wildcards included); repeats, compared case-insensitively, are dropped since the CA
 *   compares sets (RFC 8555 §7.4).
 * - The subject is `CN=<first name>` when that name is at most 64 characters (ub-common-name,
 *   RFC 5280 Appendix A.1); a longer one cannot be a CN, so the subject is then empty and the
 *   subjectAltName is marked critical, as RFC 5280 §4.2.1.6 requires of a certificate with an
 *   empty subject.
 * - Signature: sha256WithRSAEncryption for RSA keys, ecdsa-with-SHA256 for P-256,
 *   ecdsa-with-SHA384 for P-384.
 *
 * @throws InvalidCsrInputError when `domains` is empty or holds a non-ASCII or blank name.
 * @throws PrivateKeyParseError / UnsupportedKeyTypeError for an unreadable or unsupported key.
 *
 * @example
 * ```ts
 * const { der } = await createCsr({ privateKeyPem, domains: ['example.com', '*.example.com'] });
 * await finalizeOrder(ctx, account, order, der);
 * ```
 */
export async function createCsr(input: CreateCsrInput): Promise<Csr> {
  const domains = uniqueDomains(input.domains);
  const signingKey = await importSigningKey(input.privateKeyPem, webCrypto);
  const commonName = domains[0] !== undefined && domains[0].length <= UB_COMMON_NAME ? domains[0] : undefined;

  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      ...(commonName === undefined ? {} : { name: [{ CN: [commonName] }] }),
      extensions: [
        new x509.SubjectAlternativeNameExtension(
          domains.map((value) => ({ type: 'dns', value })),
          commonName === undefined,
        ),
      ],
      signingAlgorithm: signingKey.signingAlgorithm,
      keys: signingKey.keys,
    },
    webCrypto,
  );
  const der = new Uint8Array(csr.rawData);
  return { der, pem: derToPem(der, 'CERTIFICATE REQUEST') };
}

function uniqueDomains(domains: readonly string[]): string[] {
  if (!Array.isArray(domains) || domains.length === 0) {
    throw new InvalidCsrInputError('a CSR needs at least one domain');
  }
  const seen = new Set<string>();
  const result: string[] = [];
  for (const [index, domain] of domains.entries()) {
    if (typeof domain !== 'string' || !DNS_NAME_CHARS.test(domain)) {
      const shown = typeof domain === 'string' ? JSON.stringify(domain.slice(0, 100)) : typeof domain;
      throw new InvalidCsrInputError(
        `domain #${index + 1} (${shown}) is not an ASCII DNS name (use A-labels for IDNs, RFC 5280 §4.2.1.6)`,
      );
    }
    const key = domain.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      result.push(domain);
    }
  }
  return result;
}
