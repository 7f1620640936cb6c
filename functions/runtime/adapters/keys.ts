import { S3Client } from '@aws-sdk/client-s3';
import { LineageRoutedKeyStore } from '../../../shared/store/lineage-routed-key-store.js';
import { S3CertificateStore } from '../../../shared/store/s3/s3-certificate-store.js';
import { S3KeyStore } from '../../../shared/store/s3/s3-key-store.js';
import { SecretsManagerKeyStore } from '../../../shared/store/secrets-manager/secrets-manager-key-store.js';
import type { AdapterBuilder } from './adapter.js';
import { secretsManagerClient } from './secrets-manager.js';

/**
 * `keys`: certificate keys where each lineage's spec says (`keyStore`; unset: ACMEFLOW_KEY_STORE),
 * S3 objects under `keys/` or secrets `<prefix>cert/<lineage>`, both under ACMEFLOW_KMS_KEY_ID;
 * account keys in `<prefix>account/<id>`. The lineage's spec is read from `renewal/<name>.json` at
 * each call, so a spec changed by a deploy applies to the next call, even in a warm container.
 */
export const keyStores: AdapterBuilder = {
  adapter: 'keys',
  build: (ctx) => {
    const s3 = ctx.client('s3', () => new S3Client({ region: ctx.aws.region, ...ctx.clientConfig.s3 }));
    const kms = ctx.aws.kmsKeyId ? { kmsKeyId: ctx.aws.kmsKeyId } : {};
    const lineages = new S3CertificateStore({ bucket: ctx.aws.bucket, client: s3 });
    const fallback = ctx.aws.keyStore;
    return {
      keys: new LineageRoutedKeyStore({
        s3: new S3KeyStore({ bucket: ctx.aws.bucket, client: s3, ...kms }),
        secretsManager: new SecretsManagerKeyStore({
          client: secretsManagerClient(ctx),
          certificateSecretPrefix: `${ctx.aws.secretPrefix}cert/`,
          accountSecretPrefix: `${ctx.aws.secretPrefix}account/`,
          ...kms,
        }),
        keyStoreOf: async (lineage) => (await lineages.getLineage(lineage))?.lineage.spec.keyStore ?? fallback,
      }),
    };
  },
};
