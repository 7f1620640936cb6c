/**
 * Cloud mode against a real S3 API (s3rver): the lineage `certonly --stack` writes is the one the
 * stack's functions read (S3CertificateStore), `certificates --stack` lists it, `--wait` reads the
 * outcome back from the bucket, and bad input leaves the bucket as it was. CloudFormation and Step
 * Functions are aws-sdk-client-mock fakes; the "stack" side of an execution writes to s3rver with
 * the same store the Lambda handlers use.
 */
import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, type StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OptionSpec } from '../../../cli/args.js';
import { STACK_OUTPUTS, type CloudCommandContext } from '../../../cli/cloud/index.js';
import { certificates } from '../../../cli/commands/certificates.js';
import { certonly } from '../../../cli/commands/certonly.js';
import { revoke } from '../../../cli/commands/revoke.js';
import { runVerb, type Verb } from '../../../cli/commands/verb.js';
import { Output } from '../../../cli/output.js';
import { parseCertificate } from '../../../shared/crypto/index.js';
import { S3CertificateStore } from '../../../shared/store/s3/index.js';
import { makeSelfSignedCertificate } from '../../support/certs.js';
import { startS3rver, type S3rverHandle } from '../../../harness/s3rver.js';
import { described, describeStacksAnswer, executionArn, historyEvent, lambdaCause, REGION, REJECTED, STACK, stackOutputs } from '../../unit/cli/cloud/cloud-fixtures.js';

const cfn = mockClient(CloudFormationClient);
const sfn = mockClient(SFNClient);

let s3: S3rverHandle;
let store: S3CertificateStore;
let work: string;

/** Runs a verb as `main` would, with the cloud clients pointed at s3rver; a thrown error is returned, not exit-coded. */
async function run<O extends OptionSpec>(verb: Verb<O>, args: string[]): Promise<{ code?: number; out: string; err: string; error?: Error }> {
  let out = '';
  let err = '';
  const env = { LANG: 'C' };
  const cmd: CloudCommandContext = {
    env,
    out: new Output({ write: (s: string) => (out += s) }, { write: (s: string) => (err += s) }, env),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    cloudClients: ({ region }) => ({
      cloudFormation: new CloudFormationClient({ region }),
      s3: new S3Client({
        endpoint: s3.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        maxAttempts: 1,
      }),
      sfn: new SFNClient({ region }),
    }),
    poll: { sleep: async () => undefined },
  };
  try {
    return { code: await runVerb(verb, args, cmd), out, err };
  } catch (error) {
    return { out, err, error: error as Error };
  }
}

const cloud = ['--stack', STACK, '--region', REGION];
const request = (name: string) => ['-d', `${name},www.${name}`, '--dns', 'rfc2136', '--dns-credentials-secret', 'acmeflow/dns/bind', '--server', 'https://acme.test/directory', '--agree-tos', '-m', 'ops@example.com'];

async function objectKeys(): Promise<string[]> {
  const answer = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
  return (answer.Contents ?? []).map((o) => o.Key as string).sort();
}

/** What the stack's StoreCertificate step leaves in the bucket: an archive version, live/, and the lineage's new state. */
async function storeIssued(name: string): Promise<{ serialHex: string; notAfter: string }> {
  const leaf = await makeSelfSignedCertificate({ domains: [name, `www.${name}`] });
  const info = parseCertificate(leaf.certPem);
  const stored = await store.getLineage(name);
  if (!stored) throw new Error(`the test expected ${name} in the bucket`);
  const version = stored.lineage.state.currentVersion + 1;
  await store.putVersion({
    lineage: name,
    version,
    certPem: leaf.certPem,
    chainPem: leaf.certPem,
    fullchainPem: leaf.certPem + leaf.certPem,
    meta: { serialHex: info.serialHex, notBefore: info.notBefore, notAfter: info.notAfter, domains: [name, `www.${name}`], orderUrl: 'https://acme.test/order/1', issuedAt: new Date().toISOString(), keyType: 'ecdsa-p256' },
  });
  await store.promoteVersion(name, version);
  await store.putLineage(
    {
      spec: stored.lineage.spec,
      state: {
        ...stored.lineage.state,
        currentVersion: version,
        current: { serialHex: info.serialHex, notBefore: info.notBefore, notAfter: info.notAfter, domains: [name, `www.${name}`] },
        accountUrl: 'https://acme.test/acct/1',
      },
    },
    { expectedEtag: stored.etag },
  );
  return { serialHex: info.serialHex, notAfter: info.notAfter };
}

