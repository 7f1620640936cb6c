/**
 * The sweep's planning index (shared/workflow/plan-renewals.ts `PlanningSession`, sweep.ts
 * `planSweep`): lineages whose ETag did not change are decided without being read, the ARI choice is
 * kept in the index, a missing or damaged index only makes a sweep read everything, and the
 * decisions are the same with and without the index.
 */
import { describe, expect, it } from 'vitest';
import { planRenewals, planSweep, PlanningSession, type RenewalPlan } from '../../../shared/workflow/index.js';
import { MemorySweepStore, PLANNING_INDEX_FORMAT, planningFactsOf, planningIndexFrom, type PlanningIndex, type SweepStore } from '../../../shared/store/index.js';
import {
  certificate,
  DAY,
  EtagMemoryStore,
  fixedWindows,
  fleetDeps,
  generateFleet,
  HOUR,
  indexedSweeps,
  lineage,
  ScriptedAriCa,
  T0,
} from './support/planning-fleet.js';

/** Not due (issued 10 days ago), with ARI. */
const fresh = (name: string, serialHex = '0a01') => lineage(name, { currentVersion: 1, current: certificate({ serialHex, issuedAt: T0 - 10 * DAY }) });
/** Not due, without ARI. */
const plain = (name: string, serialHex = '0b01') => lineage(name, { currentVersion: 1, current: certificate({ serialHex, issuedAt: T0 - 10 * DAY, ari: false }) });
/** Due (75 of 90 days gone), without ARI. */
const old = (name: string, serialHex = '0c01') => lineage(name, { currentVersion: 2, current: certificate({ serialHex, issuedAt: T0 - 75 * DAY, ari: false }) });

/** The window this CA answers: 40 to 42 days after notBefore of a 90-day certificate. */
const steadyWindows = (store: EtagMemoryStore) => (id: string) => {
  for (const { lineage: l } of store.lineages.values()) {
    if (l.state.current?.ariCertificateId === id) {
      const notBefore = Date.parse(l.state.current.notBefore);
      return { start: new Date(notBefore + 60 * DAY).toISOString(), end: new Date(notBefore + 62 * DAY).toISOString() };
    }
  }
  return 404;
};

function setup(options: { random?: () => number } = {}) {
  const store = new EtagMemoryStore();
  const sweeps = indexedSweeps();
  const ca = new ScriptedAriCa(steadyWindows(store));
  const f = fleetDeps({ store, sweeps, ca, ...options });
  return { store, sweeps, ca, ...f };
}

