/**
 * Call shapes of AcmImportTarget with aws-sdk-client-mock: what each ACM call carries on a first
 * import and a re-import, and how it reads DescribeCertificate answers.
 */
import {
  ACMClient,
  AddTagsToCertificateCommand,
  DescribeCertificateCommand,
  ImportCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  ResourceNotFoundException,
  type ImportCertificateCommandInput,
} from '@aws-sdk/client-acm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AcmImportTarget } from '../../../../shared/store/acm/index.js';
import type { DeployTarget } from '../../../../shared/workflow/deps.js';
import { makeSelfSignedCertificate, type TestCertificate } from '../../../support/certs.js';

const acm = mockClient(ACMClient);
const ARN = 'arn:aws:acm:us-east-1:111122223333:certificate/11111111-2222-3333-4444-555555555555';
let cert: TestCertificate;
let ca: TestCertificate;

beforeAll(async () => {
  ca = await makeSelfSignedCertificate({ domains: [], commonName: 'Test CA', isCa: true });
  cert = await makeSelfSignedCertificate({ domains: ['example.com'], issuer: ca });
});
beforeEach(() => {
  acm.reset();
});

const target = (tagKey?: string) => new AcmImportTarget({ client: new ACMClient({ region: 'us-east-1' }), ...(tagKey === undefined ? {} : { tagKey }) });
const request = (extra: { certificateArn?: string; chainPem?: string } = {}) => ({
  lineage: 'example.com',
  certificatePem: cert.certPem,
  chainPem: ca.certPem,
  privateKeyPem: cert.privateKeyPem,
  ...extra,
});
const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8'));
const imports = (): ImportCertificateCommandInput[] => acm.commandCalls(ImportCertificateCommand).map((call) => call.args[0].input);

describe('first import', () => {
  it('lists every key type, then imports with the lineage tag and no ARN', async () => {
    acm.on(ListCertificatesCommand).resolves({ CertificateSummaryList: [] });
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });

    await expect(target().importCertificate(request())).resolves.toEqual({ certificateArn: ARN, reimported: false });

    expect(acm.commandCalls(ListCertificatesCommand)[0]?.args[0].input).toEqual({
      Includes: { keyTypes: ['RSA_1024', 'RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_prime256v1', 'EC_secp384r1', 'EC_secp521r1'] },
      MaxItems: 1000,
    });
    const [input] = imports();
    expect(input?.CertificateArn).toBeUndefined();
    expect(input?.Tags).toEqual([{ Key: 'acmeflow:lineage', Value: 'example.com' }]);
    expect(text(input?.Certificate)).toBe(cert.certPem);
    expect(text(input?.PrivateKey)).toBe(cert.privateKeyPem);
    expect(text(input?.CertificateChain)).toBe(ca.certPem);
  });

  it('leaves CertificateChain out for an empty chain and uses a custom tag key', async () => {
    acm.on(ListCertificatesCommand).resolves({});
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });

    await target('team:cert').importCertificate(request({ chainPem: '\n' }));

    expect(imports()[0]).not.toHaveProperty('CertificateChain');
    expect(imports()[0]?.Tags).toEqual([{ Key: 'team:cert', Value: 'example.com' }]);
  });

  it('reads tags of imported certificates only and pages with NextToken', async () => {
    acm.on(ListCertificatesCommand)
      .resolvesOnce({ CertificateSummaryList: [{ CertificateArn: 'arn:issued', Type: 'AMAZON_ISSUED' }, { CertificateArn: 'arn:a', Type: 'IMPORTED' }], NextToken: 'n2' })
      .resolvesOnce({ CertificateSummaryList: [{ CertificateArn: ARN, Type: 'IMPORTED' }] });
    acm.on(ListTagsForCertificateCommand, { CertificateArn: 'arn:a' }).resolves({ Tags: [{ Key: 'acmeflow:lineage', Value: 'other.example' }] });
    acm.on(ListTagsForCertificateCommand, { CertificateArn: ARN }).resolves({ Tags: [{ Key: 'acmeflow:lineage', Value: 'example.com' }] });

    await expect(target().findCertificateArn('example.com')).resolves.toBe(ARN);

    expect(acm.commandCalls(ListTagsForCertificateCommand).map((call) => call.args[0].input.CertificateArn)).toEqual(['arn:a', ARN]);
    expect(acm.commandCalls(ListCertificatesCommand)[1]?.args[0].input.NextToken).toBe('n2');
  });
});

