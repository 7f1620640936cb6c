/**
 * The sweep's two Lambda steps: `planSweep` / `finishSweep` (shared/workflow/sweep.ts) with the
 * MemorySweepStore, and their handlers (plan-renewals, complete-sweep).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { finishSweep, planSweep, type SweepState } from '../../../shared/workflow/index.js';
import { LineageUnreadableError, MemorySweepStore, type SweepResultsRef, type SweepStore } from '../../../shared/store/index.js';
import { makeHandler as completeSweepHandler, withUnreadableMetric } from '../../../functions/complete-sweep/handler.js';
import { makeHandler as planRenewalsHandler, withExpiryMetric } from '../../../functions/plan-renewals/handler.js';
import { memoryDeps, putLineage, type MemoryDeps } from './support/memory-deps.js';

const NOW = new Date('2026-03-01T00:00:00Z');
const DAY = 86_400_000;

/** A lineage whose certificate expires `daysLeft` days after NOW (90-day lifetime, no ARI). */
function issued(daysLeft: number, version = 1) {
  return {
    currentVersion: version,
    current: {
      serialHex: `0${version}`,
      notBefore: new Date(NOW.getTime() + (daysLeft - 90) * DAY).toISOString(),
      notAfter: new Date(NOW.getTime() + daysLeft * DAY).toISOString(),
      domains: ['x.example.test'],
    },
  };
}

let m: MemoryDeps;
beforeEach(async () => {
  m = memoryDeps({ now: () => NOW });
  // Due: a-expiring (5 days left), c-new (never issued), e-expiring (10 days left). Not due: b, d (80 days left).
  await putLineage(m.store, 'a-expiring', issued(5, 3));
  await putLineage(m.store, 'b-fresh', issued(80));
  await putLineage(m.store, 'c-new', { currentVersion: 0 });
  await putLineage(m.store, 'd-fresh', issued(80));
  await putLineage(m.store, 'e-expiring', issued(10, 2));
});

describe('planSweep', () => {
  it('plans every page of lineages and writes the due ones as the plan', async () => {
    const out = await planSweep({ input: { pageSize: 2 }, sweepId: 'sweep-1' }, m.deps);
    // A full sweep also reports the earliest expiry across all pages (a-expiring: 5 days) for the alarm.
    expect(out).toEqual({
      planKey: 'sweeps/sweep-1/plan.json',
      due: 3,
      skipped: 2,
      dryRun: false,
      force: false,
      expiry: { daysToExpiryMin: 5, lineagesChecked: 5 },
    });
    expect(m.sweeps.plan('sweep-1')).toEqual([
      { lineage: 'a-expiring', expectedVersion: 3, force: false, dryRun: false },
      { lineage: 'c-new', expectedVersion: 0, force: false, dryRun: false },
      { lineage: 'e-expiring', expectedVersion: 2, force: false, dryRun: false },
    ]);
  });

  it('carries force and dryRun into every item, and takes only the named lineages', async () => {
    const out = await planSweep({ input: { force: true, dryRun: true, lineages: ['b-fresh', 'd-fresh'] }, sweepId: 'sweep-2' }, m.deps);
    expect(out).toMatchObject({ due: 2, skipped: 0, dryRun: true, force: true });
    expect(out).not.toHaveProperty('expiry'); // not a full sweep, and a dry run
    expect(m.sweeps.plan('sweep-2')).toEqual([
      { lineage: 'b-fresh', expectedVersion: 1, force: true, dryRun: true },
      { lineage: 'd-fresh', expectedVersion: 1, force: true, dryRun: true },
    ]);
  });

  it('writes no plan when nothing is due', async () => {
    const out = await planSweep({ input: { lineages: ['b-fresh'] }, sweepId: 'sweep-3' }, m.deps);
    expect(out).toEqual({ due: 0, skipped: 1, dryRun: false, force: false });
    expect(m.sweeps.plan('sweep-3')).toBeUndefined();
  });

  it('needs a sweep store', async () => {
    const { sweeps: _none, ...deps } = m.deps;
    await expect(planSweep({ input: {}, sweepId: 's' }, deps)).rejects.toMatchObject({ name: 'SweepStoreMissingError' });
  });
});