describe('planning with the index', () => {
  it('reads every lineage once, then decides unchanged ones from the index without a read', async () => {
    const t = setup();
    for (const l of [fresh('a'), plain('b'), old('c'), lineage('d', { currentVersion: 0 })]) t.store.seed(l);

    const first = await planSweep({ input: { pageSize: 3 }, sweepId: 's1' }, t.deps);
    expect(first).toMatchObject({ due: 2, skipped: 2 });
    expect(t.store.calls.get).toBe(4);
    expect(t.sweeps.planningIndexWrites).toBe(1);
    expect(Object.keys(t.sweeps.planningIndex()?.lineages ?? {})).toEqual(['a', 'b', 'c', 'd']);
    expect(t.ca.ariRequests).toBe(1); // a: no answer stored yet

    const second = await planSweep({ input: { pageSize: 3 }, sweepId: 's2' }, t.deps);
    expect(second).toEqual({ ...first, planKey: 'sweeps/s2/plan.json' });
    expect(t.sweeps.plan('s2')).toEqual(t.sweeps.plan('s1'));
    expect(t.store.calls.get).toBe(4); // no GET at all
    expect(t.store.calls.put).toBe(0); // the ARI answer went to the index, not the lineage
    expect(t.ca.ariRequests).toBe(1); // a's answer is fresh for 6 hours
    expect(t.sweeps.planningIndexWrites).toBe(1); // nothing changed: the index is not rewritten
    expect(t.logs.filter((l) => l.message === 'Renewal sweep planned.').at(-1)?.fields).toMatchObject({
      planningIndex: { entries: 4, indexHits: 4, lineageReads: 0, ariRequests: 0, lineageWrites: 0 },
    });
  });

  it('rewrites an unchanged index once it is a week old, before the sweeps/ expiry can take it', async () => {
    const t = setup();
    for (const l of [plain('a'), plain('b')]) t.store.seed(l);
    await planSweep({ input: {}, sweepId: 's1' }, t.deps);
    expect(t.sweeps.planningIndexWrites).toBe(1);
    t.setNow(T0 + 6 * DAY);
    await planSweep({ input: {}, sweepId: 's2' }, t.deps);
    expect(t.sweeps.planningIndexWrites).toBe(1); // unchanged and six days old: left as it is
    t.setNow(T0 + 7 * DAY);
    await planSweep({ input: {}, sweepId: 's3' }, t.deps);
    expect(t.sweeps.planningIndexWrites).toBe(2);
    expect(t.sweeps.planningIndex()?.writtenAt).toBe(new Date(T0 + 7 * DAY).toISOString());
    expect(t.store.calls.get).toBe(2); // still read only once
    t.setNow(T0 + 8 * DAY);
    await planSweep({ input: {}, sweepId: 's4' }, t.deps);
    expect(t.sweeps.planningIndexWrites).toBe(2); // counted from the rewrite
  });

  it('reads again exactly the lineages whose ETag changed, and decides them on what they hold now', async () => {
    const t = setup();
    for (const l of [plain('a', '01'), plain('b', '02'), plain('c', '03')]) t.store.seed(l);
    await planSweep({ input: {}, sweepId: 's1' }, t.deps);
    expect(t.store.calls.get).toBe(3);

    // b is revoked and c's certificate is now old: both must be due, from fresh reads.
    const b = t.store.lineages.get('b')!.lineage;
    t.store.seed({ ...b, state: { ...b.state, revoked: { at: new Date(T0).toISOString(), reason: 'keyCompromise', serialHex: '02' } } });
    t.store.seed(old('c', '03'));
    const plan = await planSweep({ input: {}, sweepId: 's2' }, t.deps);
    expect(t.store.calls.get).toBe(5);
    expect(t.sweeps.plan('s2')?.map((i) => i.lineage)).toEqual(['b', 'c']);
    expect(plan).toMatchObject({ due: 2, skipped: 1 });
    expect(t.sweeps.planningIndex()?.lineages['c']?.etag).toBe(t.store.lineages.get('c')!.etag);
  });

  it('drops deleted lineages from the index after a full sweep, and keeps others after a sweep of named lineages', async () => {
    const t = setup();
    for (const l of [plain('a', '01'), plain('b', '02'), plain('c', '03')]) t.store.seed(l);
    await planSweep({ input: {}, sweepId: 's1' }, t.deps);
    t.store.delete('b');
    await planSweep({ input: {}, sweepId: 's2' }, t.deps);
    expect(Object.keys(t.sweeps.planningIndex()!.lineages)).toEqual(['a', 'c']);

    t.store.seed(old('c', '03'));
    const named = await planSweep({ input: { lineages: ['c'] }, sweepId: 's3' }, t.deps);
    expect(named).toMatchObject({ due: 1, skipped: 0 });
    const index = t.sweeps.planningIndex()!;
    expect(Object.keys(index.lineages)).toEqual(['a', 'c']);
    expect(index.lineages['c']?.etag).toBe(t.store.lineages.get('c')!.etag);
  });

  it('keeps the ARI moment across sweeps and refreshes the answer without writing the lineage (RFC 9773 §4.2)', async () => {
    const draws = [0.25, 0.75, 0.5];
    const t = setup({ random: () => draws.shift() ?? 0.9 });
    t.store.seed(fresh('a'));
    await planSweep({ input: {}, sweepId: 's1' }, t.deps);
    const first = t.sweeps.planningIndex()!.lineages['a']!.ari!;
    expect(first.serialHex).toBe('0a01');
    const notBefore = T0 - 10 * DAY;
    expect(first.state?.selectedTime).toBe(new Date(notBefore + 60 * DAY + 0.25 * 2 * DAY).toISOString());

    // 7 hours on, the answer is stale: asked again, same window, same moment.
    t.setNow(T0 + 7 * HOUR);
    await planSweep({ input: {}, sweepId: 's2' }, t.deps);
    const second = t.sweeps.planningIndex()!.lineages['a']!.ari!;
    expect(t.ca.ariRequests).toBe(2);
    expect(second.state?.selectedTime).toBe(first.state?.selectedTime);
    expect(second.state?.nextCheckAt).toBe(new Date(T0 + 13 * HOUR).toISOString());
    expect(t.store.calls.put).toBe(0);
    expect(t.store.calls.get).toBe(1);

    // The CA moves the window: a new moment is drawn in it.
    t.ca.windowFor = () => ({ start: new Date(T0 + 2 * DAY).toISOString(), end: new Date(T0 + 4 * DAY).toISOString() });
    t.setNow(T0 + 14 * HOUR);
    await planSweep({ input: {}, sweepId: 's3' }, t.deps);
    expect(t.sweeps.planningIndex()!.lineages['a']!.ari!.state?.selectedTime).toBe(new Date(T0 + 2 * DAY + 0.75 * 2 * DAY).toISOString());
  });

  it('ignores the ARI state kept for a predecessor once the lineage holds a new certificate', async () => {
    const t = setup();
    t.store.seed(fresh('a', '0a01'));
    await planSweep({ input: {}, sweepId: 's1' }, t.deps);
    expect(t.sweeps.planningIndex()!.lineages['a']!.ari?.serialHex).toBe('0a01');
    // Renewed an hour later (StoreCertificate writes a state without `ari`).
    t.setNow(T0 + HOUR);
    t.store.seed(lineage('a', { currentVersion: 2, current: certificate({ serialHex: '0a02', issuedAt: T0 }) }));
    await planSweep({ input: {}, sweepId: 's2' }, t.deps);
    expect(t.ca.ariRequests).toBe(2); // the new certificate's window was asked for at once
    const kept = t.sweeps.planningIndex()!.lineages['a']!.ari!;
    expect(kept.serialHex).toBe('0a02');
    expect(Date.parse(kept.state!.windowStart)).toBe(T0 + 60 * DAY);
  });

  it('reads every lineage when the index is missing, not JSON, of another format, or partly damaged', async () => {
    const t = setup();
    for (const l of [plain('a', '01'), plain('b', '02')]) t.store.seed(l);
    const reference = await planSweep({ input: {}, sweepId: 'ref' }, t.deps);
    const good = t.sweeps.planningIndex()!;

    for (const body of [undefined, '{"format":', JSON.stringify({ format: 'acmeflow-planning-index/0', lineages: {} }), JSON.stringify([1, 2])]) {
      t.sweeps.replacePlanningIndex(body);
      const reads = t.store.calls.get;
      const plan = await planSweep({ input: {}, sweepId: 'again' }, t.deps);
      expect(plan).toEqual(reference);
      expect(t.store.calls.get - reads).toBe(2);
      // A readable index is written in its place.
      expect(planningIndexFrom(t.sweeps.planningIndex())?.lineages).toEqual(good.lineages);
    }
    expect(t.logs.filter((l) => l.message.startsWith('The planning index could not be read')).length).toBe(3);

    // One malformed entry: only that lineage is read again.
    const damaged = { ...good, lineages: { ...good.lineages, b: { ...good.lineages['b'], facts: { ...good.lineages['b']!.facts, state: { currentVersion: 'one' } } } } };
    t.sweeps.replacePlanningIndex(JSON.stringify(damaged));
    const reads = t.store.calls.get;
    expect(await planSweep({ input: {}, sweepId: 'partly' }, t.deps)).toEqual(reference);
    expect(t.store.calls.get - reads).toBe(1);
  });

  it('plans on when the index cannot be written (another sweep wrote it meanwhile)', async () => {
    const t = setup();
    t.store.seed(old('a'));
    const sweeps = t.sweeps;
    const put = sweeps.putPlanningIndex.bind(sweeps);
    Object.assign(sweeps, {
      putPlanningIndex: async (index: PlanningIndex, options: { expectedEtag: string | null }) => {
        sweeps.replacePlanningIndex(JSON.stringify({ format: PLANNING_INDEX_FORMAT, writtenAt: '', lineages: {} }));
        return put(index, options);
      },
    });
    const plan = await planSweep({ input: {}, sweepId: 's1' }, t.deps);
    expect(plan).toMatchObject({ due: 1, planKey: 'sweeps/s1/plan.json' });
    expect(t.logs.find((l) => l.message.startsWith('The planning index was not written'))?.fields).toMatchObject({ errorName: 'PlanningIndexConflictError' });
  });

  it('lists every page with ETags, none with names only', async () => {
    const t = setup();
    for (let i = 0; i < 7; i++) t.store.seed(plain(`p${i}`, `0${i + 1}`));
    const plan = await planSweep({ input: { pageSize: 2 }, sweepId: 's1' }, t.deps);
    expect(plan.skipped).toBe(7);
    expect(t.store.calls).toMatchObject({ listEtags: 4, list: 0 });
  });
});

