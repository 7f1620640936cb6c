/**
 * The stored expiry per lineage as log lines (shared/workflow/lineage-expiry-log.ts): a full sweep
 * logs one small line per lineage with a current certificate (from a read or from the planning
 * index alike), a sweep of named lineages logs none, and the line holds the name, notAfter and the
 * days left only.
 */
import { describe, expect, it } from 'vitest';
import { LINEAGE_EXPIRY_MESSAGE, lineageExpiryFields, planSweep } from '../../../shared/workflow/index.js';
import { certificate, DAY, EtagMemoryStore, fleetDeps, indexedSweeps, lineage, ScriptedAriCa, T0 } from './support/planning-fleet.js';

function setup() {
  const store = new EtagMemoryStore();
  const f = fleetDeps({ store, sweeps: indexedSweeps(), ca: new ScriptedAriCa(() => 404) });
  store.seed(lineage('soon', { currentVersion: 2, current: certificate({ serialHex: '0c01', issuedAt: T0 - 80 * DAY, ari: false }) }));
  store.seed(lineage('later', { currentVersion: 1, current: certificate({ serialHex: '0b01', issuedAt: T0 - 10 * DAY, ari: false }) }));
  store.seed(lineage('never-issued', { currentVersion: 0 }));
  return { store, ...f };
}

const expiryLines = (logs: readonly { message: string; fields?: Record<string, unknown> }[]) => logs.filter((l) => l.message === LINEAGE_EXPIRY_MESSAGE).map((l) => l.fields);

describe('lineageExpiryFields', () => {
  it('gives the name, notAfter and the days left with two decimals, negative once expired', () => {
    const now = new Date('2026-03-01T00:00:00Z');
    expect(lineageExpiryFields('example.jp', '2026-03-31T00:00:00Z', now)).toEqual({ lineage: 'example.jp', notAfter: '2026-03-31T00:00:00Z', daysLeft: 30 });
    expect(lineageExpiryFields('example.jp', '2026-03-01T08:00:00Z', now)?.daysLeft).toBe(0.33);
    expect(lineageExpiryFields('gone', '2026-02-27T00:00:00Z', now)?.daysLeft).toBe(-2);
    expect(lineageExpiryFields('bad', 'not a date', now)).toBeUndefined();
  });
});

describe('the expiry lines of a sweep', () => {
  it('logs one line per issued lineage in a full sweep, with nothing but lineage, notAfter and daysLeft', async () => {
    const t = setup();
    await planSweep({ input: {}, sweepId: 's1' }, t.deps);
    const lines = expiryLines(t.logs);
    expect(lines.map((f) => f?.lineage).sort()).toEqual(['later', 'soon']);
    const soon = lines.find((f) => f?.lineage === 'soon');
    expect(Object.keys(soon ?? {}).sort()).toEqual(['daysLeft', 'lineage', 'notAfter']);
    const stored = (await t.store.getLineage('soon'))?.lineage.state.current?.notAfter;
    expect(soon).toEqual({ lineage: 'soon', notAfter: stored, daysLeft: Math.round(((Date.parse(stored ?? '') - T0) / DAY) * 100) / 100 });
  });

  it('logs them again from the planning index, without reading the lineages', async () => {
    const t = setup();
    await planSweep({ input: {}, sweepId: 's1' }, t.deps);
    const reads = t.store.calls.get;
    const before = t.logs.length;
    await planSweep({ input: {}, sweepId: 's2' }, t.deps);
    expect(t.store.calls.get).toBe(reads);
    expect(
      expiryLines(t.logs.slice(before))
        .map((f) => f?.lineage)
        .sort(),
    ).toEqual(['later', 'soon']);
  });

  it('logs none for a sweep of named lineages (certbot --cert-name): only full sweeps describe the fleet', async () => {
    const t = setup();
    await planSweep({ input: { lineages: ['soon'] }, sweepId: 's1' }, t.deps);
    expect(expiryLines(t.logs)).toEqual([]);
  });
});
