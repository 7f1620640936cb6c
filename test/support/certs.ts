// @peculiar/x509 reads decorator metadata when it loads: reflect-metadata must come first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { derToPem, generateCertificateKey, type KeyType } from '../../shared/crypto/index.js';
import { importSigningKey } from '../../shared/crypto/signing-key.js';

x509.cryptoProvider.set(globalThis.crypto);

/** The certificate and key that sign a test certificate (see {@link makeSelfSignedCertificate}). */
export interface TestCertificateIssuer {
  readonly certPem: string;
  readonly privateKeyPem: string;
}

export interface MakeSelfSignedCertificateOptions {
  /** subjectAltName dNSNames, in order. May be empty (a CA). */
  readonly domains: readonly string[];
  /** Key type of a new key; ignored when `privateKeyPem` is given. @default 'ecdsa-p256' */
  readonly keyType?: KeyType;
  /** Reuse this key instead of generating one (RSA 4096 takes seconds to generate). */
  readonly privateKeyPem?: string;
  /**
   * Serial number, hex. Leading zero bytes are dropped and a 00 is added when the high bit is
   * set, as DER INTEGER encoding requires: `'87654321'` is encoded as `00 87 65 43 21`.
   * @default 16 random bytes
   */
  readonly serialHex?: string;
  /** @default one minute ago, whole seconds */
  readonly notBefore?: Date | string;
  /** @default notBefore + 90 days - 1 s (a 90-day lifetime, RFC 5280 §4.1.2.5 counts inclusively) */
  readonly notAfter?: Date | string;
  /**
   * Sign with this certificate's key instead of self-signing: the issuer name is its subject
   * and the Authority Key Identifier its Subject Key Identifier, as a CA would write them.
   */
  readonly issuer?: TestCertificateIssuer;
  /** Subject CN; null for an empty subject. @default the first domain when ≤ 64 chars, else none */
  readonly commonName?: string | null;
  /** Make a CA certificate (basicConstraints cA, keyCertSign). @default false */
  readonly isCa?: boolean;
  /** Authority Key Identifier keyIdentifier, hex; null to leave the extension out. @default the signer's SKI */
  readonly authorityKeyIdentifierHex?: string | null;
}

export interface TestCertificate {
  readonly certPem: string;
  /** PKCS#8 PEM of the certificate's own key (not the issuer's). */
  readonly privateKeyPem: string;
}

const DAY_MS = 86_400_000;

/**
 * Makes a certificate for tests: self-signed, or signed by `issuer`. It has what ACME-issued
 * certificates have (SAN, SKI, AKI, key usages, serverAuth) and the signature algorithm the
 * signer's key type calls for.
 *
 * @example
 * ```ts
 * const ca = await makeSelfSignedCertificate({ domains: [], commonName: 'Test CA', isCa: true });
 * const leaf = await makeSelfSignedCertificate({ domains: ['example.com'], issuer: ca });
 * ```
 */
export async function makeSelfSignedCertificate(options: MakeSelfSignedCertificateOptions): Promise<TestCertificate> {
  const privateKeyPem =
    options.privateKeyPem ?? (await generateCertificateKey(options.keyType ?? 'ecdsa-p256')).privateKeyPem;
  const subjectKey = await importSigningKey(privateKeyPem);
  const signer = options.issuer === undefined ? subjectKey : await importSigningKey(options.issuer.privateKeyPem);
  const issuerCert = options.issuer === undefined ? undefined : new x509.X509Certificate(options.issuer.certPem);

  const notBefore =
    options.notBefore === undefined
      ? new Date(Math.floor((Date.now() - 60_000) / 1000) * 1000)
      : new Date(options.notBefore);
  const notAfter =
    options.notAfter === undefined ? new Date(notBefore.getTime() + 90 * DAY_MS - 1000) : new Date(options.notAfter);

  const firstDomain = options.domains[0];
  const commonName =
    options.commonName !== undefined
      ? options.commonName
      : firstDomain !== undefined && firstDomain.length <= 64
        ? firstDomain
        : null;
  const subject = commonName === null ? undefined : new x509.Name([{ CN: [commonName] }]);
  const issuerName = issuerCert?.subjectName ?? subject;

  const ski = await x509.SubjectKeyIdentifierExtension.create(subjectKey.keys.publicKey);
  let akiHex: string | null;
  if (options.authorityKeyIdentifierHex !== undefined) {
    akiHex = options.authorityKeyIdentifierHex;
  } else if (issuerCert === undefined) {
    akiHex = ski.keyId;
  } else {
    akiHex =
      issuerCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ??
      (await x509.SubjectKeyIdentifierExtension.create(issuerCert.publicKey)).keyId;
  }

  const isCa = options.isCa ?? false;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(isCa, undefined, true),
    new x509.KeyUsagesExtension(
      isCa
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature
        : subjectKey.keyType.startsWith('rsa')
          ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
          : x509.KeyUsageFlags.digitalSignature,
      true,
    ),
    ski,
  ];
  if (!isCa) extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
  if (akiHex !== null) extensions.push(new x509.AuthorityKeyIdentifierExtension(akiHex));
  if (options.domains.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        options.domains.map((value) => ({ type: 'dns', value })),
        subject === undefined, // RFC 5280 §4.2.1.6: critical when the subject is empty
      ),
    );
  }

  const certificate = await x509.X509CertificateGenerator.create({
    ...(options.serialHex === undefined ? {} : { serialNumber: options.serialHex }),
    ...(subject === undefined ? {} : { subject }),
    ...(issuerName === undefined ? {} : { issuer: issuerName }),
    notBefore,
    notAfter,
    publicKey: subjectKey.keys.publicKey,
    signingKey: signer.keys.privateKey,
    signingAlgorithm: signer.signingAlgorithm,
    extensions,
  });
  return { certPem: derToPem(new Uint8Array(certificate.rawData), 'CERTIFICATE'), privateKeyPem };
}