describe('planning without an index', () => {
  it('keeps the ARI choice on the lineage when the sweep store keeps no index (the local engine)', async () => {
    const store = new EtagMemoryStore();
    const ca = new ScriptedAriCa(steadyWindows(store));
    const sweeps = new MemorySweepStore();
    expect((sweeps as SweepStore).getPlanningIndex).toBeUndefined();
    const t = fleetDeps({ store, sweeps, ca });
    store.seed(fresh('a'));
    await planSweep({ input: {}, sweepId: 's1' }, t.deps);
    expect(store.calls).toMatchObject({ get: 1, put: 1, list: 1, listEtags: 0 });
    expect(store.lineages.get('a')!.lineage.state.ari?.selectedTime).toBeDefined();
    await planSweep({ input: {}, sweepId: 's2' }, t.deps);
    expect(store.calls).toMatchObject({ get: 2, put: 1 });
    expect(ca.ariRequests).toBe(1);
  });
});

describe('abandoned runs', () => {
  it('plans a cleanup-only item for each lineage not due that carries another run\u2019s marker (alive or not: the issuance decides under the lock)', async () => {
    const t = setup();
    const inflight = (startedAt: number) => ({ owner: 'exec-1', orderUrl: 'https://ca.test/order/1', keyToken: 'k', records: [], startedAt: new Date(startedAt).toISOString() });
    const withInflight = (l: ReturnType<typeof plain>, startedAt: number) => ({ ...l, state: { ...l.state, inflight: inflight(startedAt) } });
    t.store.seed(withInflight(plain('crashed', '01'), T0 - 2 * HOUR));
    t.store.seed(withInflight(plain('running', '02'), T0 - 10 * 60_000));
    t.store.seed(withInflight(old('due', '03'), T0 - 5 * HOUR)); // due: its issuance cleans up first
    t.store.seed(plain('clean', '04'));

    const page = await planRenewals({}, t.deps);
    expect(page.abandoned).toEqual(['crashed', 'running']);
    const state = await planSweep({ input: {}, sweepId: 's1' }, t.deps);
    // One renewal and two cleanups planned; 'clean' skipped here, the two cleanups through their results.
    expect(state).toMatchObject({ due: 3, skipped: 1, abandonedRuns: 2 });
    expect(t.sweeps.plan('s1')?.map((i) => [i.lineage, i.cleanupOnly ?? false])).toEqual([
      ['due', false],
      ['crashed', true],
      ['running', true],
    ]);
    // From the index too (no read).
    const again = await planSweep({ input: {}, sweepId: 's2' }, t.deps);
    expect(again.abandonedRuns).toBe(2);
    // A dry run cleans nothing up.
    const dry = await planSweep({ input: { dryRun: true }, sweepId: 's3' }, t.deps);
    expect(dry).toMatchObject({ due: 1, skipped: 3 });
  });
});

