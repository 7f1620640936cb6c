/**
 * The certificate handle's whole first deploy at the wire: the lineage in S3 (s3rver, through the
 * real S3 store), the ACM hook as the custom resource's onEvent and as the Certificate Deployable
 * target (the real ACM SDK client against the ACM fake), the completion check polling the stored
 * lineage. Not complete before the first issuance, complete with the imported ARN after it, the same
 * ARN after a renewal; a failed first issuance fails the check with the ACME problem and its
 * explanation; a rollback (Delete) touches neither ACM nor the store.
 */
import { ACMClient } from '@aws-sdk/client-acm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHandler as makeHook } from '../../../functions/acm-import/handler.js';
import { makeHandler as makeCheck } from '../../../functions/certificate-handle/handler.js';
import type { CertificateHandleEvent } from '../../../functions/certificate-handle/resource.js';
import { startAcmFake, type AcmFake } from '../../../harness/acm-fake.js';
import { startS3rver, type S3rverHandle } from '../../../harness/s3rver.js';
import { resolveLineageSpec } from '../../../shared/config/index.js';
import { AcmImportTarget } from '../../../shared/store/acm/index.js';
import type { LineageState } from '../../../shared/store/index.js';
import { S3CertificateStore } from '../../../shared/store/s3/s3-certificate-store.js';
import { makeSelfSignedCertificate, type TestCertificate } from '../../support/certs.js';

let s3: S3rverHandle;
let acm: AcmFake;
let store: S3CertificateStore;
let ca: TestCertificate;
const keys = new Map<string, string>();
let clock = new Date('2026-12-08T02:00:00Z');
const quiet = { info: () => {}, warn: () => {} };

beforeAll(async () => {
  [s3, acm] = await Promise.all([startS3rver(), startAcmFake({ region: 'us-east-1' })]);
  store = new S3CertificateStore({ bucket: s3.bucket, client: s3.client });
  ca = await makeSelfSignedCertificate({ domains: [], commonName: 'acmeflow Test CA', isCa: true });
});
afterAll(async () => {
  await Promise.all([s3?.stop(), acm?.stop()]);
});

