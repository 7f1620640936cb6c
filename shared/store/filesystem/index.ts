/**
 * The filesystem adapters of the store ports: certbot's config directory layout (`live/`,
 * `archive/`, `renewal/<name>.conf`), so the local engine's output is what servers set up for
 * certbot expect. Only re-exports.
 */
export { CertbotLayout, CERTBOT_KINDS, type CertbotKind } from './certbot-layout.js';
export {
  ArchiveCorruptError,
  GuardTimeoutError,
  InvalidLineageNameError,
  LineageDirectoryError,
  LockFileCorruptError,
  RenewalConfError,
  VersionNotFoundError,
} from './errors.js';
export { FilesystemCertificateStore, type FilesystemCertificateStoreOptions } from './filesystem-certificate-store.js';
export { FilesystemKeyStore, type FilesystemKeyStoreOptions } from './filesystem-key-store.js';
export { FilesystemLineageLock, type FilesystemLineageLockOptions } from './filesystem-lineage-lock.js';
export { ACMEFLOW_CONF_FORMAT, CERTBOT_CONF_VERSION, formatRenewalConf, parseRenewalConf } from './renewal-conf.js';
