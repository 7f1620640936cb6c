/**
 * Where a lineage's certificate key lives in AWS: S3 objects under `keys/` (no per-object price) or
 * one Secrets Manager secret (for consumers that read the key as a secret: ECS `secrets`, the SSM
 * deploy hook). Local runs keep keys in files whatever this says. Kept apart from the zod schemas so
 * the Lambda shells can check the issuer's default without bundling zod.
 */
export const KEY_STORES = ['s3', 'secretsManager'] as const;
export type KeyStoreKind = (typeof KEY_STORES)[number];

/** Where certificate keys live when neither the lineage nor the issuer says: S3, which has no per-object price. */
export const DEFAULT_KEY_STORE: KeyStoreKind = 's3';