describe('re-import', () => {
  it('checks the ARN, re-imports under it without tags, then adds the tag', async () => {
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { CertificateArn: ARN, Type: 'IMPORTED', KeyAlgorithm: 'EC_prime256v1' } });
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });
    acm.on(AddTagsToCertificateCommand).resolves({});

    await expect(target().importCertificate(request({ certificateArn: ARN }))).resolves.toEqual({ certificateArn: ARN, reimported: true });

    expect(acm.commandCalls(DescribeCertificateCommand)[0]?.args[0].input).toEqual({ CertificateArn: ARN });
    const [input] = imports();
    expect(input?.CertificateArn).toBe(ARN);
    expect(input).not.toHaveProperty('Tags');
    expect(text(input?.PrivateKey)).toBe(cert.privateKeyPem);
    expect(acm.commandCalls(AddTagsToCertificateCommand)[0]?.args[0].input).toEqual({ CertificateArn: ARN, Tags: [{ Key: 'acmeflow:lineage', Value: 'example.com' }] });
    expect(acm.commandCalls(ListCertificatesCommand)).toHaveLength(0);
  });

  it('accepts the hyphenated key algorithm spelling and refuses another algorithm', async () => {
    acm.on(DescribeCertificateCommand)
      .resolvesOnce({ Certificate: { Type: 'IMPORTED', KeyAlgorithm: 'EC-prime256v1' as never } })
      .resolves({ Certificate: { Type: 'IMPORTED', KeyAlgorithm: 'RSA-2048' as never } });
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });
    acm.on(AddTagsToCertificateCommand).resolves({});

    await expect(target().importCertificate(request({ certificateArn: ARN }))).resolves.toMatchObject({ reimported: true });
    await expect(target().importCertificate(request({ certificateArn: ARN }))).rejects.toMatchObject({
      name: 'AcmReimportRefusedError',
      reason: 'key-algorithm-changed',
    });
    expect(imports()).toHaveLength(1);
  });

  it('imports anew when the ARN disappears between the check and the import', async () => {
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { Type: 'IMPORTED', KeyAlgorithm: 'EC_prime256v1' } });
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: 'arn:new' });
    acm.on(ImportCertificateCommand, { CertificateArn: ARN }).rejects(new ResourceNotFoundException({ $metadata: {}, message: `Could not find certificate ${ARN}.` }));

    await expect(target().importCertificate(request({ certificateArn: ARN }))).resolves.toEqual({ certificateArn: 'arn:new', reimported: false });
    expect(imports().map((input) => input.CertificateArn)).toEqual([ARN, undefined]);
  });

  it('refuses a name that is not a lineage name before calling ACM', async () => {
    await expect(target().importCertificate({ ...request(), lineage: 'a/b' })).rejects.toMatchObject({ name: 'StoreError' });
    expect(acm.calls()).toHaveLength(0);
  });
});

describe('as the workflow\'s deploy target', () => {
  it('fits DeployTarget, re-imports under previous.certificateArn and answers { certificateArn }', async () => {
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { Type: 'IMPORTED', KeyAlgorithm: 'EC_prime256v1' } });
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });
    acm.on(AddTagsToCertificateCommand).resolves({});
    const deployTarget: DeployTarget = target();

    const facts = await deployTarget.deploy({
      lineage: 'example.com',
      version: 2,
      certPem: cert.certPem,
      chainPem: ca.certPem,
      privateKeyPem: cert.privateKeyPem,
      previous: { certificateArn: ARN },
    });

    expect(deployTarget.name).toBe('acm');
    expect(facts).toEqual({ certificateArn: ARN });
    expect(imports()[0]?.CertificateArn).toBe(ARN);
  });
});
