/**
 * Call shapes of AcmImportTarget with aws-sdk-client-mock: what each ACM call carries on a first
 * import and a re-import, and how it reads DescribeCertificate answers.
 */
import {
  AccessDeniedException,
  ACMClient,
  DescribeCertificateCommand,
  ImportCertificateCommand,
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

const target = (issuerTag?: string) => new AcmImportTarget({ client: new ACMClient({ region: 'us-east-1' }), ...(issuerTag === undefined ? {} : { issuerTag }) });
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
  it('imports with the lineage and issuer tags and no ARN, and never lists the account', async () => {
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });

    await expect(target('eu-west-1/Issuer').importCertificate(request())).resolves.toEqual({ certificateArn: ARN, reimported: false });

    const [input] = imports();
    expect(input?.CertificateArn).toBeUndefined();
    expect(input?.Tags).toEqual([
      { Key: 'acmeflow:lineage', Value: 'example.com' },
      { Key: 'acmeflow:issuer', Value: 'eu-west-1/Issuer' },
    ]);
    expect(text(input?.Certificate)).toBe(cert.certPem);
    expect(text(input?.PrivateKey)).toBe(cert.privateKeyPem);
    expect(text(input?.CertificateChain)).toBe(ca.certPem);
    expect(acm.calls().map((call) => call.args[0].constructor.name)).toEqual(['ImportCertificateCommand']);
  });

  it('leaves CertificateChain out for an empty chain, and the issuer tag when none is named', async () => {
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });

    await target().importCertificate(request({ chainPem: '\n' }));

    expect(imports()[0]).not.toHaveProperty('CertificateChain');
    expect(imports()[0]?.Tags).toEqual([{ Key: 'acmeflow:lineage', Value: 'example.com' }]);
  });

  it('turns AccessDeniedException into AcmImportDeniedError', async () => {
    acm.on(ImportCertificateCommand).rejects(new AccessDeniedException({ $metadata: {}, message: 'not authorized' }));

    await expect(target('eu-west-1/Issuer').importCertificate(request())).rejects.toMatchObject({
      name: 'AcmImportDeniedError',
      lineage: 'example.com',
      certificateArn: undefined,
    });
  });
});

describe('re-import', () => {
  it('checks the ARN, then re-imports under it without tags (nothing else: no listing, no tagging)', async () => {
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { CertificateArn: ARN, Type: 'IMPORTED', KeyAlgorithm: 'EC_prime256v1' } });
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });

    await expect(target('eu-west-1/Issuer').importCertificate(request({ certificateArn: ARN }))).resolves.toEqual({ certificateArn: ARN, reimported: true });

    expect(acm.commandCalls(DescribeCertificateCommand)[0]?.args[0].input).toEqual({ CertificateArn: ARN });
    const [input] = imports();
    expect(input?.CertificateArn).toBe(ARN);
    expect(input).not.toHaveProperty('Tags');
    expect(text(input?.PrivateKey)).toBe(cert.privateKeyPem);
    expect(acm.calls().map((call) => call.args[0].constructor.name)).toEqual(['DescribeCertificateCommand', 'ImportCertificateCommand']);
  });

  it('turns AccessDeniedException on a stored ARN into AcmImportDeniedError naming it', async () => {
    acm.on(DescribeCertificateCommand).rejects(new AccessDeniedException({ $metadata: {}, message: 'not authorized' }));

    await expect(target('eu-west-1/Issuer').importCertificate(request({ certificateArn: ARN }))).rejects.toMatchObject({ name: 'AcmImportDeniedError', certificateArn: ARN });
    expect(imports()).toHaveLength(0);
  });

  it('accepts the hyphenated key algorithm spelling and refuses another algorithm', async () => {
    acm
      .on(DescribeCertificateCommand)
      .resolvesOnce({ Certificate: { Type: 'IMPORTED', KeyAlgorithm: 'EC-prime256v1' as never } })
      .resolves({ Certificate: { Type: 'IMPORTED', KeyAlgorithm: 'RSA-2048' as never } });
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });

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

describe("as the workflow's deploy target", () => {
  it('fits DeployTarget, re-imports under previous.certificateArn and answers { certificateArn }', async () => {
    acm.on(DescribeCertificateCommand).resolves({ Certificate: { Type: 'IMPORTED', KeyAlgorithm: 'EC_prime256v1' } });
    acm.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });
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
