import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { KeyStoreKind } from '../../../shared/config/key-stores.js';
import { LineageRoutedKeyStore } from '../../../shared/store/lineage-routed-key-store.js';
import { S3CertificateStore } from '../../../shared/store/s3/s3-certificate-store.js';
import { S3KeyStore } from '../../../shared/store/s3/s3-key-store.js';
import { SecretsManagerKeyStore } from '../../../shared/store/secrets-manager/secrets-manager-key-store.js';
import type { AwsEnvironment } from '../aws-env.js';
import type { AdapterBuilder } from './adapter.js';

/** What {@link issuerKeyStore} is built from: the issuer's environment and two SDK clients. */
export interface IssuerKeyStoreOptions {
  readonly bucket: string;
  readonly s3: S3Client;
  readonly secretsManager: SecretsManagerClient;
  readonly secretPrefix: string;
  readonly kmsKeyId?: string;
  /** The issuer's default, for lineages whose spec names no `keyStore`. */
  readonly keyStore: KeyStoreKind;
}

/**
 * The issuer's {@link LineageRoutedKeyStore}: certificate keys where each lineage's spec says, S3
 * objects under `keys/` or secrets `<prefix>cert/<lineage>`, both under the issuer's KMS key; account
 * keys in `<prefix>account/<id>`. The spec is read from `renewal/<name>.json` at each call, so a spec
 * changed by a deploy applies to the next call, even in a warm container.
 *
 * @example
 * ```ts
 * const keys = issuerKeyStore({ bucket, s3, secretsManager, secretPrefix: 'acmeflow/', keyStore: 's3' });
 * ```
 */
export function issuerKeyStore(options: IssuerKeyStoreOptions): LineageRoutedKeyStore {
  const kms = options.kmsKeyId ? { kmsKeyId: options.kmsKeyId } : {};
  const lineages = new S3CertificateStore({ bucket: options.bucket, client: options.s3 });
  return new LineageRoutedKeyStore({
    s3: new S3KeyStore({ bucket: options.bucket, client: options.s3, ...kms }),
    secretsManager: new SecretsManagerKeyStore({
      client: options.secretsManager,
      certificateSecretPrefix: `${options.secretPrefix}cert/`,
      accountSecretPrefix: `${options.secretPrefix}account/`,
      ...kms,
    }),
    keyStoreOf: async (lineage) => (await lineages.getLineage(lineage))?.lineage.spec.keyStore ?? options.keyStore,
  });
}

/** {@link issuerKeyStore} for functions outside the workflow (the ACM deploy hook), with clients of its own in the function's region. */
export function issuerKeyStoreFor(aws: AwsEnvironment): LineageRoutedKeyStore {
  return issuerKeyStore({
    bucket: aws.bucket,
    s3: new S3Client({ region: aws.region }),
    secretsManager: new SecretsManagerClient({ region: aws.region }),
    secretPrefix: aws.secretPrefix,
    ...(aws.kmsKeyId ? { kmsKeyId: aws.kmsKeyId } : {}),
    keyStore: aws.keyStore,
  });
}

/** `keys`: {@link issuerKeyStore} from ACMEFLOW_BUCKET, ACMEFLOW_KEY_STORE, ACMEFLOW_SECRET_PREFIX and ACMEFLOW_KMS_KEY_ID. */
export const keyStores: AdapterBuilder = {
  adapter: 'keys',
  build: (ctx) => ({
    keys: issuerKeyStore({
      bucket: ctx.aws.bucket,
      s3: ctx.client('s3', () => new S3Client({ region: ctx.aws.region, ...ctx.clientConfig.s3 })),
      // The same client as secrets-manager.ts's (one per function); built here so that the ACM hook,
      // which imports this file, does not bundle the EAB parsing that file carries.
      secretsManager: ctx.client('secretsManager', () => new SecretsManagerClient({ region: ctx.aws.region, ...ctx.clientConfig.secretsManager })),
      secretPrefix: ctx.aws.secretPrefix,
      ...(ctx.aws.kmsKeyId ? { kmsKeyId: ctx.aws.kmsKeyId } : {}),
      keyStore: ctx.aws.keyStore,
    }),
  }),
};