describe('finishSweep', () => {
  const base: SweepState = { planKey: 'sweeps/s/plan.json', due: 3, skipped: 2, dryRun: false, force: false };

  it('emits "Renewal Sweep Completed" with what renewed and what failed', async () => {
    const results = { items: [{ lineage: 'e-expiring', failed: false }, { lineage: 'a-expiring', failed: false }, { lineage: 'c-new', failed: true }] };
    const out = await finishSweep({ ...base, results }, m.deps);
    expect(out).toEqual({ attempted: 3, renewed: ['a-expiring', 'e-expiring'], failed: ['c-new'], skipped: 2 });
    expect(m.events.ofType('Renewal Sweep Completed')).toEqual([{ attempted: 3, renewed: ['a-expiring', 'e-expiring'], failed: ['c-new'], skipped: 2, dryRun: false }]);
  });

  it('emits nothing and reads nothing when nothing was due', async () => {
    const reads: SweepResultsRef[] = [];
    const sweeps: SweepStore = { putPlan: async () => 'k', readResults: async (r) => (reads.push(r), []) };
    const out = await finishSweep({ due: 0, skipped: 5, dryRun: false, force: false }, { ...m.deps, sweeps });
    expect(out).toEqual({ attempted: 0, renewed: [], failed: [], skipped: 5 });
    expect(reads).toEqual([]);
    expect(m.events.events).toEqual([]);
  });

  it('fails when lineages were due but the map handed no results on', async () => {
    await expect(finishSweep(base, m.deps)).rejects.toMatchObject({ name: 'SweepResultsMissingError', due: 3 });
  });

  it('counts lineages whose issuance skipped as skipped, not renewed', async () => {
    const out = await finishSweep({ ...base, results: { items: [{ lineage: 'a', failed: false }, { lineage: 'b', failed: false, skipped: true } as never] } }, m.deps);
    expect(out).toEqual({ attempted: 1, renewed: ['a'], failed: [], skipped: 3, skippedDue: 1 });
  });
});

describe('MemorySweepStore', () => {
  it('keeps plans by sweep id, overwriting on a retry, and reads inline results only', async () => {
    const store = new MemorySweepStore();
    await store.putPlan('s', [{ lineage: 'a', expectedVersion: 1, force: false, dryRun: false }]);
    await store.putPlan('s', [{ lineage: 'b', expectedVersion: 2, force: true, dryRun: false }]);
    expect(store.plan('s')).toEqual([{ lineage: 'b', expectedVersion: 2, force: true, dryRun: false }]);
    await expect(store.readResults({ items: [{ lineage: 'b', failed: true }] })).resolves.toEqual([{ lineage: 'b', failed: true }]);
    await expect(store.readResults({ ResultWriterDetails: { Bucket: 'b', Key: 'k' } })).rejects.toThrow(/inline results/);
  });
});

describe('PlanRenewals handler', () => {
  it('takes { input, sweepId } and returns the sweep state for the Choice state', async () => {
    const out = await planRenewalsHandler(m.deps)({ input: { nextRunAt: '2026-03-01T12:00:00Z' }, sweepId: 'exec-sweep' });
    expect(out).toEqual({
      planKey: 'sweeps/exec-sweep/plan.json',
      due: 3,
      skipped: 2,
      dryRun: false,
      force: false,
      expiry: { daysToExpiryMin: 5, lineagesChecked: 5 },
    });
    expect(m.sweeps.plan('exec-sweep')?.map((i) => i.lineage)).toEqual(['a-expiring', 'c-new', 'e-expiring']);
  });

  it('refuses a sweep without an id and a nextRunAt that is not a date', async () => {
    await expect(planRenewalsHandler(m.deps)({ input: {} })).rejects.toMatchObject({ name: 'InvalidStepInputError' });
    await expect(planRenewalsHandler(m.deps)({ input: { nextRunAt: 'tomorrow' }, sweepId: 's' })).rejects.toMatchObject({ name: 'InvalidStepInputError' });
  });
});

describe('CompleteSweep handler', () => {
  it('hands the map\u2019s ResultWriter details (as the Map state outputs them) to the sweep store', async () => {
    const reads: SweepResultsRef[] = [];
    const sweeps: SweepStore = {
      putPlan: async () => 'k',
      readResults: async (r) => (reads.push(r), [{ lineage: 'a-expiring', failed: false }]),
    };
    const results = { MapRunArn: 'arn:aws:states:eu-west-1:123456789012:mapRun:sweep/RenewDue:1', ResultWriterDetails: { Bucket: 'certs', Key: 'sweeps/x/results/1/manifest.json' } };
    const out = await completeSweepHandler({ ...m.deps, sweeps })({ planKey: 'sweeps/x/plan.json', due: 1, skipped: 4, dryRun: false, force: false, results });
    expect(reads).toEqual([results]);
    expect(out).toEqual({ attempted: 1, renewed: ['a-expiring'], failed: [], skipped: 4 });
    expect(m.events.ofType('Renewal Sweep Completed')).toHaveLength(1);
  });

  it('completes a sweep with nothing due (the Choice skipped the map)', async () => {
    const out = await completeSweepHandler(m.deps)({ due: 0, skipped: 5, dryRun: false, force: false });
    expect(out).toEqual({ attempted: 0, renewed: [], failed: [], skipped: 5 });
    expect(m.events.events).toEqual([]);
  });

  it('refuses a state without counts', async () => {
    await expect(completeSweepHandler(m.deps)({ results: { items: [] } })).rejects.toMatchObject({ name: 'InvalidStepInputError' });
  });
});

