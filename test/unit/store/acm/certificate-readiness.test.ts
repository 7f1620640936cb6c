/**
 * The pure decision behind the certificate handle's completion check: ready once the target holds an
 * ARN and a version; failed with the ACME problem and its explanation when this deploy's issuance
 * failed (never an older failure); failed at once on an import error no retry cures; timed out at
 * the deadline with what is known; pending otherwise.
 */
import { describe, expect, it } from 'vitest';
import { decideCertificateReadiness, withAcmDeployment } from '../../../../shared/store/acm/index.js';
import type { Lineage, LineageState } from '../../../../shared/store/index.js';
import { spec } from '../../functions/support/memory-deps.js';

const STARTED = new Date('2026-12-08T02:00:00Z');
const DEADLINE = new Date('2026-12-08T02:28:30Z');
const at = (minutes: number) => new Date(STARTED.getTime() + minutes * 60_000);
const lineage = (state: LineageState): Lineage => ({ spec: spec('web'), state });
const decide = (l: Lineage | undefined, now = at(5)) => decideCertificateReadiness({ lineage: l, target: 'acm:us-east-1', startedAt: STARTED, deadline: DEADLINE, now });
const failures = (when: Date, lastError: { name: string; message: string; problemType?: string }) => ({
  count: 1,
  lastFailureAt: when.toISOString(),
  retryNotBefore: new Date(when.getTime() + 3_600_000).toISOString(),
  lastError,
});
const ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';

describe('decideCertificateReadiness', () => {
  it('is ready once the target holds an ARN and an imported version', () => {
    const state = withAcmDeployment({ currentVersion: 1 }, 'acm:us-east-1', { certificateArn: ARN, version: 1, importedAt: at(3).toISOString() });
    expect(decide(lineage(state))).toEqual({ status: 'ready', certificateArn: ARN, version: 1 });
  });

  it("is not ready from another target's ARN", () => {
    const state = withAcmDeployment({ currentVersion: 1 }, 'acm', { certificateArn: ARN, version: 1 });
    expect(decide(lineage(state))).toMatchObject({ status: 'pending', reason: expect.stringContaining('waiting for its import into acm:us-east-1') });
  });

  it('is pending before the lineage is stored, before the first issuance and while it runs', () => {
    expect(decide(undefined)).toEqual({ status: 'pending', reason: 'the lineage is not stored yet' });
    expect(decide(lineage({ currentVersion: 0 }))).toEqual({ status: 'pending', reason: 'waiting for the first issuance' });
    const inflight = { owner: 'x', orderUrl: 'https://ca/order/1', keyToken: 't', records: [], startedAt: at(1).toISOString() };
    expect(decide(lineage({ currentVersion: 0, inflight }))).toEqual({ status: 'pending', reason: 'the first issuance is running' });
  });

  it("fails with this deploy's ACME problem and its explanation", () => {
    const state: LineageState = {
      currentVersion: 0,
      failures: failures(at(2), { name: 'AcmeProblemError', message: 'Error creating new order :: too many certificates', problemType: 'urn:ietf:params:acme:error:rateLimited' }),
    };
    const decision = decide(lineage(state));
    expect(decision).toMatchObject({
      status: 'failed',
      failure: {
        source: 'issuance',
        name: 'AcmeProblemError',
        problemType: 'urn:ietf:params:acme:error:rateLimited',
        explanation: { type: 'rateLimited' },
        at: at(2).toISOString(),
      },
    });
    expect(decision.status === 'failed' && decision.failure.explanation.en.length).toBeGreaterThan(20);
    expect(decision.status === 'failed' && decision.failure.explanation.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
  });

  it("explains acmeflow's own errors by name when there is no ACME problem", () => {
    const state: LineageState = { currentVersion: 0, failures: failures(at(2), { name: 'PropagationTimeoutError', message: 'TXT not visible' }) };
    expect(decide(lineage(state))).toMatchObject({ status: 'failed', failure: { name: 'PropagationTimeoutError', explanation: { type: 'PropagationTimeoutError' } } });
  });

  it('ignores a failure from before this deploy (a rolled-back first deploy, a RETAINed bucket) until the deadline', () => {
    const state: LineageState = {
      currentVersion: 0,
      failures: failures(new Date(STARTED.getTime() - 60_000), { name: 'AcmeProblemError', message: 'old', problemType: 'urn:ietf:params:acme:error:dns' }),
    };
    expect(decide(lineage(state))).toMatchObject({ status: 'pending' });
    expect(decide(lineage(state), DEADLINE)).toMatchObject({
      status: 'timed-out',
      reason: expect.stringContaining('no certificate has been issued yet; the next attempt is not before'),
      failure: { problemType: 'urn:ietf:params:acme:error:dns', message: 'old' },
    });
  });

  it('does not fail on an issuance failure while a certificate exists or another attempt runs', () => {
    const failed = failures(at(2), { name: 'AcmeProblemError', message: 'x', problemType: 'urn:ietf:params:acme:error:dns' });
    expect(decide(lineage({ currentVersion: 2, failures: failed }))).toMatchObject({ status: 'pending' });
    const inflight = { owner: 'y', orderUrl: 'https://ca/order/2', keyToken: 't', records: [], startedAt: at(3).toISOString() };
    expect(decide(lineage({ currentVersion: 0, failures: failed, inflight }))).toMatchObject({ status: 'pending' });
  });

  it('fails at once on an import error no retry cures, and waits on one EventBridge may retry', () => {
    const refused = withAcmDeployment({ currentVersion: 1 }, 'acm:us-east-1', {
      lastError: { name: 'AcmImportDeniedError', message: 'denied', at: at(4).toISOString(), version: 1 },
    });
    expect(decide(lineage(refused))).toMatchObject({
      status: 'failed',
      failure: {
        source: 'import',
        name: 'AcmImportDeniedError',
        explanation: { type: 'AcmImportDeniedError', en: expect.stringContaining('acmeflow:issuer'), ja: expect.stringContaining('acmeflow:issuer') },
      },
    });
    const throttled = withAcmDeployment({ currentVersion: 1 }, 'acm:us-east-1', {
      lastError: { name: 'ThrottlingException', message: 'slow down', at: at(4).toISOString(), version: 1 },
    });
    expect(decide(lineage(throttled))).toMatchObject({ status: 'pending' });
    expect(decide(lineage(throttled), DEADLINE)).toMatchObject({ status: 'timed-out', failure: { name: 'ThrottlingException' } });
  });
});
