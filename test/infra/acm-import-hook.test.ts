import { beforeAll, describe, expect, it } from 'vitest';
import { makeHandler, type AcmImportHookDeps } from '../../functions/acm-import/handler.js';
import type { AcmImportRequest } from '../../shared/store/acm/index.js';
import type { CertificateVersion } from '../../shared/store/index.js';
import { makeSelfSignedCertificate, type TestCertificate } from '../support/certs.js';

let ca: TestCertificate;
let leaf: TestCertificate;
let other: TestCertificate;
beforeAll(async () => {
  ca = await makeSelfSignedCertificate({ domains: [], commonName: 'Test CA', isCa: true });
  leaf = await makeSelfSignedCertificate({ domains: ['example.com'], issuer: ca });
  other = await makeSelfSignedCertificate({ domains: ['example.com'] });
});

function live(version: number): CertificateVersion {
  return {
    lineage: 'example.com',
    version,
    certPem: leaf.certPem,
    chainPem: ca.certPem,
    fullchainPem: leaf.certPem + ca.certPem,
    meta: { serialHex: '01', notBefore: '', notAfter: '', domains: ['example.com'], orderUrl: '', issuedAt: '', keyType: 'ecdsa-p256' },
  };
}

function hook(options: { liveVersion?: number; keyPem?: string }) {
  const imports: AcmImportRequest[] = [];
  const deps: AcmImportHookDeps = {
    store: { getLive: async () => (options.liveVersion === undefined ? undefined : live(options.liveVersion)) },
    keys: { getCurrentCertificateKey: async () => options.keyPem },
    acm: {
      importCertificate: async (request) => {
        imports.push(request);
        return { certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc', reimported: true };
      },
    },
    log: { info: () => {} },
  };
  return { run: makeHandler(async () => deps), imports };
}

describe('ACM import deploy hook', () => {
  it('imports the live certificate, its chain and its current key', async () => {
    const h = hook({ liveVersion: 3, keyPem: leaf.privateKeyPem });
    const result = await h.run({ 'detail-type': 'Certificate Deployable', detail: { lineage: 'example.com', version: 3 } });
    expect(result).toEqual({ lineage: 'example.com', version: 3, certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc', reimported: true });
    expect(h.imports).toEqual([{ lineage: 'example.com', certificatePem: leaf.certPem, chainPem: ca.certPem, privateKeyPem: leaf.privateKeyPem }]);
  });

  it('refuses a key that does not match the certificate', async () => {
    const h = hook({ liveVersion: 3, keyPem: other.privateKeyPem });
    await expect(h.run({ detail: { lineage: 'example.com', version: 3 } })).rejects.toMatchObject({ name: 'DeployHookNotReadyError' });
    expect(h.imports).toEqual([]);
  });

  it('fails (and EventBridge retries) while live/ still serves an older version', async () => {
    const h = hook({ liveVersion: 2, keyPem: leaf.privateKeyPem });
    await expect(h.run({ detail: { lineage: 'example.com', version: 3 } })).rejects.toMatchObject({ name: 'DeployHookNotReadyError' });
  });

  it('rejects an event without a valid lineage name before touching anything', async () => {
    const h = hook({ liveVersion: 3, keyPem: leaf.privateKeyPem });
    await expect(h.run({ detail: { lineage: '../etc', version: 3 } })).rejects.toThrow(TypeError);
    expect(h.imports).toEqual([]);
  });
});