const started = (): StartExecutionCommandInput[] => sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);

beforeAll(async () => {
  s3 = await startS3rver({ bucket: 'acmeflow-cloud-cli' });
  store = new S3CertificateStore({ bucket: s3.bucket, client: s3.client });
  work = await mkdtemp(join(tmpdir(), 'acmeflow-cloud-cli-'));
});
afterAll(async () => {
  await s3?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});
beforeEach(() => {
  cfn.reset();
  sfn.reset();
  cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer(stackOutputs({ bucket: s3.bucket })));
  sfn.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => ({
    executionArn: executionArn(input.stateMachineArn?.split(':').pop() as string, input.name as string),
    startDate: new Date(),
  }));
});

describe('certonly --stack and certificates --stack on a real S3 API', () => {
  it('writes the lineage the stack reads, and lists it', async () => {
    const r = await run(certonly, [...request('example.com'), ...cloud]);
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(0);
    const stored = await store.getLineage('example.com');
    expect(stored?.lineage.state).toEqual({ currentVersion: 0 });
    expect(stored?.lineage.spec).toMatchObject({
      name: 'example.com',
      domains: ['example.com', 'www.example.com'],
      ca: { directoryUrl: 'https://acme.test/directory', termsOfServiceAgreed: true, contact: ['ops@example.com'] },
      dns: { provider: 'rfc2136', credentialsRef: 'acmeflow/dns/bind' },
    });
    expect(JSON.parse(started()[0]?.input ?? '{}')).toEqual({ lineage: 'example.com', force: false, dryRun: false });

    const text = await run(certificates, [...cloud]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('Found the following certs:');
    expect(text.out).toContain('  Certificate Name: example.com');
    expect(text.out).toContain('    Domains: example.com www.example.com');
    expect(text.out).toContain('    Expiry Date: - (NOT ISSUED)');
    expect(text.out).toContain(`    Certificate Path: s3://${s3.bucket}/live/example.com/fullchain.pem`);
    const json = await run(certificates, ['--json', ...cloud]);
    expect(JSON.parse(json.out)).toEqual({
      stack: STACK,
      region: REGION,
      bucket: s3.bucket,
      certificates: [
        {
          name: 'example.com',
          domains: ['example.com', 'www.example.com'],
          keyType: 'ecdsa-p256',
          server: 'https://acme.test/directory',
          status: 'NOT ISSUED',
          version: 0,
          certificatePath: `s3://${s3.bucket}/live/example.com/fullchain.pem`,
          privateKeyPath: 'secretsmanager:acmeflow/cert/example.com',
        },
      ],
    });
  });

  it('--wait: the stack issues, and the new version and expiry are read back from the bucket; the state is kept', async () => {
    let issued: { serialHex: string; notAfter: string } | undefined;
    sfn.on(DescribeExecutionCommand).callsFake(async () => {
      issued ??= await storeIssued('example.com');
      return described('SUCCEEDED', { output: JSON.stringify({ lineage: 'example.com', skipped: false }) });
    });
    const r = await run(certonly, [...request('example.com'), '--wait', ...cloud]);
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(0);
    expect(r.out).toContain('Successfully received certificate.');
    expect(r.out).toContain(`Certificate is saved at: s3://${s3.bucket}/live/example.com/fullchain.pem (version 1)`);
    expect(r.out).toContain(`This certificate expires on ${issued?.notAfter.slice(0, 10)}.`);

    // Asked again: the lineage the stack updated is kept, and nothing is due.
    const again = await run(certonly, [...request('example.com'), ...cloud]);
    expect(again.out).toContain('Certificate not yet due for renewal; no action taken.');
    expect(started()).toHaveLength(1);
    const listed = JSON.parse((await run(certificates, ['--json', '--cert-name', 'example.com', ...cloud])).out) as { certificates: Record<string, unknown>[] };
    expect(listed.certificates[0]).toMatchObject({ version: 1, status: 'VALID', serialHex: issued?.serialHex });

    // A new spec for it (another key type) keeps the state the stack wrote.
    await run(certonly, [...request('example.com'), '--key-type', 'rsa', ...cloud]);
    expect((await store.getLineage('example.com'))?.lineage).toMatchObject({ spec: { keyType: 'rsa-2048' }, state: { currentVersion: 1, accountUrl: 'https://acme.test/acct/1' } });
  });

  it('--wait: a failed first issuance exits 1 with the problem and leaves no lineage in the bucket', async () => {
    sfn.on(DescribeExecutionCommand).resolves(described('FAILED', { error: 'IssuanceFailed', cause: 'See the "Certificate Issuance Failed" event.' }));
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        historyEvent('ExecutionFailed'),
        historyEvent('FailStateEntered', {
          stateEnteredEventDetails: { name: 'Failed', input: JSON.stringify({ lineage: 'blocked.test', failedStep: 'PrepareOrder', error: { Error: 'AcmeProblemError', Cause: lambdaCause('AcmeProblemError', 'refused', REJECTED) } }) },
        }),
      ],
    });
    const r = await run(certonly, [...request('blocked.test'), '--wait', ...cloud]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('rejectedIdentifier');
    expect(await store.getLineage('blocked.test')).toBeUndefined();
  });

  it('revoke --stack --cert-name --wait: the lineage is read from the bucket', async () => {
    sfn.on(DescribeExecutionCommand).resolves(described('SUCCEEDED', { output: JSON.stringify({ lineage: 'example.com', serialHex: 'abcd', reason: 'superseded' }) }));
    const r = await run(revoke, ['--cert-name', 'example.com', '--reason', 'superseded', '--wait', ...cloud]);
    expect(r.code).toBe(0);
    expect(JSON.parse(started()[0]?.input ?? '{}')).toEqual({ lineage: 'example.com', reason: 'superseded' });
    expect(r.out).toContain(`located at s3://${s3.bucket}/live/example.com/cert.pem (serial abcd, reason superseded)`);
  });
});