const TARGET = { name: 'acm:us-east-1', region: 'us-east-1' };
const hook = makeHook(async () => ({
  store,
  keys: { getCurrentCertificateKey: async (lineage: string) => keys.get(lineage) },
  targets: [TARGET],
  acmFor: () =>
    new AcmImportTarget({
      client: new ACMClient({ endpoint: acm.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIDHOOK', secretAccessKey: 's' } }),
      issuerTag: 'ap-northeast-1/Issuer',
    }),
  log: quiet,
  now: () => clock,
}));
const isComplete = makeCheck(async () => ({ store, log: quiet, now: () => clock }));
const later = (minutes: number) => {
  clock = new Date(clock.getTime() + minutes * 60_000);
};

const spec = (name: string) => resolveLineageSpec({ name, domains: [name], keyType: 'ecdsa-p256', ca: { directoryUrl: 'https://ca.test/dir' }, dns: { provider: 'route53' } });
const properties = (lineage: string) => ({ Lineage: lineage, Target: 'acm:us-east-1', TimeoutSeconds: '1800' });

/** What the lineage sync and the workflow leave in S3, done directly: the spec, a stored version, its state. */
async function updateState(lineage: string, change: (state: LineageState) => LineageState): Promise<void> {
  const stored = await store.getLineage(lineage);
  await store.putLineage({ spec: stored!.lineage.spec, state: change(stored!.lineage.state) }, { expectedEtag: stored!.etag });
}
async function issue(lineage: string, version: number): Promise<void> {
  const leaf = await makeSelfSignedCertificate({ domains: [lineage], issuer: ca });
  await store.putVersion({
    lineage,
    version,
    certPem: leaf.certPem,
    chainPem: ca.certPem,
    fullchainPem: leaf.certPem + ca.certPem,
    meta: { serialHex: '01', notBefore: '', notAfter: '', domains: [lineage], orderUrl: 'https://ca.test/order/1', issuedAt: clock.toISOString(), keyType: 'ecdsa-p256' },
  });
  keys.set(lineage, leaf.privateKeyPem);
  await store.promoteVersion(lineage, version);
  await updateState(lineage, (state) => ({ ...state, currentVersion: version }));
}

describe('a certificate handle on the first deploy', () => {
  it('waits for the first issuance and its import, answers the ARN, and keeps it across a renewal', async () => {
    await store.putLineage({ spec: spec('cdn.example.com'), state: { currentVersion: 0 } }, { expectedEtag: null });

    const created = await hook({ RequestType: 'Create', ResourceProperties: properties('cdn.example.com') });
    const poll = (event: Partial<CertificateHandleEvent> = {}) =>
      isComplete({
        RequestType: 'Create',
        PhysicalResourceId: created.PhysicalResourceId,
        ResourceProperties: properties('cdn.example.com'),
        Data: { StartedAt: created.Data!.StartedAt! },
        ...event,
      });

    later(1);
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    expect(acm.certificates()).toEqual([]);

    later(2);
    await issue('cdn.example.com', 1);
    await expect(poll()).resolves.toEqual({ IsComplete: false });
    await hook({ 'detail-type': 'Certificate Deployable', detail: { lineage: 'cdn.example.com', version: 1 } });

    later(1);
    const done = await poll();
    expect(done).toEqual({ IsComplete: true, Data: { CertificateArn: expect.stringMatching(/^arn:aws:acm:us-east-1:/), Version: '1' } });
    const arn = done.Data!.CertificateArn!;
    expect(acm.certificate(arn)).toMatchObject({ domainName: 'cdn.example.com', importCount: 1 });

    later(60 * 24 * 60);
    await issue('cdn.example.com', 2);
    await hook({ 'detail-type': 'Certificate Deployable', detail: { lineage: 'cdn.example.com', version: 2 } });
    await expect(poll({ RequestType: 'Update', Data: { StartedAt: clock.toISOString() } })).resolves.toEqual({ IsComplete: true, Data: { CertificateArn: arn, Version: '2' } });
    expect(acm.certificate(arn)?.importCount).toBe(2);
    expect(acm.certificates()).toHaveLength(1);
  });

  it('imports at create a certificate issued before the handle existed, and completes at once', async () => {
    await store.putLineage({ spec: spec('api.example.com'), state: { currentVersion: 0 } }, { expectedEtag: null });
    await issue('api.example.com', 1);

    const created = await hook({ RequestType: 'Create', ResourceProperties: properties('api.example.com') });
    const done = await isComplete({ RequestType: 'Create', ResourceProperties: properties('api.example.com'), Data: { StartedAt: created.Data!.StartedAt! } });

    expect(done.IsComplete).toBe(true);
    expect(acm.certificate(done.Data!.CertificateArn!)?.domainName).toBe('api.example.com');
  });

  it('fails with the ACME problem and its explanation when the first issuance fails, and rolls back without touching anything', async () => {
    await store.putLineage({ spec: spec('bad.example.com'), state: { currentVersion: 0 } }, { expectedEtag: null });
    const created = await hook({ RequestType: 'Create', ResourceProperties: properties('bad.example.com') });
    later(3);
    await updateState('bad.example.com', (state) => ({
      ...state,
      failures: {
        count: 1,
        lastFailureAt: clock.toISOString(),
        retryNotBefore: new Date(clock.getTime() + 3_600_000).toISOString(),
        lastError: { name: 'AcmeProblemError', message: 'DNS problem: NXDOMAIN looking up TXT for _acme-challenge.bad.example.com', problemType: 'urn:ietf:params:acme:error:dns' },
      },
    }));

    const failure = (await isComplete({ RequestType: 'Create', ResourceProperties: properties('bad.example.com'), Data: { StartedAt: created.Data!.StartedAt! } }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(failure).toMatchObject({ name: 'CertificateNotIssuedError', problemType: 'urn:ietf:params:acme:error:dns' });
    expect(failure.message).toContain('NXDOMAIN');
    expect(failure.message).toContain('(acmeflow explain dns)');

    const before = await store.getLineage('bad.example.com');
    const importsBefore = acm.calls.length;
    await expect(hook({ RequestType: 'Delete', PhysicalResourceId: created.PhysicalResourceId, ResourceProperties: properties('bad.example.com') })).resolves.toEqual({
      PhysicalResourceId: created.PhysicalResourceId,
    });
    await expect(isComplete({ RequestType: 'Delete', PhysicalResourceId: created.PhysicalResourceId, ResourceProperties: properties('bad.example.com') })).resolves.toEqual({
      IsComplete: true,
    });
    expect(await store.getLineage('bad.example.com')).toEqual(before);
    expect(acm.calls.length).toBe(importsBefore);
  });
});
