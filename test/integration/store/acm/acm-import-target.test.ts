/**
 * AcmImportTarget through the real SDK against the wire-level ACM fake: first import, re-import under
 * the same ARN on renewal (the ARN the caller kept), and the refusals ACM would answer otherwise.
 */
import { ACMClient, ImportCertificateCommand } from '@aws-sdk/client-acm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcmImportTarget } from '../../../../shared/store/acm/index.js';
import { startAcmFake, type AcmFake } from '../../../../harness/acm-fake.js';
import { makeSelfSignedCertificate, type TestCertificate } from '../../../support/certs.js';

let fake: AcmFake;
let client: ACMClient;
let ca: TestCertificate;
const logged: unknown[] = [];

beforeAll(async () => {
  fake = await startAcmFake({ region: 'eu-west-1', maxItems: 2 });
  const record = (...args: unknown[]) => logged.push(args);
  client = new ACMClient({
    endpoint: fake.endpoint,
    region: fake.region,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 's' },
    logger: { trace: record, debug: record, info: record, warn: record, error: record },
  });
  ca = await makeSelfSignedCertificate({ domains: [], commonName: 'acmeflow Test CA', isCa: true });
});
afterAll(async () => {
  client.destroy();
  await fake.stop();
});

const target = () => new AcmImportTarget({ client, issuerTag: 'eu-west-1/TestIssuer' });
const leaf = (domains: string[], keyType: 'ecdsa-p256' | 'rsa-2048' = 'ecdsa-p256') => makeSelfSignedCertificate({ domains, issuer: ca, keyType });
const request = (lineage: string, cert: TestCertificate, certificateArn?: string) => ({
  lineage,
  certificatePem: cert.certPem,
  chainPem: ca.certPem,
  privateKeyPem: cert.privateKeyPem,
  ...(certificateArn === undefined ? {} : { certificateArn }),
});
const importsOf = (arn: string) => fake.calls.filter((call) => call.action === 'ImportCertificate' && call.request.CertificateArn === arn);

