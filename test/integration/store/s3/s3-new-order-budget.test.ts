/**
 * `S3NewOrderBudget` against s3rver: one object per account under locks/order-budget/, the limit
 * held when concurrent sweeps take at once (through the conditional-request shim: s3rver itself
 * ignores If-Match), and the hold.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_BUDGET_PREFIX, S3NewOrderBudget } from '../../../../shared/store/s3/index.js';
import { startS3rver, type S3rverHandle } from '../../../../harness/s3rver.js';
import { startConditionalS3, type ConditionalS3 } from '../../../reliability/support/conditional-s3.js';

let s3: S3rverHandle;
let shim: ConditionalS3;

beforeAll(async () => {
  s3 = await startS3rver();
  shim = await startConditionalS3(s3);
});
afterAll(async () => {
  await shim?.stop();
  await s3?.stop();
});

describe('S3NewOrderBudget on s3rver', () => {
  it('never grants more than the limit to twenty concurrent takers of one account', async () => {
    const budget = new S3NewOrderBudget({ bucket: s3.bucket, client: shim.client });
    const limit = { orders: 7, windowSeconds: 3600, ariRenewalsExempt: false };
    const answers = await Promise.all(Array.from({ length: 20 }, () => budget.take('https://ca.test/acct/race', limit)));
    expect(answers.filter((a) => a.granted === true)).toHaveLength(7);
    expect(answers.filter((a) => !a.granted)).toEqual(Array(13).fill(expect.objectContaining({ granted: false, reason: 'limit' })));
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: ORDER_BUDGET_PREFIX }));
    expect(listed.KeyCount).toBe(1);
    expect(listed.Contents?.[0]?.Key).toMatch(/^locks\/order-budget\/[0-9a-f]{32}\.json$/);
  });

  it('holds an account until the given time; the first hold reports true, an earlier one false', async () => {
    const now = new Date('2026-03-01T00:00:00Z');
    const budget = new S3NewOrderBudget({ bucket: s3.bucket, client: s3.client, now: () => now });
    const limit = { orders: 100, windowSeconds: 3600, ariRenewalsExempt: true };
    await expect(budget.take('https://ca.test/acct/held', limit)).resolves.toEqual({ granted: true });
    await expect(budget.hold('https://ca.test/acct/held', new Date('2026-03-01T02:00:00Z'))).resolves.toBe(true);
    await expect(budget.hold('https://ca.test/acct/held', new Date('2026-03-01T01:00:00Z'))).resolves.toBe(false);
    await expect(budget.take('https://ca.test/acct/held', undefined)).resolves.toEqual({ granted: false, reason: 'hold', retryAt: '2026-03-01T02:00:00.000Z' });
    await expect(budget.take('https://ca.test/acct/other', undefined)).resolves.toEqual({ granted: true });
  });
});
