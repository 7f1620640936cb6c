import { Lazy } from 'aws-cdk-lib';
import { Effect, PolicyStatement, StarPrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { LINEAGE_ENCRYPTION_CONTEXT_KEY } from '../../shared/store/s3/s3-key-store.js';
import { KEYS_PREFIX } from '../lambda/grant-access.js';

/** The KMS condition key naming the lineage of a certificate key object (S3KeyStore's encryption context). */
export const LINEAGE_CONTEXT_CONDITION = `kms:EncryptionContext:${LINEAGE_ENCRYPTION_CONTEXT_KEY}`;

/**
 * Keeps certificate keys in S3 to the roles allowed them, whatever other IAM policies in the account
 * grant: the bucket policy denies reading and writing `keys/*`, and the key policy denies KMS use
 * under a lineage encryption context, to every principal but `roles`. Two fences, so neither an
 * `s3:*` grant nor a `kms:*` grant alone reaches a key.
 *
 * @example
 * ```ts
 * restrictCertificateKeys(bucket, key, () => [storeCertificateRole, ...readerRoles]);
 * ```
 */
export function restrictCertificateKeys(bucket: IBucket, key: IKey, roles: () => readonly IRole[]): void {
  // Lazy: the roles are created after the bucket and the key; the ARNs are resolved at synth.
  const allowed = { 'aws:PrincipalArn': Lazy.list({ produce: () => roles().map((role) => role.roleArn) }) };
  bucket.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CertificateKeysOnlyForTheirReaders',
      effect: Effect.DENY,
      principals: [new StarPrincipal()],
      actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
      resources: [bucket.arnForObjects(`${KEYS_PREFIX}*`)],
      conditions: { ArnNotEquals: allowed },
    }),
  );
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CertificateKeysOnlyForTheirReaders',
      effect: Effect.DENY,
      principals: [new StarPrincipal()],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { Null: { [LINEAGE_CONTEXT_CONDITION]: 'false' }, ArnNotEquals: allowed },
    }),
  );
}

/**
 * What a consumer of S3-kept keys needs for `lineages`: the live pointer and the key objects, and KMS
 * Decrypt only under those lineages' encryption context (plus the bucket's own context for `live/`,
 * which is encrypted with the S3 Bucket Key).
 */
export function keyReaderStatements(bucket: IBucket, key: IKey, lineages: readonly string[]): PolicyStatement[] {
  return [
    new PolicyStatement({
      actions: ['s3:GetObject'],
      resources: lineages.flatMap((name) => [bucket.arnForObjects(`live/${name}/*`), bucket.arnForObjects(`archive/${name}/*`), bucket.arnForObjects(`${KEYS_PREFIX}${name}/*`)]),
    }),
    new PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { [LINEAGE_CONTEXT_CONDITION]: [...lineages] } },
    }),
    new PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:EncryptionContext:aws:s3:arn': bucket.bucketArn } },
    }),
  ];
}
