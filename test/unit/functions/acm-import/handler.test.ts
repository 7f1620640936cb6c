/**
 * The ACM hook's shell over in-memory stores and a recording importer: which targets it imports
 * into, that the ARN comes from and goes to the lineage state, that a version already imported is
 * not imported again, that a failure is recorded and rethrown, and its custom resource face.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { makeHandler, type AcmImportHookDeps } from '../../../../functions/acm-import/handler.js';
import type { AcmTarget } from '../../../../functions/acm-import/targets.js';
import { readAcmDeployment, type AcmImportRequest } from '../../../../shared/store/acm/index.js';
import { AcmReimportRefusedError } from '../../../../shared/store/acm/errors.js';
import { LineageConflictError, type CertificateVersion } from '../../../../shared/store/index.js';
import { makeSelfSignedCertificate, type TestCertificate } from '../../../support/certs.js';
import { MemoryCertificateStore, putLineage } from '../../functions/support/memory-deps.js';

let ca: TestCertificate;
let leaf: TestCertificate;
let other: TestCertificate;
beforeAll(async () => {
  ca = await makeSelfSignedCertificate({ domains: [], commonName: 'Test CA', isCa: true });
  leaf = await makeSelfSignedCertificate({ domains: ['example.com'], issuer: ca });
  other = await makeSelfSignedCertificate({ domains: ['example.com'] });
});

const NOW = new Date('2026-12-08T03:00:00Z');
const version = (n: number): CertificateVersion => ({
  lineage: 'web',
  version: n,
  certPem: leaf.certPem,
  chainPem: ca.certPem,
  fullchainPem: leaf.certPem + ca.certPem,
  meta: { serialHex: '01', notBefore: '', notAfter: '', domains: ['example.com'], orderUrl: '', issuedAt: '', keyType: 'ecdsa-p256' },
});

async function hook(options: { liveVersion?: number; keyPem?: string; targets?: AcmTarget[]; fail?: (target: string) => Error | undefined } = {}) {
  const store = new MemoryCertificateStore();
  await putLineage(store, 'web', { currentVersion: options.liveVersion ?? 0 });
  if (options.liveVersion !== undefined) {
    await store.putVersion(version(options.liveVersion));
    await store.promoteVersion('web', options.liveVersion);
  }
  const imports: (AcmImportRequest & { target: string })[] = [];
  let created = 0;
  const deps: AcmImportHookDeps = {
    store,
    keys: { getCurrentCertificateKey: async () => options.keyPem ?? leaf.privateKeyPem },
    targets: options.targets ?? [{ name: 'acm' }],
    acmFor: (target) => ({
      importCertificate: async (request) => {
        imports.push({ ...request, target: target.name });
        const failure = options.fail?.(target.name);
        if (failure) throw failure;
        return request.certificateArn
          ? { certificateArn: request.certificateArn, reimported: true }
          : { certificateArn: `arn:aws:acm:${target.region ?? 'eu-west-1'}:123456789012:certificate/new-${++created}`, reimported: false };
      },
    }),
    log: { info: () => {}, warn: () => {} },
    now: () => NOW,
  };
  return { run: makeHandler(async () => deps), imports, store };
}

const deployable = (v: number) => ({ 'detail-type': 'Certificate Deployable', detail: { lineage: 'web', version: v } });

describe('ACM import deploy hook', () => {
  it('imports a new certificate, keeps its ARN in the lineage state, and re-imports the renewal under it', async () => {
    const h = await hook({ liveVersion: 1 });

    const first = await h.run(deployable(1));
    expect(first).toEqual({ lineage: 'web', version: 1, targets: [{ target: 'acm', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/new-1', result: 'imported' }] });
    expect(h.imports[0]).toEqual({ lineage: 'web', certificatePem: leaf.certPem, chainPem: ca.certPem, privateKeyPem: leaf.privateKeyPem, target: 'acm' });
    const stored = await h.store.getLineage('web');
    expect(readAcmDeployment(stored?.lineage.state, 'acm')).toEqual({
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/new-1',
      version: 1,
      importedAt: NOW.toISOString(),
    });

    await h.store.putVersion(version(2));
    await h.store.promoteVersion('web', 2);
    const renewal = await h.run(deployable(2));

    expect(renewal.targets).toEqual([{ target: 'acm', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/new-1', result: 'reimported' }]);
    expect(h.imports[1]?.certificateArn).toBe('arn:aws:acm:eu-west-1:123456789012:certificate/new-1');
    expect(readAcmDeployment((await h.store.getLineage('web'))?.lineage.state, 'acm').version).toBe(2);
  });

  it('does not import a version again when EventBridge delivers the event twice', async () => {
    const h = await hook({ liveVersion: 1 });
    await h.run(deployable(1));
    const again = await h.run(deployable(1));
    expect(again.targets[0]?.result).toBe('current');
    expect(h.imports).toHaveLength(1);
  });

  it('imports into each target of the lineage only, each with its own ARN', async () => {
    const h = await hook({
      liveVersion: 1,
      targets: [
        { name: 'acm:us-east-1', region: 'us-east-1' },
        { name: 'acm', lineages: ['web'] },
        { name: 'acm:111122223333:eu-west-1', region: 'eu-west-1', roleArn: 'arn:aws:iam::111122223333:role/acm', lineages: ['api'] },
      ],
    });
    const result = await h.run(deployable(1));
    expect(result.targets.map((t) => [t.target, t.certificateArn])).toEqual([
      ['acm:us-east-1', 'arn:aws:acm:us-east-1:123456789012:certificate/new-1'],
      ['acm', 'arn:aws:acm:eu-west-1:123456789012:certificate/new-2'],
    ]);
    expect(Object.keys((await h.store.getLineage('web'))?.lineage.state.deployments ?? {}).sort()).toEqual(['acm', 'acm:us-east-1']);
  });

  it('records a failed import in the lineage state, imports the other targets, and rethrows for EventBridge to retry', async () => {
    const h = await hook({
      liveVersion: 1,
      targets: [{ name: 'acm:us-east-1', region: 'us-east-1' }, { name: 'acm' }],
      fail: (target) => (target === 'acm:us-east-1' ? new AcmReimportRefusedError('web', 'arn:x', 'not-imported', 'type AMAZON_ISSUED') : undefined),
    });
    await expect(h.run(deployable(1))).rejects.toMatchObject({ name: 'AcmReimportRefusedError' });
    const state = (await h.store.getLineage('web'))?.lineage.state;
    expect(readAcmDeployment(state, 'acm:us-east-1').lastError).toMatchObject({ name: 'AcmReimportRefusedError', at: NOW.toISOString(), version: 1 });
    expect(readAcmDeployment(state, 'acm').certificateArn).toMatch(/new-1$/);
  });

  it('re-reads and writes again when the lineage changed under it (etag)', async () => {
    const h = await hook({ liveVersion: 1 });
    const put = h.store.putLineage.bind(h.store);
    let conflicts = 1;
    h.store.putLineage = async (lineage, options) => {
      if (conflicts-- > 0) throw new LineageConflictError('web');
      return put(lineage, options);
    };
    await h.run(deployable(1));
    expect(readAcmDeployment((await h.store.getLineage('web'))?.lineage.state, 'acm').certificateArn).toMatch(/new-1$/);
  });

  it('refuses a key that does not match the certificate', async () => {
    const h = await hook({ liveVersion: 3, keyPem: other.privateKeyPem });
    await expect(h.run(deployable(3))).rejects.toMatchObject({ name: 'DeployHookNotReadyError' });
    expect(h.imports).toEqual([]);
  });

  it('fails (and EventBridge retries) while live/ still serves an older version', async () => {
    const h = await hook({ liveVersion: 2 });
    await expect(h.run(deployable(3))).rejects.toMatchObject({ name: 'DeployHookNotReadyError' });
  });

  it('rejects an event without a valid lineage name before touching anything', async () => {
    const h = await hook({ liveVersion: 3 });
    await expect(h.run({ detail: { lineage: '../etc', version: 3 } })).rejects.toThrow(TypeError);
    expect(h.imports).toEqual([]);
  });
});

describe("as the certificate handle's onEvent", () => {
  const properties = { Lineage: 'web', Target: 'acm:us-east-1', TimeoutSeconds: '1800' };
  const targets = [{ name: 'acm:us-east-1', region: 'us-east-1' }];

  it('answers when the wait began and imports nothing before the first issuance', async () => {
    const h = await hook({ targets });
    await expect(h.run({ RequestType: 'Create', ResourceProperties: properties })).resolves.toEqual({
      PhysicalResourceId: 'acmeflow-certificate:web:acm:us-east-1',
      Data: { StartedAt: NOW.toISOString() },
    });
    expect(h.imports).toEqual([]);
  });

  it('imports a certificate issued before the target existed (no Certificate Deployable will come for it)', async () => {
    const h = await hook({ liveVersion: 2, targets });
    await h.run({ RequestType: 'Create', ResourceProperties: properties });
    expect(h.imports.map((i) => i.target)).toEqual(['acm:us-east-1']);
    expect(readAcmDeployment((await h.store.getLineage('web'))?.lineage.state, 'acm:us-east-1').version).toBe(2);
  });

  it('does not fail the create when that import fails: the failure is recorded for the completion check', async () => {
    const h = await hook({ liveVersion: 2, targets, fail: () => new AcmReimportRefusedError('web', 'arn:x', 'not-imported', 'type AMAZON_ISSUED') });
    await expect(h.run({ RequestType: 'Update', PhysicalResourceId: 'acmeflow-certificate:web:acm:us-east-1', ResourceProperties: properties })).resolves.toMatchObject({
      Data: { StartedAt: NOW.toISOString() },
    });
    expect(readAcmDeployment((await h.store.getLineage('web'))?.lineage.state, 'acm:us-east-1').lastError?.name).toBe('AcmReimportRefusedError');
  });

  it('does nothing on Delete (a rolled-back first deploy leaves ACM and the state alone)', async () => {
    const h = await hook({ liveVersion: 2, targets });
    const before = await h.store.getLineage('web');
    await expect(h.run({ RequestType: 'Delete', PhysicalResourceId: 'acmeflow-certificate:web:acm:us-east-1', ResourceProperties: properties })).resolves.toEqual({
      PhysicalResourceId: 'acmeflow-certificate:web:acm:us-east-1',
    });
    expect(h.imports).toEqual([]);
    expect(await h.store.getLineage('web')).toEqual(before);
  });

  it('refuses a target the hook does not have for the lineage', async () => {
    const h = await hook({ targets });
    await expect(h.run({ RequestType: 'Create', ResourceProperties: { ...properties, Target: 'acm:ap-northeast-1' } })).rejects.toThrow(/no target "acm:ap-northeast-1"/);
  });
});
