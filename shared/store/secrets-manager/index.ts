export { clientRequestToken } from './client-request-token.js';
export type { CertificateSecretValue } from './secret-values.js';
export { SecretsManagerKeyStore, type SecretsManagerKeyStoreOptions } from './secrets-manager-key-store.js';
export { SecretAccessDeniedError, SecretKeyUnusableError, secretsManagerFailure } from './errors.js';