describe('the same decisions with and without the index (generated fleets)', () => {
  it.each([1, 2, 3, 4, 5])('fleet %i: cold index, warm index and no index agree at every sweep', async (seed) => {
    const fleet = generateFleet(seed, 250, T0);
    const make = <S extends MemorySweepStore>(sweeps: S) => {
      const store = new EtagMemoryStore();
      for (const l of fleet) store.seed(l);
      const ca = new ScriptedAriCa(fixedWindows(store));
      return { store, ca, sweeps, ...fleetDeps({ store, sweeps, ca }) };
    };
    const withIndex = make(indexedSweeps());
    const without = make(new MemorySweepStore());
    const reasons = new Set<string>();
    // Twice daily over ten days: answers go stale, windows open, backoffs end, certificates expire.
    for (let sweep = 0; sweep < 20; sweep++) {
      const now = T0 + sweep * 12 * HOUR + (sweep % 3) * HOUR;
      withIndex.setNow(now);
      without.setNow(now);
      const input = { nextRunAt: new Date(now + 12 * HOUR).toISOString(), pageSize: 64 };
      const a = await planAll(input, withIndex.deps);
      const b = await planAll(input, without.deps);
      expect(a.indexed && !b.indexed).toBe(true);
      expect(a.plan, `sweep ${sweep}`).toEqual(b.plan);
      for (const d of [...a.plan.due, ...a.plan.notDue]) reasons.add(d.reason);
      // What the issuances do between sweeps, to both fleets alike: some due lineages renewed
      // (StoreCertificate's state: a new certificate, no ari, failures or revocation), one failed.
      a.plan.due.forEach((d, i) => {
        for (const target of [withIndex.store, without.store]) {
          const stored = target.lineages.get(d.lineage)!.lineage;
          if (i % 4 === 3) {
            const failures = { count: 1, lastFailureAt: new Date(now).toISOString(), retryNotBefore: new Date(now + HOUR).toISOString(), lastError: { name: 'AcmeProblemError', message: 'x' } };
            target.seed({ ...stored, state: { ...stored.state, failures } });
          } else if (i % 4 !== 2) {
            const serialHex = `${(sweep + 1).toString(16).padStart(2, '0')}${d.lineage.slice(-4)}`;
            const current = certificate({ serialHex, issuedAt: now - HOUR, ari: stored.state.current?.ariCertificateId !== undefined || i % 2 === 0 });
            target.seed({ spec: stored.spec, state: { currentVersion: stored.state.currentVersion + 1, current } });
          }
        }
      });
      // Every fifth sweep starts from no index, as after it was lost.
      if (sweep % 5 === 4) withIndex.sweeps.replacePlanningIndex(undefined);
    }
    expect(withIndex.store.calls.put).toBe(0);
    expect(withIndex.store.calls.get).toBeLessThan(without.store.calls.get / 3);
    expect(withIndex.ca.ariRequests).toBe(without.ca.ariRequests);
    // The fleet reaches every rule of the policy.
    expect([...reasons].sort()).toEqual(['ari-window', 'backoff', 'emergency', 'lifetime-fraction', 'no-certificate', 'not-due', 'renew-before-expiry', 'revoked']);
  });
});

