export { s3ObjectKeys } from './object-keys.js';
export { S3CertificateStore, type S3CertificateStoreOptions } from './s3-certificate-store.js';
export { S3LineageLock, type S3LineageLockOptions } from './s3-lineage-lock.js';
export type { S3StoreOptions } from './s3-store-options.js';
export { S3ReadError, SignedObjectReader, type ObjectReader, type SignedObjectReaderOptions } from './signed-object-reader.js';
export { InvalidSweepIdError, S3SweepStore, SweepResultsFormatError, type S3SweepStoreOptions } from './s3-sweep-store.js';
export { LINEAGE_ENCRYPTION_CONTEXT_KEY, lineageEncryptionContext, S3KeyStore, type S3KeyStoreOptions } from './s3-key-store.js';
export { ORDER_SLOTS_PREFIX, S3OrderSlots, type S3OrderSlotsOptions } from './s3-order-slots.js';
export { ORDER_BUDGET_PREFIX, S3NewOrderBudget, type S3NewOrderBudgetOptions } from './s3-new-order-budget.js';
