/**
 * `S3OrderSlots` against s3rver: the port's rules (shared/store/order-slots.ts) with real S3 calls,
 * and the cap under racing owners through the conditional-request shim (s3rver itself ignores
 * `If-None-Match` / `If-Match`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ORDER_SLOTS_PREFIX, S3OrderSlots } from '../../../../shared/store/s3/index.js';
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

async function slotObjects(): Promise<string[]> {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: ORDER_SLOTS_PREFIX }));
  return (listed.Contents ?? []).map((o) => o.Key ?? '').sort();
}

async function clear(slots: S3OrderSlots, handles: readonly ({ slot: number; owner: string; expiresAt: string; token: string } | undefined)[]) {
  for (const h of handles) if (h) await slots.release(h);
}

describe('S3OrderSlots on s3rver', () => {
  it('gives out capacity slots as objects under locks/order-slots/, then undefined; release deletes its object', async () => {
    const slots = new S3OrderSlots({ bucket: s3.bucket, client: s3.client, capacity: 2 });
    const a = await slots.acquire({ owner: 'sweep-1:a', leaseSeconds: 600 });
    const b = await slots.acquire({ owner: 'sweep-2:b', leaseSeconds: 600 });
    expect(new Set([a?.slot, b?.slot])).toEqual(new Set([0, 1]));
    expect(await slotObjects()).toEqual(['locks/order-slots/0.json', 'locks/order-slots/1.json']);
    await expect(slots.acquire({ owner: 'sweep-3:c', leaseSeconds: 600 })).resolves.toBeUndefined();
    await slots.release(a!);
    expect(await slotObjects()).toEqual([`locks/order-slots/${b?.slot}.json`]);
    const c = await slots.acquire({ owner: 'sweep-3:c', leaseSeconds: 600 });
    expect(c?.slot).toBe(a?.slot);
    await clear(slots, [b, c]);
    expect(await slotObjects()).toEqual([]);
  });

  it('takes over an expired lease, and a stale handle releases nothing', async () => {
    let now = new Date();
    const slots = new S3OrderSlots({ bucket: s3.bucket, client: s3.client, capacity: 1, now: () => now });
    const crashed = (await slots.acquire({ owner: 'crashed-run', leaseSeconds: 60 }))!;
    await expect(slots.acquire({ owner: 'next-run', leaseSeconds: 60 })).resolves.toBeUndefined();
    now = new Date(now.getTime() + 120_000);
    const next = (await slots.acquire({ owner: 'next-run', leaseSeconds: 60 }))!;
    expect(next).toMatchObject({ slot: crashed.slot, owner: 'next-run' });
    await slots.release(crashed);
    expect(await slotObjects()).toEqual(['locks/order-slots/0.json']);
    await slots.release(next);
    expect(await slotObjects()).toEqual([]);
  });

  it('holds the cap when twenty owners race (conditional writes as S3 answers them)', async () => {
    const slots = new S3OrderSlots({ bucket: s3.bucket, client: shim.client, capacity: 3 });
    const got = await Promise.all(Array.from({ length: 20 }, (_, i) => slots.acquire({ owner: `sweep-${i % 4}:lineage-${i}`, leaseSeconds: 600 })));
    const held = got.filter((h) => h !== undefined);
    expect(held).toHaveLength(new Set(held.map((h) => h.slot)).size);
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThanOrEqual(3);
    expect((await slotObjects()).length).toBeLessThanOrEqual(3);
    await clear(slots, held);
  });

  it('refuses a capacity below one and a lease that is not positive', async () => {
    expect(() => new S3OrderSlots({ bucket: s3.bucket, client: s3.client, capacity: 0 })).toThrow(/capacity of at least 1/);
    const slots = new S3OrderSlots({ bucket: s3.bucket, client: s3.client, capacity: 1 });
    await expect(slots.acquire({ owner: 'x', leaseSeconds: 0 })).rejects.toMatchObject({ name: 'StoreError' });
  });
});
