/**
 * The ACM hook end to end at the wire: the real ACM and STS SDK clients against the wire-level ACM
 * fakes of three places (the stack's region, us-east-1 for CloudFront, and eu-west-1 of another
 * account), each fake deciding every call with the IAM statements the synthesized template gives the
 * hook's role (or, in the other account, the statements `acmImportStatements` documents for its
 * role). The targets come from the function's environment in that template.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acmImporterFactory } from '../../../functions/acm-import/acm-clients.js';
import { makeHandler } from '../../../functions/acm-import/handler.js';
import { parseAcmTargets, type AcmTarget } from '../../../functions/acm-import/targets.js';
import { startAcmFake, type AcmFake } from '../../../harness/acm-fake.js';
import { allows, type IamStatement } from '../../../harness/iam-policy-evaluator.js';
import { acmImportStatements } from '../../../infra/deploy-hooks/acm-import/acm-import-statements.js';
import { readAcmDeployment } from '../../../shared/store/acm/index.js';
import type { CertificateVersion } from '../../../shared/store/index.js';
import { renderIntrinsic, statementsOfRole, synthIssuer, testIssuerProps } from '../../infra/support/synth.js';
import { makeSelfSignedCertificate, type TestCertificate } from '../../support/certs.js';
import { MemoryCertificateStore, putLineage } from '../../unit/functions/support/memory-deps.js';

const ROLE = 'arn:aws:iam::111122223333:role/acmeflow-acm-import';
const HOOK_KEY = 'AKIDACMHOOK';
const ASSUMED_KEY = 'ASIAASSUMEDROLE';
const sts = mockClient(STSClient);

const synthesized = synthIssuer(
  testIssuerProps({
    deployHooks: {
      acmImport: { targets: [{ region: 'us-east-1', lineages: ['example.com'] }, { lineages: ['example.jp'] }, { region: 'eu-west-1', roleArn: ROLE, lineages: ['example.org'] }] },
    },
  }),
);
const hook = synthesized.issuer.acmImportHook!;
const fnResource = synthesized.template.toJSON().Resources[synthesized.stack.getLogicalId(hook.function.node.defaultChild as never)];
const targets: AcmTarget[] = parseAcmTargets(renderIntrinsic(fnResource.Properties.Environment.Variables.ACMEFLOW_ACM_TARGETS), undefined);
/** The hook role's statements as IAM evaluates them (the partition resolved). */
const hookPolicy: IamStatement[] = statementsOfRole(synthesized.template, synthesized.stack.getLogicalId(hook.function.role!.node.defaultChild as never)).map((st) => ({
  Effect: st.Effect,
  Action: st.Action,
  Resource: st.Resource.map((r) => r.replace(`\${AWS::Partition}`, 'aws')),
  ...(st.Condition ? { Condition: st.Condition as IamStatement['Condition'] } : {}),
}));
const otherAccountPolicy = acmImportStatements({ issuerTag: hook.issuerTag, region: 'eu-west-1', account: '111122223333', partition: 'aws' }).map(
  (statement) => statement.toStatementJson() as IamStatement,
);

let home: AcmFake;
let cloudfront: AcmFake;
let other: AcmFake;
let ca: TestCertificate;
const fakeFor = (region: string): AcmFake => ({ 'ap-northeast-1': home, 'us-east-1': cloudfront, 'eu-west-1': other })[region]!;

beforeAll(async () => {
  const byHook = (request: { accessKeyId?: string } & Parameters<typeof allows>[1]) => request.accessKeyId === HOOK_KEY && allows(hookPolicy, request);
  home = await startAcmFake({ region: 'ap-northeast-1', authorize: byHook });
  cloudfront = await startAcmFake({ region: 'us-east-1', authorize: byHook });
  other = await startAcmFake({
    region: 'eu-west-1',
    accountId: '111122223333',
    authorize: (request) => request.accessKeyId === ASSUMED_KEY && allows(otherAccountPolicy, request),
  });
  ca = await makeSelfSignedCertificate({ domains: [], commonName: 'acmeflow Test CA', isCa: true });
});
afterAll(async () => {
  await Promise.all([home.stop(), cloudfront.stop(), other.stop()]);
  sts.restore();
});
beforeEach(() => {
  sts.reset();
  sts
    .on(AssumeRoleCommand)
    .resolves({ Credentials: { AccessKeyId: ASSUMED_KEY, SecretAccessKey: 'assumed-secret', SessionToken: 'token', Expiration: new Date(Date.now() + 900_000) } });
});

async function setUp(lineage: string) {
  const store = new MemoryCertificateStore();
  await putLineage(store, lineage, { currentVersion: 0 });
  const keys = new Map<string, string>();
  const issue = async (version: number) => {
    const leaf = await makeSelfSignedCertificate({ domains: [lineage], issuer: ca });
    const files: CertificateVersion = {
      lineage,
      version,
      certPem: leaf.certPem,
      chainPem: ca.certPem,
      fullchainPem: leaf.certPem + ca.certPem,
      meta: { serialHex: '01', notBefore: '', notAfter: '', domains: [lineage], orderUrl: '', issuedAt: '', keyType: 'ecdsa-p256' },
    };
    await store.putVersion(files);
    await store.promoteVersion(lineage, version);
    keys.set(lineage, leaf.privateKeyPem);
    return leaf;
  };
  const run = makeHandler(async () => ({
    store,
    keys: { getCurrentCertificateKey: async (name: string) => keys.get(name) },
    targets,
    acmFor: acmImporterFactory({
      defaultRegion: 'ap-northeast-1',
      issuerTag: hook.issuerTag,
      acmConfig: (region) => ({ endpoint: fakeFor(region).endpoint, maxAttempts: 1, credentials: { accessKeyId: HOOK_KEY, secretAccessKey: 'hook-secret' } }),
      stsConfig: { credentials: { accessKeyId: HOOK_KEY, secretAccessKey: 'hook-secret' } },
    }),
    log: { info: () => {}, warn: () => {} },
    now: () => new Date(),
  }));
  const state = async () => (await store.getLineage(lineage))?.lineage.state;
  return { store, issue, run, state };
}

