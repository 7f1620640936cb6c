/**
 * The certificate handle's completion check as the provider framework calls it: the event with the
 * onEvent answer merged in (`Data.StartedAt`); complete with the ARN, not yet, or a thrown
 * CertificateNotIssuedError whose message carries the problem, its explanation and the explain line.
 */
import { describe, expect, it } from 'vitest';
import { DEADLINE_MARGIN_SECONDS, makeHandler } from '../../../../functions/certificate-handle/handler.js';
import type { CertificateHandleEvent } from '../../../../functions/certificate-handle/resource.js';
import { withAcmDeployment } from '../../../../shared/store/acm/index.js';
import type { LineageState } from '../../../../shared/store/index.js';
import { MemoryCertificateStore, putLineage } from '../../functions/support/memory-deps.js';

const STARTED = '2026-12-08T02:00:00.000Z';
const ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/abc';
const event = (overrides: Partial<CertificateHandleEvent> = {}): CertificateHandleEvent => ({
  RequestType: 'Create',
  PhysicalResourceId: 'acmeflow-certificate:web:acm:us-east-1',
  ResourceProperties: { Lineage: 'web', Target: 'acm:us-east-1', TimeoutSeconds: '1800' },
  Data: { StartedAt: STARTED },
  ...overrides,
});

async function check(state: LineageState | undefined, nowIso = '2026-12-08T02:05:00Z') {
  const store = new MemoryCertificateStore();
  if (state) await putLineage(store, 'web', state);
  const logs: unknown[] = [];
  return { run: makeHandler(async () => ({ store, log: { info: (...args) => logs.push(args) }, now: () => new Date(nowIso) })), logs };
}

describe('certificate handle completion check', () => {
  it('completes with the ARN and version once imported', async () => {
    const c = await check(withAcmDeployment({ currentVersion: 1 }, 'acm:us-east-1', { certificateArn: ARN, version: 1 }));
    await expect(c.run(event())).resolves.toEqual({ IsComplete: true, Data: { CertificateArn: ARN, Version: '1' } });
  });

  it('is not complete while the first issuance has not happened, and says why in its log', async () => {
    const c = await check({ currentVersion: 0 });
    await expect(c.run(event())).resolves.toEqual({ IsComplete: false });
    expect(JSON.stringify(c.logs)).toContain('waiting for the first issuance');
  });

  it('fails with the ACME problem, its explanation and the explain command', async () => {
    const c = await check({
      currentVersion: 0,
      failures: {
        count: 1,
        lastFailureAt: '2026-12-08T02:03:00.000Z',
        retryNotBefore: '2026-12-08T03:03:00.000Z',
        lastError: { name: 'AcmeProblemError', message: 'Error finalizing order :: CAA record forbids issuance', problemType: 'urn:ietf:params:acme:error:caa' },
      },
    });
    const error = (await c.run(event()).catch((e: unknown) => e)) as Error & { problemType?: string };
    expect(error).toMatchObject({ name: 'CertificateNotIssuedError', lineage: 'web', problemType: 'urn:ietf:params:acme:error:caa' });
    expect(error.message).toContain('The certificate "web" could not be issued');
    expect(error.message).toContain('CAA record forbids issuance');
    expect(error.message).toContain('(acmeflow explain caa)');
    expect(error.message).toMatch(/CAA/);
  });

  it("keeps the reason short enough for CloudFormation, and free of control characters, however long the CA's detail", async () => {
    const c = await check({
      currentVersion: 0,
      failures: {
        count: 1,
        lastFailureAt: '2026-12-08T02:03:00.000Z',
        retryNotBefore: '2026-12-08T03:03:00.000Z',
        lastError: { name: 'AcmeProblemError', message: `\u001b[31m${'x'.repeat(20_000)}`, problemType: 'urn:ietf:params:acme:error:serverInternal' },
      },
    });
    const error = (await c.run(event()).catch((e: unknown) => e)) as Error;
    expect(error.message.length).toBeLessThan(2500);
    expect(error.message).not.toContain('\u001b');
    expect(error.message).toContain('(acmeflow explain serverInternal)');
  });

  it('gives up before the provider does, so its own message reaches CloudFormation', async () => {
    const deadline = new Date(Date.parse(STARTED) + (1800 - DEADLINE_MARGIN_SECONDS) * 1000).toISOString();
    await expect((await check({ currentVersion: 0 }, deadline)).run(event())).rejects.toMatchObject({
      name: 'CertificateNotIssuedError',
      message: expect.stringContaining('was not in ACM (acm:us-east-1) within 1800 s: no certificate has been issued yet'),
    });
    const justBefore = new Date(Date.parse(deadline) - 1000).toISOString();
    await expect((await check({ currentVersion: 0 }, justBefore)).run(event())).resolves.toEqual({ IsComplete: false });
  });

  it('completes a Delete at once, reading nothing (a failed first deploy rolls back cleanly)', async () => {
    const c = await check(undefined);
    await expect(c.run(event({ RequestType: 'Delete' }))).resolves.toEqual({ IsComplete: true });
  });

  it('refuses properties that are not a lineage, a target and a timeout', async () => {
    const c = await check({ currentVersion: 0 });
    await expect(c.run(event({ ResourceProperties: { Lineage: '../x', Target: 'acm', TimeoutSeconds: '1800' } }))).rejects.toThrow(TypeError);
    await expect(c.run(event({ ResourceProperties: { Lineage: 'web', Target: 'route53', TimeoutSeconds: '1800' } }))).rejects.toThrow(TypeError);
    await expect(c.run(event({ ResourceProperties: { Lineage: 'web', Target: 'acm', TimeoutSeconds: 'soon' } }))).rejects.toThrow(TypeError);
  });
});