describe('the plan-renewals AWS shell', () => {
  it('writes one CloudWatch EMF line with DaysToExpiryMin after a full sweep, and none otherwise', async () => {
    const written: string[] = [];
    const write = (line: string) => written.push(line);
    const full = withExpiryMetric(planRenewalsHandler(m.deps), write, { ACMEFLOW_BUCKET: 'certs-bucket' }, () => NOW);
    await full({ input: {}, sweepId: 'full' });
    expect(written).toHaveLength(1);
    const emf = JSON.parse(written[0] as string) as Record<string, unknown>;
    expect(emf).toMatchObject({ Bucket: 'certs-bucket', DaysToExpiryMin: 5, LineagesChecked: 5 });
    expect(emf._aws).toMatchObject({ CloudWatchMetrics: [{ Namespace: 'acmeflow', Dimensions: [['Bucket']] }] });
    await full({ input: { lineages: ['a-expiring'] }, sweepId: 'partial' });
    await full({ input: { dryRun: true }, sweepId: 'dry' });
    expect(written).toHaveLength(1);
  });
});

describe('a lineage that cannot be read', () => {
  /** `b-fresh` and `c-new` read as damaged, the others as before. */
  function damaged(): MemoryDeps['deps'] {
    const store = Object.create(m.store) as typeof m.store;
    store.getLineage = async (name: string) => {
      if (name === 'b-fresh' || name === 'c-new') throw new LineageUnreadableError(`renewal/${name}.json is not JSON; it was not written by acmeflow or was damaged.`);
      return m.store.getLineage(name);
    };
    return { ...m.deps, store };
  }

  it('is skipped, named and counted by planSweep; the others are planned', async () => {
    const out = await planSweep({ input: {}, sweepId: 'sweep-u' }, damaged());
    expect(out).toMatchObject({ due: 2, skipped: 1, unreadableCount: 2 });
    expect(out.unreadable).toEqual([
      { lineage: 'b-fresh', errorName: 'LineageUnreadableError', error: 'renewal/b-fresh.json is not JSON; it was not written by acmeflow or was damaged.' },
      { lineage: 'c-new', errorName: 'LineageUnreadableError', error: 'renewal/c-new.json is not JSON; it was not written by acmeflow or was damaged.' },
    ]);
    expect(m.sweeps.plan('sweep-u')?.map((i) => i.lineage)).toEqual(['a-expiring', 'e-expiring']);
  });

  it('still fails the step on any other store error (a transient one is retried, not skipped)', async () => {
    const store = Object.create(m.store) as typeof m.store;
    store.getLineage = async () => Promise.reject(Object.assign(new Error('Slow down'), { name: 'SlowDown' }));
    await expect(planSweep({ input: {}, sweepId: 'sweep-t' }, { ...m.deps, store })).rejects.toMatchObject({ name: 'SlowDown' });
  });

  it('is in "Renewal Sweep Completed", even when nothing was attempted, and CompleteSweep writes the failure metric once', async () => {
    const state = await planSweep({ input: { lineages: ['b-fresh'] }, sweepId: 'sweep-v' }, damaged());
    const written: string[] = [];
    const out = await withUnreadableMetric(completeSweepHandler(m.deps), (line) => written.push(line), { ACMEFLOW_BUCKET: 'certs-bucket' })(state);
    expect(out).toMatchObject({ attempted: 0, unreadableCount: 1, unreadable: [{ lineage: 'b-fresh' }] });
    expect(m.events.ofType('Renewal Sweep Completed')).toEqual([
      { attempted: 0, renewed: [], failed: [], skipped: 0, unreadableCount: 1, unreadable: [expect.objectContaining({ lineage: 'b-fresh' })], dryRun: false },
    ]);
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0] as string)).toMatchObject({ Bucket: 'certs-bucket', LineagesUnreadable: 1 });
    await withUnreadableMetric(completeSweepHandler(m.deps), (line) => written.push(line))({ due: 0, skipped: 5, dryRun: false, force: false });
    expect(written).toHaveLength(1);
  });
});