describe('bad input in cloud mode leaves the bucket as it was', () => {
  it.each([
    ['EAB credentials on the command line', ['--eab-kid', 'kid-1', '--eab-hmac-key', 'c2VjcmV0LWhtYWMta2V5LXRoYXQtaXMtbG9uZy1lbm91Z2g'], 'UsageError', '--eab-secret NAME'],
    ['a local DNS credentials file', ['--dns-cloudflare-credentials', 'CREDENTIALS'], 'UsageError', '--dns-credentials-secret NAME'],
  ])('%s', async (_, extra, name, message) => {
    const before = await objectKeys();
    const args = extra.map((a) => (a === 'CREDENTIALS' ? join(work, 'cloudflare.ini') : a));
    await writeFile(join(work, 'cloudflare.ini'), 'dns_cloudflare_api_token = 0123456789abcdef0123456789abcdef01234567\n', { mode: 0o600 });
    const r = await run(certonly, ['-d', 'bad.example.com', '--dns', 'cloudflare', '--agree-tos', ...args, ...cloud]);
    expect(r.error).toMatchObject({ name, message: expect.stringContaining(message) });
    expect(await objectKeys()).toEqual(before);
    expect(started()).toHaveLength(0);
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  it('a stack without the bucket output', async () => {
    cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer(stackOutputs({ bucket: s3.bucket, omit: [STACK_OUTPUTS.bucketName] })));
    const before = await objectKeys();
    const r = await run(certonly, [...request('bad.example.com'), ...cloud]);
    expect(r.error).toMatchObject({ name: 'StackOutputMissingError', stackName: STACK, region: REGION, missing: ['AcmeflowBucketName'] });
    expect(await objectKeys()).toEqual(before);
    const listed = await run(certificates, [...cloud]);
    expect(listed.error).toMatchObject({ name: 'StackOutputMissingError' });
    expect(started()).toHaveLength(0);
  });
});
