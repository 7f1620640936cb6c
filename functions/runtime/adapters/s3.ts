import { S3Client } from '@aws-sdk/client-s3';
import { S3CertificateStore } from '../../../shared/store/s3/s3-certificate-store.js';
import { S3LineageLock } from '../../../shared/store/s3/s3-lineage-lock.js';
import { S3OrderSlots } from '../../../shared/store/s3/s3-order-slots.js';
import { S3NewOrderBudget } from '../../../shared/store/s3/s3-new-order-budget.js';
import type { S3StoreOptions } from '../../../shared/store/s3/s3-store-options.js';
import { SignedObjectReader } from '../../../shared/store/s3/signed-object-reader.js';
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

/**
 * `store` for PlanRenewals: the same store, its reads sent by a {@link SignedObjectReader} (SigV4 on a
 * keep-alive connection, no SDK middleware per request), because a sweep reads every lineage that
 * changed since the last one, all of them on the first: ~0.5 ms of CPU per read instead of ~1.7 ms
 * through `S3Client.send` (bench/aws/planning.ts).
 */
export const s3StoreSignedReads: AdapterBuilder = {
  adapter: 'store',
  build: (ctx) => {
    const options = s3Options(ctx);
    const transport = ctx.clientConfig.s3Reads?.transport;
    const reader = new SignedObjectReader({ bucket: options.bucket, client: options.client as S3Client, ...(transport ? { transport } : {}) });
    return { store: new S3CertificateStore({ ...options, reader }) };
  },
};

/**
 * `lock`: the lineage locks (`locks/`), the issuer's order slots (`locks/order-slots/`) when
 * ACMEFLOW_ORDER_SLOTS sets a cap, and the new-order budget per ACME account (`locks/order-budget/`;
 * the limit is the lineage's `ca.newOrderLimit`, else its CA preset's).
 */
export const s3Lock: AdapterBuilder = {
  adapter: 'lock',
  build: (ctx) => ({
    lock: new S3LineageLock({ ...s3Options(ctx), now: ctx.now }),
    orderBudget: new S3NewOrderBudget({ ...s3Options(ctx), now: ctx.now }),
    ...(ctx.aws.orderSlots ? { orderSlots: new S3OrderSlots({ ...s3Options(ctx), capacity: ctx.aws.orderSlots, now: ctx.now }) } : {}),
  }),
};

/** `sweeps`: sweep plans and Distributed Map results (`sweeps/`). */
export const s3Sweeps: AdapterBuilder = {
  adapter: 'sweeps',
  build: (ctx) => ({ sweeps: new S3SweepStore(s3Options(ctx)) }),
};