/** One sweep's decisions, page by page through planRenewals (with the index when the ports keep one). */
async function planAll(input: { nextRunAt: string; pageSize: number }, deps: ReturnType<typeof fleetDeps>['deps']) {
  const index = await PlanningSession.open(deps);
  const plan: Omit<RenewalPlan, 'checked' | 'cursor' | 'earliestNotAfter'> & { earliest: string[] } = { due: [], notDue: [], abandoned: [], earliest: [] };
  let cursor: string | undefined;
  do {
    const page = await planRenewals({ ...input, ...(cursor ? { cursor } : {}) }, deps, index ? { index } : {});
    plan.due.push(...page.due);
    plan.notDue.push(...page.notDue);
    plan.abandoned?.push(...(page.abandoned ?? []));
    if (page.earliestNotAfter) plan.earliest.push(page.earliestNotAfter);
    cursor = page.cursor;
  } while (cursor);
  await index?.save(deps, { full: true });
  return { plan, indexed: index !== undefined };
}

describe('planningFactsOf', () => {
  it('keeps only what planning reads', () => {
    const l = lineage('a', {
      currentVersion: 3,
      current: certificate({ serialHex: '0a', issuedAt: T0 }),
      accountUrl: 'https://ca.test/acct/1',
      issuedAt: new Date(T0).toISOString(),
      deployments: { acm: { certificateArn: 'arn:aws:acm:x' } },
      inflight: { owner: 'o', orderUrl: 'u', keyToken: 'secret-ish', records: [{ name: '_acme-challenge.a', values: ['v'] }], startedAt: 's' },
    }, '30 days');
    expect(planningFactsOf(l)).toEqual({
      name: 'a',
      directoryUrl: 'https://ca.test/dir',
      renewBeforeExpirySeconds: 30 * 86_400,
      state: {
        currentVersion: 3,
        current: { serialHex: '0a', notBefore: l.state.current!.notBefore, notAfter: l.state.current!.notAfter, ariCertificateId: l.state.current!.ariCertificateId },
        inflight: { owner: 'o', orderUrl: 'u', startedAt: 's' },
      },
    });
  });
});
