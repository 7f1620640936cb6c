/**
 * Sweeps that meet (issue: a deploy-time sweep and the scheduled one, or ten sweeps of a first
 * deploy): PrepareOrder skips a planned lineage another run holds instead of failing it, and takes
 * one of the issuer's order slots before it orders; CleanupRecords gives the slot back; the sweep's
 * summary and metric count the skipped ones.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryOrderSlots } from '../../../shared/store/index.js';
import type { IssuanceState } from '../../../shared/workflow/index.js';
import { finishSweep } from '../../../shared/workflow/index.js';
import { makeHandler as prepareOrder } from '../../../functions/prepare-order/handler.js';
import { makeHandler as cleanupRecords } from '../../../functions/cleanup-records/handler.js';
import { makeHandler as completeSweepHandler, withUnreadableMetric } from '../../../functions/complete-sweep/handler.js';
import { memoryDeps, putLineage, type MemoryDeps } from './support/memory-deps.js';

let m: MemoryDeps;
beforeEach(async () => {
  m = memoryDeps();
  await putLineage(m.store, 'shop', { currentVersion: 0 });
});

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (err: unknown) => err as Error,
  );
}

describe('PrepareOrder when sweeps meet', () => {
  it('skips a planned lineage that another run holds: skipReason "locked", no lock taken, nothing written', async () => {
    await m.lock.acquire('shop', { owner: 'other-sweep-exec', leaseSeconds: 600 });
    const before = await m.store.getLineage('shop');
    const out = (await prepareOrder(m.deps)({ input: { lineage: 'shop', expectedVersion: 0 }, owner: 'this-sweep-exec' })) as IssuanceState;
    expect(out).toMatchObject({ lineage: 'shop', skipped: true, skipReason: 'locked' });
    expect(out).not.toHaveProperty('lock');
    expect([...m.lock.leases.values()].map((l) => l.owner)).toEqual(['other-sweep-exec']);
    // No failure recorded on the lineage (no backoff), no event.
    expect(await m.store.getLineage('shop')).toEqual(before);
    expect(m.events.events).toEqual([]);
  });

  it('still fails a direct run (no plan) that finds the lineage held, with LineageLockedError', async () => {
    await m.lock.acquire('shop', { owner: 'other', leaseSeconds: 600 });
    const err = await errorOf(prepareOrder(m.deps)({ input: { lineage: 'shop' }, owner: 'certonly-exec' }));
    expect(err.name).toBe('LineageLockedError');
  });

  it('waits (OrderSlotsBusyError) when every order slot of the issuer is held, without locking the lineage', async () => {
    const slots = new MemoryOrderSlots(1);
    await slots.acquire({ owner: 'another-sweeps-issuance', leaseSeconds: 600 });
    const err = await errorOf(prepareOrder({ ...m.deps, orderSlots: slots })({ input: { lineage: 'shop', expectedVersion: 0 }, owner: 'exec-2' }));
    expect(err.name).toBe('OrderSlotsBusyError');
    expect(m.lock.leases.size).toBe(0);
  });

  it('gives the slot back when it skips, and does not take one for a direct run', async () => {
    const slots = new MemoryOrderSlots(1);
    await m.lock.acquire('shop', { owner: 'other', leaseSeconds: 600 });
    await prepareOrder({ ...m.deps, orderSlots: slots })({ input: { lineage: 'shop', expectedVersion: 0 }, owner: 'exec-3' });
    expect(slots.inUse()).toBe(0);
    await errorOf(prepareOrder({ ...m.deps, orderSlots: slots })({ input: { lineage: 'shop' }, owner: 'exec-4' }));
    expect(slots.inUse()).toBe(0);
  });

  it('CleanupRecords releases the order slot the state holds', async () => {
    const slots = new MemoryOrderSlots(1);
    const held = (await slots.acquire({ owner: 'exec-5', leaseSeconds: 600 }))!;
    const state = {
      lineage: 'shop',
      dryRun: false,
      force: false,
      renewal: false,
      skipped: false,
      directoryUrl: 'https://ca.test/dir',
      accountId: 'a',
      accountUrl: 'https://ca.test/acct/1',
      order: { url: 'https://ca.test/order/1', finalize: 'https://ca.test/order/1/finalize', status: 'invalid' },
      authorizations: [],
      records: [],
      changes: [],
      keyToken: '',
      startedAt: '2026-03-01T00:00:00.000Z',
      orderSlot: { ...held },
    };
    const out = (await cleanupRecords({ ...m.deps, orderSlots: slots })(JSON.parse(JSON.stringify(state)))) as Record<string, unknown>;
    expect(slots.inUse()).toBe(0);
    expect(out).not.toHaveProperty('orderSlot');
    expect(out['cleanupErrors']).toEqual([]);
  });
});

describe('CompleteSweep counts the lineages a met sweep skipped', () => {
  it('reports skippedDue in "Renewal Sweep Completed" even when nothing was attempted, and writes LineagesSkipped', async () => {
    const written: string[] = [];
    const state = {
      planKey: 'sweeps/s/plan.json',
      due: 2,
      skipped: 3,
      dryRun: false,
      force: false,
      results: {
        items: [
          { lineage: 'a', failed: false, skipped: true },
          { lineage: 'b', failed: false, skipped: true },
        ],
      },
    };
    const out = await withUnreadableMetric(completeSweepHandler(m.deps), (line) => written.push(line), { ACMEFLOW_BUCKET: 'certs' })(state);
    expect(out).toEqual({ attempted: 0, renewed: [], failed: [], skipped: 5, skippedDue: 2 });
    expect(m.events.ofType('Renewal Sweep Completed')).toEqual([{ attempted: 0, renewed: [], failed: [], skipped: 5, skippedDue: 2, dryRun: false }]);
    expect(written.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([expect.objectContaining({ Bucket: 'certs', LineagesSkipped: 2 })]);
    expect(m.events.ofType('Certificate Issuance Failed')).toEqual([]);
  });

  it('writes no skipped metric and no skippedDue when every due lineage was attempted', async () => {
    const out = await finishSweep({ planKey: 'k', due: 1, skipped: 0, dryRun: false, force: false, results: { items: [{ lineage: 'a', failed: false }] } }, m.deps);
    expect(out).not.toHaveProperty('skippedDue');
  });
});
