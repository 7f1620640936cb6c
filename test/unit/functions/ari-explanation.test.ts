/**
 * The CA's `explanationURL` (RFC 9773 §4.2) travels from the renewal window that made a lineage due,
 * through the sweep's plan item and the issuance state, into `Certificate Issued`.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { planSweep, type IssuanceState } from '../../../shared/workflow/index.js';
import { makeHandler as emitIssued } from '../../../functions/emit-issued/handler.js';
import { memoryDeps, putLineage, type MemoryDeps } from './support/memory-deps.js';

const NOW = new Date('2026-03-01T00:00:00Z');
const EXPLAINED = 'https://ca.test/incidents/2026-03-mass-revocation';

let m: MemoryDeps;
beforeEach(async () => {
  m = memoryDeps({ now: () => NOW });
  const current = { serialHex: '01', notBefore: '2026-02-01T00:00:00Z', notAfter: '2026-05-02T00:00:00Z', domains: ['x.example.test'] };
  // The CA moved the window into the past and said why; the answer is cached until tomorrow.
  const ari = { windowStart: '2026-02-28T00:00:00Z', windowEnd: '2026-02-28T12:00:00Z', selectedTime: '2026-02-28T06:00:00Z', nextCheckAt: '2026-03-02T00:00:00Z' };
  await putLineage(m.store, 'explained', { currentVersion: 1, current, ari: { ...ari, explanationURL: EXPLAINED } });
  await putLineage(m.store, 'unsafe', { currentVersion: 1, current, ari: { ...ari, explanationURL: 'javascript:alert(1)' } });
});

describe('the ARI explanation URL', () => {
  it('is carried by the plan item of a lineage due by its ARI window, and only when it is an https URL', async () => {
    await planSweep({ input: {}, sweepId: 'sweep-ari' }, m.deps);
    expect(m.sweeps.plan('sweep-ari')).toEqual([
      { lineage: 'explained', expectedVersion: 1, force: false, dryRun: false, ariExplanationURL: EXPLAINED },
      { lineage: 'unsafe', expectedVersion: 1, force: false, dryRun: false },
    ]);
  });

  it('is in "Certificate Issued" when the issuance state carries it', async () => {
    await putLineage(m.store, 'shop', { currentVersion: 1 });
    const state: IssuanceState = {
      lineage: 'shop',
      dryRun: false,
      force: false,
      renewal: true,
      skipped: false,
      directoryUrl: 'https://ca.test/dir',
      accountId: 'a',
      accountUrl: 'https://ca.test/acct/1',
      order: { url: 'https://ca.test/order/1', finalize: 'https://ca.test/order/1/finalize', status: 'valid' },
      authorizations: [],
      records: [],
      changes: [],
      keyToken: 'k',
      startedAt: '2026-03-01T00:00:00.000Z',
      ariExplanationURL: EXPLAINED,
      result: {
        version: 2,
        serialHex: '02',
        notBefore: '2026-03-01T00:00:00Z',
        notAfter: '2026-05-30T00:00:00Z',
        domains: ['shop.example.test'],
        location: 'mem://live/shop/',
        keyLocation: 'mem://keys/shop',
      },
    };
    await emitIssued(m.deps)(JSON.parse(JSON.stringify(state)));
    expect(m.events.ofType('Certificate Issued')).toEqual([expect.objectContaining({ lineage: 'shop', ariExplanationURL: EXPLAINED })]);
  });
});