describe("ACM hook against the ACM fakes, under the template's IAM", () => {
  it('imports into us-east-1 on the first issuance, keeps the ARN in the lineage state, and re-imports the renewal under it', async () => {
    const h = await setUp('example.com');
    await h.issue(1);

    const first = await h.run({ detail: { lineage: 'example.com', version: 1 } });

    const arn = first.targets[0]!.certificateArn;
    expect(first.targets).toEqual([{ target: 'acm:us-east-1', certificateArn: arn, result: 'imported' }]);
    expect(arn).toMatch(/^arn:aws:acm:us-east-1:123456789012:certificate\//);
    expect(readAcmDeployment(await h.state(), 'acm:us-east-1')).toMatchObject({ certificateArn: arn, version: 1 });
    expect(cloudfront.certificate(arn)?.tags).toEqual([
      { Key: 'acmeflow:lineage', Value: 'example.com' },
      { Key: 'acmeflow:issuer', Value: hook.issuerTag },
    ]);
    expect(home.calls).toEqual([]);

    const renewed = await h.issue(2);
    const second = await h.run({ detail: { lineage: 'example.com', version: 2 } });

    expect(second.targets).toEqual([{ target: 'acm:us-east-1', certificateArn: arn, result: 'reimported' }]);
    expect(cloudfront.certificate(arn)).toMatchObject({ certificatePem: renewed.certPem, importCount: 2 });
    expect(cloudfront.certificates().filter((c) => c.domainName === 'example.com')).toHaveLength(1);
    expect(cloudfront.calls.map((call) => call.action)).toEqual(['ImportCertificate', 'DescribeCertificate', 'ImportCertificate']);
    expect(cloudfront.calls.every((call) => call.accessKeyId === HOOK_KEY && call.status === 200)).toBe(true);
  });

  it("imports the stack region's lineage into the stack region", async () => {
    const h = await setUp('example.jp');
    await h.issue(1);
    const result = await h.run({ detail: { lineage: 'example.jp', version: 1 } });
    expect(result.targets[0]).toMatchObject({ target: 'acm', result: 'imported' });
    expect(home.certificate(result.targets[0]!.certificateArn)?.domainName).toBe('example.jp');
  });

  it('is refused a certificate another issuer tagged, even with its ARN in the state, and records why', async () => {
    const foreign = cloudfront.put({
      domainName: 'example.com',
      keyAlgorithm: 'EC_prime256v1',
      tags: [
        { Key: 'acmeflow:issuer', Value: 'someone-else' },
        { Key: 'acmeflow:lineage', Value: 'example.com' },
      ],
    });
    const h = await setUp('example.com');
    await h.issue(1);
    const stored = await h.store.getLineage('example.com');
    await h.store.putLineage({ ...stored!.lineage, state: { ...stored!.lineage.state, deployments: { 'acm:us-east-1': { certificateArn: foreign, version: '0' } } } });

    await expect(h.run({ detail: { lineage: 'example.com', version: 1 } })).rejects.toMatchObject({ name: 'AcmImportDeniedError', certificateArn: foreign });

    expect(cloudfront.certificate(foreign)?.importCount).toBe(1);
    expect(readAcmDeployment(await h.state(), 'acm:us-east-1').lastError).toMatchObject({ name: 'AcmImportDeniedError', version: 1 });
  });

  it('is refused a certificate of this issuer tagged for another lineage (the lineage condition)', async () => {
    const h = await setUp('example.com');
    const stranger = cloudfront.put({
      domainName: 'example.com',
      keyAlgorithm: 'EC_prime256v1',
      tags: [
        { Key: 'acmeflow:issuer', Value: hook.issuerTag },
        { Key: 'acmeflow:lineage', Value: 'example.jp' },
      ],
    });
    await h.issue(1);
    const stored = await h.store.getLineage('example.com');
    await h.store.putLineage({ ...stored!.lineage, state: { ...stored!.lineage.state, deployments: { 'acm:us-east-1': { certificateArn: stranger, version: '0' } } } });

    await expect(h.run({ detail: { lineage: 'example.com', version: 1 } })).rejects.toMatchObject({ name: 'AcmImportDeniedError' });
    expect(cloudfront.certificate(stranger)?.importCount).toBe(1);
  });

  it("imports into another account with the role it assumes, and only with that role's credentials", async () => {
    const h = await setUp('example.org');
    await h.issue(1);

    const result = await h.run({ detail: { lineage: 'example.org', version: 1 } });

    expect(result.targets[0]).toMatchObject({ target: 'acm:111122223333:eu-west-1', result: 'imported' });
    expect(result.targets[0]!.certificateArn).toMatch(/^arn:aws:acm:eu-west-1:111122223333:certificate\//);
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([{ RoleArn: ROLE, RoleSessionName: 'acmeflow-acm-import', DurationSeconds: 900 }]);
    expect(other.calls.map((call) => [call.action, call.accessKeyId, call.status])).toEqual([['ImportCertificate', ASSUMED_KEY, 200]]);
  });
});
