/**
 * `acmeflow move-key --stack` end to end: the command against a stack whose bucket is s3rver and whose
 * Secrets Manager is the wire-level fake (CloudFormation answered by aws-sdk-client-mock), both
 * directions, the same key served afterwards and no certificate issued; bad flags exit 2 before any
 * AWS call.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../../support/run-main.js';
import { startS3rver, type S3rverHandle } from '../../../harness/s3rver.js';
import { startSecretsManagerFake, type SecretsManagerFake } from '../../../harness/secrets-manager-fake.js';
import { generateCertificateKey } from '../../../shared/crypto/index.js';
import { LineageRoutedKeyStore } from '../../../shared/store/index.js';
import { S3CertificateStore, S3KeyStore } from '../../../shared/store/s3/index.js';
import { SecretsManagerKeyStore } from '../../../shared/store/secrets-manager/index.js';
import { describeStacksAnswer, REGION, STACK, stackOutputs } from '../../unit/cli/cloud/cloud-fixtures.js';
import { lineage as lineageOf, version } from '../../unit/store/s3/fixtures.js';

let s3: S3rverHandle;
let sm: SecretsManagerFake;
const cfn = mockClient(CloudFormationClient);

beforeAll(async () => {
  [s3, sm] = await Promise.all([startS3rver(), startSecretsManagerFake({ region: REGION })]);
  cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer(stackOutputs({ bucket: s3.bucket, kms: false })));
});
afterAll(async () => {
  cfn.restore();
  await Promise.all([s3?.stop(), sm?.stop()]);
});

const s3Client = () =>
  new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
const smClient = () => new SecretsManagerClient({ endpoint: sm.endpoint, region: REGION, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' }, maxAttempts: 1 });
const cloudClients = () => ({ cloudFormation: new CloudFormationClient({ region: REGION }), s3: s3Client(), sfn: new SFNClient({ region: REGION }), secretsManager: smClient() });

const certificates = () => new S3CertificateStore({ bucket: s3.bucket, client: s3.client });
const stores = () => ({ s3: new S3KeyStore({ bucket: s3.bucket, client: s3.client }), secretsManager: new SecretsManagerKeyStore({ client: smClient() }) });
const routed = () => new LineageRoutedKeyStore({ ...stores(), keyStoreOf: async (name) => (await certificates().getLineage(name))?.lineage.spec.keyStore ?? 's3' });

async function acmeflow(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runMain(args, {
    env: { LANG: 'C', HOME: '/nonexistent' },
    cloudClients,
  });
}

/** A lineage with one version whose key is in the S3 key store, as a stack's first issuance leaves it. */
async function seedInS3(name: string): Promise<string> {
  const store = certificates();
  const seeded = lineageOf(name);
  await store.putLineage({ spec: { ...seeded.spec, keyStore: 's3' }, state: { currentVersion: 0 } }, { expectedEtag: null });
  const { privateKeyPem } = await generateCertificateKey('ecdsa-p256');
  await routed().putPendingCertificateKey(name, 'order-1', privateKeyPem);
  await store.putVersion(version(name, 1));
  await routed().promoteCertificateKey(name, 'order-1', 1, version(name, 1).fullchainPem);
  await store.promoteVersion(name, 1);
  const stored = await store.getLineage(name);
  await store.putLineage({ spec: stored!.lineage.spec, state: { currentVersion: 1 } }, { expectedEtag: stored!.etag });
  return privateKeyPem;
}

describe('acmeflow move-key --stack', () => {
  const stack = ['--stack', STACK, '--region', REGION];

  it('moves a lineage to Secrets Manager and back, serving the same key and issuing nothing', async () => {
    const key = await seedInS3('cli-move.example');
    const serial = (await certificates().getLive('cli-move.example'))?.meta.serialHex;

    const there = await acmeflow(['move-key', '--cert-name', 'cli-move.example', '--to', 'secretsManager', ...stack]);
    expect(there.err).toBe('');
    expect(there.code).toBe(0);
    expect(there.out).toContain('cli-move.example now keeps its key in secretsManager (versions 1 copied)');
    await expect(stores().secretsManager.getCurrentCertificateKey('cli-move.example')).resolves.toBe(key);
    expect((await certificates().getLineage('cli-move.example'))?.lineage.spec.keyStore).toBe('secretsManager');
    await expect(routed().getCurrentCertificateKey('cli-move.example')).resolves.toBe(key);

    const back = await acmeflow(['move-key', '--cert-name', 'cli-move.example', '--to', 's3', ...stack, '--json']);
    expect(back.code).toBe(0);
    expect(JSON.parse(back.out)).toMatchObject({ lineage: 'cli-move.example', from: 'secretsManager', to: 's3', moved: true, copiedVersions: [1] });
    await expect(routed().getCurrentCertificateKey('cli-move.example')).resolves.toBe(key);
    expect((await certificates().getLive('cli-move.example'))?.meta.serialHex).toBe(serial);
    await expect(certificates().latestVersion('cli-move.example')).resolves.toBe(1);
    // The key went only where keys go: nothing printed holds it.
    expect(`${there.out}${there.err}${back.out}${back.err}`).not.toContain(key.split('\n')[1]);
  });

  it('says so when the lineage is in that store already', async () => {
    await seedInS3('cli-stay.example');
    const run = await acmeflow(['move-key', '--cert-name', 'cli-stay.example', '--to', 's3', ...stack]);
    expect(run.code).toBe(0);
    expect(run.out).toContain('keeps its key in s3 already');
  });

  it('refuses bad flags and unknown lineages with exit 2', async () => {
    const before = sm.calls.length;
    expect((await acmeflow(['move-key', '--cert-name', 'x.example', '--to', 'dynamo', ...stack])).code).toBe(2);
    expect((await acmeflow(['move-key', '--to', 's3', ...stack])).code).toBe(2);
    expect((await acmeflow(['move-key', '--cert-name', 'x.example', '--to', 's3'])).code).toBe(2);
    expect(sm.calls.length).toBe(before);
    const missing = await acmeflow(['move-key', '--cert-name', 'missing.example', '--to', 's3', ...stack]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no certificate named missing.example');
  });
});
