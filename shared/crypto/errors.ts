/**
 * Typed errors of the crypto module.
 *
 * Every class sets a literal `name`: Step Functions matches `Retry`/`Catch` on `error.name`, and a
 * bundler renames classes, so `this.constructor.name` would silently stop matching (ARCHITECTURE.md,
 * "Error model").
 *
 * No message ever contains key material or the text that failed to parse: the input may be a
 * private key, and messages end up in logs, events and execution history (ARCHITECTURE.md,
 * "Security invariants"). Messages only name the kind of input, PEM labels, key algorithms and sizes.
 */

/** Options every error of this module accepts. */
export interface CryptoErrorOptions {
  /** The lower-level error (Node.js, @peculiar/x509, DER reader) that made this one. */
  cause?: unknown;
}

function errorOptions(options: CryptoErrorOptions): ErrorOptions | undefined {
  return options.cause === undefined ? undefined : { cause: options.cause };
}

/**
 * The text is not the PEM (RFC 7468) the caller expected: no block, a block cut short, a label
 * mismatch, bad base64, or RFC 1421 encryption headers.
 *
 * @example
 * ```ts
 * try { pemToDer(text, 'CERTIFICATE'); } catch (err) { if (err instanceof PemFormatError) ... }
 * ```
 */
export class PemFormatError extends Error {
  constructor(message: string, options: CryptoErrorOptions = {}) {
    super(message, errorOptions(options));
    this.name = 'PemFormatError';
  }
}

/**
 * A DER (ITU-T X.690) structure is truncated or malformed. The public functions wrap it in the
 * error of what they were reading ({@link CertificateParseError}, ...) as `cause`.
 */
export class Asn1DecodeError extends Error {
  constructor(message: string, options: CryptoErrorOptions = {}) {
    super(message, errorOptions(options));
    this.name = 'Asn1DecodeError';
  }
}

/**
 * The input is not a readable, unencrypted private key (PKCS#8, PKCS#1 or SEC1 PEM, or a JWK
 * with its private member `d`).
 *
 * @example
 * ```ts
 * expect(() => keyTypeOfPrivateKey('nope')).toThrow(PrivateKeyParseError);
 * ```
 */
export class PrivateKeyParseError extends Error {
  constructor(message: string, options: CryptoErrorOptions = {}) {
    super(message, errorOptions(options));
    this.name = 'PrivateKeyParseError';
  }
}

/**
 * The key is readable but is not one of the certificate key types acmeflow issues for
 * (`KeyType`): e.g. Ed25519, P-521, RSA-PSS or RSA 1024.
 *
 * @example
 * ```ts
 * expect(() => keyTypeOfPrivateKey(ed25519Pem)).toThrow(UnsupportedKeyTypeError);
 * ```
 */
export class UnsupportedKeyTypeError extends Error {
  /** What the key is, e.g. `ed25519`, `ec secp521r1`, `rsa 1024-bit` (never key material). */
  readonly keyDescription: string;
  constructor(message: string, options: CryptoErrorOptions & { keyDescription?: string } = {}) {
    super(message, errorOptions(options));
    this.name = 'UnsupportedKeyTypeError';
    this.keyDescription = options.keyDescription ?? 'unknown';
  }
}

/**
 * The input is not a DER X.509 certificate (RFC 5280 §4.1), or a PEM text without one.
 *
 * @example
 * ```ts
 * expect(() => parseCertificate('garbage')).toThrow(CertificateParseError);
 * ```
 */
export class CertificateParseError extends Error {
  constructor(message: string, options: CryptoErrorOptions = {}) {
    super(message, errorOptions(options));
    this.name = 'CertificateParseError';
  }
}

/**
 * The certificate has no Authority Key Identifier `keyIdentifier`, which the ARI certificate
 * identifier is built from (RFC 9773 §4.1). CA-issued certificates always carry one
 * (RFC 5280 §4.2.1.1); self-signed ones may not.
 */
export class MissingAuthorityKeyIdentifierError extends Error {
  constructor(message: string, options: CryptoErrorOptions = {}) {
    super(message, errorOptions(options));
    this.name = 'MissingAuthorityKeyIdentifierError';
  }
}

/**
 * `createCsr` was given names it cannot put in a CSR: none at all, or a name that is not an
 * ASCII DNS name (dNSName is an IA5String, RFC 5280 §4.2.1.6: IDNs must be A-labels).
 */
export class InvalidCsrInputError extends Error {
  constructor(message: string, options: CryptoErrorOptions = {}) {
    super(message, errorOptions(options));
    this.name = 'InvalidCsrInputError';
  }
}
