import { S3Client } from '@aws-sdk/client-s3';
import { S3CertificateStore } from '../../../shared/store/s3/s3-certificate-store.js';
import { S3LineageLock } from '../../../shared/store/s3/s3-lineage-lock.js';
import type { S3StoreOptions } from '../../../shared/store/s3/s3-store-options.js';
import { S3SweepStore } from '../../../shared/store/s3/s3-sweep-store.js';
import type { AdapterBuilder, AdapterContext } from './adapter.js';

/** The S3 adapters (`store`, `lock`, `sweeps`) of the certificate bucket, on one S3 client per function. */

function s3Options(ctx: AdapterContext): S3StoreOptions {
  const client = ctx.client('s3', () => new S3Client({ region: ctx.aws.region, ...ctx.clientConfig.s3 }));
  return { bucket: ctx.aws.bucket, client, ...(ctx.aws.kmsKeyId ? { kmsKeyId: ctx.aws.kmsKeyId } : {}) };
}

/** `store`: lineages and certificates (`renewal/`, `live/`, `archive/`), SSE-KMS under ACMEFLOW_KMS_KEY_ID. */
export const s3Store: AdapterBuilder = {
  adapter: 'store',
  build: (ctx) => ({ store: new S3CertificateStore(s3Options(ctx)) }),
};

/** `lock`: the lineage locks (`locks/`). */
export const s3Lock: AdapterBuilder = {
  adapter: 'lock',
  build: (ctx) => ({ lock: new S3LineageLock({ ...s3Options(ctx), now: ctx.now }) }),
};

/** `sweeps`: sweep plans and Distributed Map results (`sweeps/`). */
export const s3Sweeps: AdapterBuilder = {
  adapter: 'sweeps',
  build: (ctx) => ({ sweeps: new S3SweepStore(s3Options(ctx)) }),
};
