/**
 * acmeflow's crypto module: certificate keys, PEM/JWK conversion, the ACME CSR, certificate
 * parsing and the RFC 9773 ARI certificate identifier. Only re-exports; one idea per file.
 */
export { ariCertificateId } from './ari-certificate-id.js';
export { createCsr, type CreateCsrInput, type Csr } from './create-csr.js';
export { derToPem } from './der-to-pem.js';
export {
  Asn1DecodeError,
  CertificateParseError,
  InvalidCsrInputError,
  MissingAuthorityKeyIdentifierError,
  PemFormatError,
  PrivateKeyParseError,
  UnsupportedKeyTypeError,
  type CryptoErrorOptions,
} from './errors.js';
export { generateCertificateKey, type CertificateKeyPair } from './generate-certificate-key.js';
export { jwkToPrivateKeyPem } from './jwk-to-private-key-pem.js';
export { keyMatchesCertificate } from './key-matches-certificate.js';
export { keyTypeOfPrivateKey } from './key-type-of-private-key.js';
export { KEY_TYPES, isKeyType, type KeyType } from './key-type.js';
export { normalizePem } from './normalize-pem.js';
export { parseCertificate, type CertificateInfo } from './parse-certificate.js';
export { pemToDer } from './pem-to-der.js';
export { privateKeyPemToJwk } from './private-key-pem-to-jwk.js';
export { publicJwkOf } from './public-jwk-of.js';
export { splitPemChain } from './split-pem-chain.js';