describe('AcmImportTarget', () => {
  it('imports a new certificate tagged with its lineage, then re-imports the renewal under the same ARN', async () => {
    const first = await leaf(['first.example', 'www.first.example']);

    const imported = await target().importCertificate(request('first.example', first));

    expect(imported.reimported).toBe(false);
    expect(imported.certificateArn).toMatch(/^arn:aws:acm:eu-west-1:123456789012:certificate\//);
    expect(fake.certificate(imported.certificateArn)).toMatchObject({
      type: 'IMPORTED',
      domainName: 'first.example',
      subjectAlternativeNames: ['first.example', 'www.first.example'],
      keyAlgorithm: 'EC_prime256v1',
      chainPem: ca.certPem,
      tags: [
        { Key: 'acmeflow:lineage', Value: 'first.example' },
        { Key: 'acmeflow:issuer', Value: 'eu-west-1/TestIssuer' },
      ],
      importCount: 1,
    });

    const renewed = await leaf(['first.example', 'www.first.example', 'api.first.example']);
    const again = await target().importCertificate(request('first.example', renewed, imported.certificateArn));

    expect(again).toEqual({ certificateArn: imported.certificateArn, reimported: true });
    expect(fake.certificates()).toHaveLength(1);
    expect(fake.certificate(imported.certificateArn)).toMatchObject({
      certificatePem: renewed.certPem,
      subjectAlternativeNames: ['first.example', 'www.first.example', 'api.first.example'],
      importCount: 2,
    });
    expect(fake.certificate(imported.certificateArn)?.tags).toHaveLength(2);
    const [reimport] = importsOf(imported.certificateArn);
    expect(reimport?.request).not.toHaveProperty('Tags');
  });

  it('imports a new certificate when no ARN is kept, and never lists the account', async () => {
    fake.put({ domainName: 'found.example', tags: [{ Key: 'acmeflow:lineage', Value: 'found.example' }] });

    const { certificateArn, reimported } = await target().importCertificate(request('found.example', await leaf(['found.example'])));

    expect(reimported).toBe(false);
    expect(fake.certificates().filter((c) => c.tags.some((t) => t.Value === 'found.example'))).toHaveLength(2);
    expect(fake.certificate(certificateArn)?.importCount).toBe(1);
    expect(fake.calls.filter((call) => call.action === 'ListCertificates' || call.action === 'ListTagsForCertificate')).toEqual([]);
  });

  it('imports anew when the ARN in the lineage state no longer exists', async () => {
    const gone = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';

    const result = await target().importCertificate(request('gone.example', await leaf(['gone.example']), gone));

    expect(result.reimported).toBe(false);
    expect(result.certificateArn).not.toBe(gone);
    expect(fake.certificate(result.certificateArn)?.tags).toContainEqual({ Key: 'acmeflow:lineage', Value: 'gone.example' });
  });

  it('re-imports under a kept ARN without tagging it (ACM forbids tags on re-import; the tags stay from the first import)', async () => {
    const arn = fake.put({ domainName: 'adopted.example', keyAlgorithm: 'EC_prime256v1' });

    await target().importCertificate(request('adopted.example', await leaf(['adopted.example']), arn));

    expect(fake.certificate(arn)).toMatchObject({ domainName: 'adopted.example', importCount: 2, tags: [] });
    expect(fake.calls.some((call) => call.action === 'AddTagsToCertificate')).toBe(false);
  });

  it('refuses an ACM-issued target and a change of key algorithm, changing nothing', async () => {
    const issued = fake.put({ domainName: 'issued2.example', type: 'AMAZON_ISSUED' });
    await expect(target().importCertificate(request('issued2.example', await leaf(['issued2.example']), issued))).rejects.toMatchObject({
      name: 'AcmReimportRefusedError',
      reason: 'not-imported',
    });

    const { certificateArn } = await target().importCertificate(request('switch.example', await leaf(['switch.example'])));
    const rsa = await leaf(['switch.example'], 'rsa-2048');
    const error = (await target()
      .importCertificate(request('switch.example', rsa, certificateArn))
      .catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: 'AcmReimportRefusedError', reason: 'key-algorithm-changed', certificateArn });
    expect(error.message).not.toContain(rsa.privateKeyPem.split('\n')[2]);
    expect(fake.certificate(certificateArn)).toMatchObject({ keyAlgorithm: 'EC_prime256v1', importCount: 1 });
    expect(importsOf(certificateArn)).toHaveLength(0);
  });

  it("gets ACM's own refusals from the fake: tags on re-import, a key that does not match", async () => {
    const cert = await leaf(['raw.example']);
    const other = await leaf(['raw.example']);
    const { certificateArn } = await target().importCertificate(request('raw.example', cert));
    const bytes = (text: string) => new TextEncoder().encode(text);

    await expect(
      client.send(
        new ImportCertificateCommand({ CertificateArn: certificateArn, Certificate: bytes(cert.certPem), PrivateKey: bytes(cert.privateKeyPem), Tags: [{ Key: 'a', Value: 'b' }] }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException', message: 'Tagging is not permitted on re-import.' });
    await expect(target().importCertificate({ ...request('raw.example', cert, certificateArn), privateKeyPem: other.privateKeyPem })).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it("sends the key only as ImportCertificate's PrivateKey and never logs it", async () => {
    const cert = await leaf(['quiet.example']);
    await target().importCertificate(request('quiet.example', cert));
    const secret = cert.privateKeyPem.split('\n')[1]?.slice(48, 64) ?? '';
    expect(secret).toMatch(/^[A-Za-z0-9+/]{16}$/);

    const withKey = fake.calls.filter((call) =>
      Buffer.from(String(call.request.PrivateKey ?? ''), 'base64')
        .toString('utf8')
        .includes(secret),
    );
    expect(withKey.map((call) => call.action)).toEqual(['ImportCertificate']);
    const elsewhere = fake.calls.map((call) => {
      const { PrivateKey: _key, ...rest } = call.request;
      return `${JSON.stringify(rest)} ${call.rawResponse} ${JSON.stringify(call.headers)}`;
    });
    expect(elsewhere.join('\n')).not.toContain(secret);
    expect(logged.length).toBeGreaterThan(5);
    // Byte arrays are logged as text here, so a key passed as a blob would show up too.
    const log = JSON.stringify(logged, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value));
    expect(log).toContain('ImportCertificateCommand');
    // The (public) certificate blob does show up: the check below can see blobs.
    expect(log).toContain(cert.certPem.split('\n')[1]);
    expect(log).not.toContain(secret);
  });
});
