/**
 * The verbs in cloud mode through `main`, against aws-sdk-client-mock: the exact calls (DescribeStacks,
 * the lineage's PutObject, StartExecution's input, DescribeExecution, GetExecutionHistory), what is
 * printed, the exit codes, and that bad input exits 2 before any call.
 */
import 'reflect-metadata';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, type StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STACK_OUTPUTS, type CloudCommandContext } from '../../../../cli/cloud/index.js';
import { certonly } from '../../../../cli/commands/certonly.js';
import { runVerb } from '../../../../cli/commands/verb.js';
import { main } from '../../../../cli/main.js';
import { Output } from '../../../../cli/output.js';
import { resolveLineageSpec } from '../../../../shared/config/index.js';
import type { Lineage } from '../../../../shared/store/index.js';
import { makeSelfSignedCertificate } from '../../../support/certs.js';
import {
  BUCKET,
  captureIo,
  described,
  describeStacksAnswer,
  executionArn,
  historyEvent,
  ISSUANCE_ARN,
  KMS_KEY,
  lambdaCause,
  noSuchKey,
  REGION,
  REJECTED,
  REVOCATION_ARN,
  s3Object,
  STACK,
  stackDoesNotExist,
  stackOutputs,
  SWEEP_ARN,
} from './cloud-fixtures.js';

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);

const cloud = ['--stack', STACK, '--region', REGION];
const DAY = 86_400_000;

async function run(args: string[], env: Record<string, string> = {}) {
  const io = captureIo(env);
  const code = await main(args, io);
  return { code, out: io.out, err: io.err };
}

function lineage(name: string, state: Partial<Lineage['state']> = {}, ca: Record<string, unknown> = { directoryUrl: 'https://acme.test/directory' }): Lineage {
  const spec = resolveLineageSpec({ name, domains: [name], keyType: 'ecdsa-p256', ca, dns: { provider: 'route53' } });
  return { spec, state: { currentVersion: 0, ...state } };
}

function current(name: string, notAfter: Date, serialHex = '0a1b2c') {
  return { serialHex, notBefore: new Date(notAfter.getTime() - 90 * DAY).toISOString(), notAfter: notAfter.toISOString(), domains: [name] };
}

const puts = (): PutObjectCommandInput[] => s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
const starts = (): StartExecutionCommandInput[] => sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
const startedInput = (i = 0) => JSON.parse(starts()[i]?.input ?? 'null') as Record<string, unknown>;
const nothingCalled = () => {
  expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
};

beforeEach(() => {
  cfn.reset();
  s3.reset();
  sfn.reset();
  cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer(stackOutputs()));
  s3.on(GetObjectCommand).rejects(noSuchKey());
  s3.on(PutObjectCommand).resolves({ ETag: '"written"' });
  s3.on(DeleteObjectCommand).resolves({});
  sfn.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => ({
    executionArn: executionArn(input.stateMachineArn?.split(':').pop() as string, input.name as string),
    startDate: new Date(),
  }));
});

describe('acmeflow certonly --stack', () => {
  const request = ['certonly', '-d', 'example.jp,www.example.jp', '--dns', 'route53', '--ca', 'jprs', '--agree-tos', '-m', 'ops@example.jp'];

  it('writes a new lineage to the bucket (If-None-Match, SSE-KMS) and starts the issuance with a readable name', async () => {
    const r = await run([...request, '--eab-secret', 'acmeflow/eab/jprs', ...cloud]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(cfn.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([{ StackName: STACK }]);
    expect(puts()).toHaveLength(1);
    const put = puts()[0] as PutObjectCommandInput;
    expect(put).toMatchObject({ Bucket: BUCKET, Key: 'renewal/example.jp.json', IfNoneMatch: '*', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: KMS_KEY, ContentType: 'application/json' });
    const written = JSON.parse(put.Body as string) as Lineage;
    expect(written.state).toEqual({ currentVersion: 0 });
    expect(written.spec).toMatchObject({
      name: 'example.jp',
      domains: ['example.jp', 'www.example.jp'],
      keyType: 'rsa-2048',
      deployDelaySeconds: 600,
      ca: { preset: 'jprs', eabRef: 'acmeflow/eab/jprs', termsOfServiceAgreed: true, contact: ['ops@example.jp'] },
      dns: { provider: 'route53' },
    });
    expect(starts()).toHaveLength(1);
    expect(starts()[0]).toMatchObject({ stateMachineArn: ISSUANCE_ARN, name: expect.stringMatching(/^certonly-example\.jp-\d{8}T\d{6}Z$/) });
    expect(startedInput()).toEqual({ lineage: 'example.jp', force: false, dryRun: false });
    expect(r.out).toContain('Key type: rsa-2048');
    expect(r.out).toContain(`Lineage written to s3://${BUCKET}/renewal/example.jp.json`);
    expect(r.out).toContain(`Issuance started in stack ${STACK} (${REGION}): arn:aws:states:${REGION}:111122223333:execution:AcmeflowIssuance:certonly-example.jp-`);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it('updates an existing lineage under its etag, keeping its state and its account references', async () => {
    const existing = lineage('example.jp', { currentVersion: 3, current: current('example.jp', new Date(Date.now() + 60 * DAY)), accountUrl: 'https://acme.test/acct/1' }, {
      preset: 'jprs',
      eabRef: 'acmeflow/eab/jprs',
      termsOfServiceAgreed: true,
    });
    s3.on(GetObjectCommand, { Key: 'renewal/example.jp.json' }).resolves(s3Object(JSON.stringify(existing), '"v3"'));
    sfn.on(DescribeExecutionCommand).resolves(described('SUCCEEDED', { output: '{}' }));
    const r = await run(['certonly', '-d', 'example.jp', '--dns', 'route53', '--ca', 'jprs', '--key-type', 'rsa', '--force-renewal', '--dry-run', '--wait', ...cloud]);
    expect(r.code).toBe(0);
    const put = puts()[0] as PutObjectCommandInput;
    expect(put).toMatchObject({ Key: 'renewal/example.jp.json', IfMatch: '"v3"' });
    expect(put).not.toHaveProperty('IfNoneMatch');
    const written = JSON.parse(put.Body as string) as Lineage;
    expect(written.state).toEqual(existing.state);
    expect(written.spec.ca).toMatchObject({ eabRef: 'acmeflow/eab/jprs', termsOfServiceAgreed: true });
    expect(startedInput()).toEqual({ lineage: 'example.jp', force: true, dryRun: true });
    // No warning about the account: the lineage's references were kept.
    expect(r.err).not.toContain('Warning');
  });

  it('does nothing for the same request when the certificate is not due, as certbot', async () => {
    const existing = lineage('example.com', { currentVersion: 1, current: current('example.com', new Date(Date.now() + 80 * DAY)) });
    s3.on(GetObjectCommand, { Key: 'renewal/example.com.json' }).resolves(s3Object(JSON.stringify(existing)));
    const r = await run(['certonly', '-d', 'example.com', '--dns', 'route53', '--server', 'https://acme.test/directory', '--key-type', 'ecdsa', ...cloud]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Certificate not yet due for renewal; no action taken.');
    nothingCalled();
  });

  it('warns that registering would lack the agreement and EAB, since the stack\u2019s account cannot be seen from here', async () => {
    const r = await run(['certonly', '-d', 'example.jp', '--dns', 'route53', '--ca', 'jprs', ...cloud]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('Warning: without --agree-tos');
    expect(r.err).toContain('Warning: jprs requires External Account Binding');
  });

  it('--wait: follows the execution and reads the new version and expiry back from the bucket', async () => {
    const issued = lineage('example.com', { currentVersion: 1, current: current('example.com', new Date('2026-06-30T12:00:00Z')) });
    s3.on(GetObjectCommand, { Key: 'renewal/example.com.json' }).rejectsOnce(noSuchKey()).resolves(s3Object(JSON.stringify(issued)));
    sfn.on(DescribeExecutionCommand).resolves(described('SUCCEEDED', { output: JSON.stringify({ lineage: 'example.com', skipped: false }) }));
    const r = await run(['certonly', '-d', 'example.com', '--dns', 'route53', '--server', 'https://acme.test/directory', '--agree-tos', '--wait', ...cloud]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Successfully received certificate.');
    expect(r.out).toContain(`Certificate is saved at: s3://${BUCKET}/live/example.com/fullchain.pem (version 1)`);
    expect(r.out).toContain(`Key is saved at:         Secrets Manager secret acmeflow/cert/example.com (${REGION})`);
    expect(r.out).toContain('This certificate expires on 2026-06-30.');
    expect(sfn.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input.executionArn)).toEqual([expect.stringContaining(':execution:AcmeflowIssuance:certonly-example.com-')]);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('--wait: a failed first issuance exits 1 with the CA\u2019s problem from the history, explained in Japanese, and leaves no lineage', async () => {
    s3.on(GetObjectCommand, { Key: 'renewal/blocked.test.json' })
      .rejectsOnce(noSuchKey())
      .resolves(s3Object(JSON.stringify(lineage('blocked.test', { failures: { count: 1, lastFailureAt: new Date().toISOString(), retryNotBefore: new Date().toISOString(), lastError: { name: 'AcmeProblemError', message: 'refused' } } }))));
    sfn.on(DescribeExecutionCommand).resolves(described('FAILED', { error: 'IssuanceFailed', cause: 'See the "Certificate Issuance Failed" event for the ACME problem and what to do.' }));
    const caught = { Error: 'AcmeProblemError', Cause: lambdaCause('AcmeProblemError', 'The CA refused the order', REJECTED) };
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        historyEvent('ExecutionFailed'),
        historyEvent('FailStateEntered', { stateEnteredEventDetails: { name: 'Failed', input: JSON.stringify({ lineage: 'blocked.test', error: caught, failedStep: 'PrepareOrder' }) } }),
      ],
    });
    const r = await run(['certonly', '-d', 'blocked.test', '--dns', 'route53', '--server', 'https://acme.test/directory', '--agree-tos', '--wait', ...cloud], { LANG: 'ja_JP.UTF-8' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('Certificate for blocked.test failed: AcmeProblemError.');
    expect(r.err).toContain('rejectedIdentifier (HTTP 400)');
    expect(r.err).toContain('この識別子（FQDN）に対して CA は証明書を発行しません。');
    expect(r.err).toMatch(/Execution FAILED in PrepareOrder: arn:aws:states:.*:certonly-blocked\.test-/);
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[0]?.args[0].input).toMatchObject({ reverseOrder: true });
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input.Key)).toContain('renewal/blocked.test.json');
  });

  it('--wait --json: one JSON document with the execution and the outcome', async () => {
    const issued = lineage('example.com', { currentVersion: 2, current: current('example.com', new Date('2026-06-30T12:00:00Z'), '0f') });
    s3.on(GetObjectCommand, { Key: 'renewal/example.com.json' }).rejectsOnce(noSuchKey()).resolves(s3Object(JSON.stringify(issued)));
    sfn.on(DescribeExecutionCommand).resolves(described('SUCCEEDED', { output: '{}' }));
    const r = await run(['certonly', '-d', 'example.com', '--dns', 'route53', '--server', 'https://acme.test/directory', '--agree-tos', '--wait', '--json', ...cloud]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      lineage: 'example.com',
      stack: STACK,
      region: REGION,
      status: 'SUCCEEDED',
      version: 2,
      serialHex: '0f',
      notAfter: '2026-06-30T12:00:00.000Z',
      certificateUrl: `s3://${BUCKET}/live/example.com/fullchain.pem`,
      keySecret: 'acmeflow/cert/example.com',
      executionArn: expect.stringContaining(':execution:AcmeflowIssuance:certonly-example.com-'),
    });
  });

  it('removes the new lineage again when the execution cannot be started', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('State Machine Does Not Exist'), { name: 'StateMachineDoesNotExist' }));
    s3.on(GetObjectCommand, { Key: 'renewal/example.com.json' }).rejectsOnce(noSuchKey()).resolves(s3Object(JSON.stringify(lineage('example.com'))));
    const r = await run(['certonly', '-d', 'example.com', '--dns', 'route53', '--server', 'https://acme.test/directory', '--agree-tos', ...cloud]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('StateMachineDoesNotExist');
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input.Key)).toContain('renewal/example.com.json');
  });

  it('polls with the injected interval when called with a CloudCommandContext', async () => {
    sfn.on(DescribeExecutionCommand).resolvesOnce(described('RUNNING')).resolvesOnce(described('RUNNING')).resolves(described('SUCCEEDED', { output: '{}' }));
    s3.on(GetObjectCommand, { Key: 'renewal/example.com.json' }).rejectsOnce(noSuchKey()).resolves(s3Object(JSON.stringify(lineage('example.com'))));
    const io = captureIo();
    const slept: number[] = [];
    const made: string[] = [];
    const cmd: CloudCommandContext = {
      env: io.env,
      out: new Output(io.stdout, io.stderr, io.env),
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      cloudClients: ({ region }) => {
        made.push(region ?? '(default)');
        return { cloudFormation: new CloudFormationClient({ region }), s3: new S3Client({ region }), sfn: new SFNClient({ region }) };
      },
      poll: { initialDelayMs: 5, maxDelayMs: 7, sleep: async (ms) => void slept.push(ms) },
      now: () => new Date('2026-03-04T05:06:07Z'),
    };
    const code = await runVerb(certonly, ['-d', 'example.com', '--dns', 'route53', '--server', 'https://acme.test/directory', '--agree-tos', '--dry-run', '--stack', STACK, '--region', REGION, '--wait'], cmd);
    expect(code).toBe(0);
    expect(made).toEqual([REGION]);
    expect(slept).toEqual([5, 7]);
    expect(starts()[0]?.name).toBe('certonly-example.com-20260304T050607Z');
    expect(io.out).toContain('The dry run was successful.');
    // A dry run leaves no lineage behind.
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input.Key)).toContain('renewal/example.com.json');
  });

  describe('bad input exits 2 with nothing written and nothing started', () => {
    it.each([
      [['--eab-kid', 'kid-1', '--eab-hmac-key', 'c2VjcmV0LWhtYWMta2V5LXRoYXQtaXMtbG9uZy1lbm91Z2g'], ['--eab-kid: not in cloud mode', 'Secrets Manager secret', '--eab-secret NAME', 'ca.eabRef']],
      [['--dns-rfc2136-credentials', '/etc/letsencrypt/rfc2136.ini'], ['local credential files are not read', '"tsig"', '--dns-credentials-secret NAME', 'dns.credentialsRef']],
      [['--deploy-hook', 'systemctl reload nginx'], ['--deploy-hook: not in cloud mode', 'Certificate Deployable']],
      [['--config-dir', '/etc/acmeflow'], ['--config-dir: not in cloud mode']],
      [['--eab-secret', 'not a secret name'], ['name or ARN of a Secrets Manager secret']],
    ])('%j', async (extra, messages) => {
      const r = await run(['certonly', '-d', 'example.com', '--dns', 'rfc2136', '--dns-credentials-secret', 'acmeflow/dns/bind', '--agree-tos', ...extra, ...cloud]);
      expect(r.code).toBe(2);
      for (const m of messages) expect(r.err).toContain(m);
      expect(r.err).not.toContain('c2VjcmV0LWhtYWMta2V5');
      expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
      nothingCalled();
    });

    it('checks names offline first, as on this machine', async () => {
      const r = await run(['certonly', '-d', 'x..example.com', '--dns', 'route53', ...cloud]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('empty label');
      expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
    });

    it('a stack without the issuance output: names the stack, the region and the key', async () => {
      cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer(stackOutputs({ omit: [STACK_OUTPUTS.issuanceStateMachineArn] })));
      const r = await run(['certonly', '-d', 'example.com', '--dns', 'route53', '--agree-tos', ...cloud]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`"${STACK}" in region ${REGION}`);
      expect(r.err).toContain('has no output AcmeflowIssuanceStateMachineArn');
      nothingCalled();
      expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    });

    it('a stack that does not exist', async () => {
      cfn.on(DescribeStacksCommand).rejects(stackDoesNotExist('Nope'));
      const r = await run(['certonly', '-d', 'example.com', '--dns', 'route53', '--agree-tos', '--stack', 'Nope', '--region', 'eu-west-1']);
      expect(r.code).toBe(2);
      expect(r.err).toContain('No stack "Nope" in region eu-west-1');
      expect(r.err.trimEnd().split('\n').at(-1)).toBe('  More: acmeflow explain StackNotFoundError');
      nothingCalled();
    });

    it('credentials the SDK cannot find: what to check, not only the SDK message', async () => {
      cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError', tryNextLink: false }));
      const r = await run(['certificates', '--stack', 'Acmeflow', '--region', 'eu-west-1']);
      expect(r.code).toBe(1);
      const lines = r.err.trimEnd().split('\n');
      expect(lines[0]).toBe(
        'CloudAccessError: AWS failed the call for the stack "Acmeflow" (region eu-west-1): CredentialsProviderError: Could not load credentials from any providers. ' +
          'Check the credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID; "aws sts get-caller-identity" shows whose they are), ' +
          'the region (--region R or AWS_REGION: where the stack is deployed) and the stack name (--stack NAME: the CloudFormation stack of acmeflow).',
      );
      expect(lines.at(-1)).toBe('  More: acmeflow explain CloudAccessError');
    });

    it('access denied by AWS: the same hint, and the exit of a failed operation', async () => {
      cfn.on(DescribeStacksCommand).rejects(
        Object.assign(new Error('User is not authorized to perform: cloudformation:DescribeStacks'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
      );
      const r = await run(['renew', ...cloud]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`CloudAccessError: AWS failed the call for the stack "${STACK}" (region ${REGION}): AccessDenied: User is not authorized`);
      expect(r.err).toContain('Check the credentials');
    });

    it('cloud flags without --stack', async () => {
      const r = await run(['certonly', '-d', 'example.com', '--dns', 'route53', '--wait']);
      expect(r.code).toBe(2);
      expect(r.err).toContain('--wait goes with --stack NAME');
    });
  });
});

describe('acmeflow renew --stack', () => {
  const withLineages = (...names: string[]) => {
    for (const name of names) s3.on(GetObjectCommand, { Key: `renewal/${name}.json` }).resolves(s3Object(JSON.stringify(lineage(name))));
  };

  it('starts the sweep with the named lineages and the flags', async () => {
    withLineages('a.example.com', 'b.example.com');
    const r = await run(['renew', '--cert-name', 'a.example.com', '--cert-name', 'b.example.com', '--force-renewal', ...cloud]);
    expect(r.code).toBe(0);
    expect(starts()[0]).toMatchObject({ stateMachineArn: SWEEP_ARN, name: expect.stringMatching(/^renew-\d{8}T\d{6}Z$/) });
    expect(startedInput()).toEqual({ lineages: ['a.example.com', 'b.example.com'], force: true, dryRun: false });
    expect(r.out).toContain(`Renewal sweep started in stack ${STACK} (${REGION}): `);
    nothingWritten();
  });

  it('sweeps everything when no lineage is named', async () => {
    const r = await run(['renew', '--dry-run', ...cloud]);
    expect(r.code).toBe(0);
    expect(startedInput()).toEqual({ force: false, dryRun: true });
  });

  it('--wait: each renewed lineage with its version, each failed one with the error it recorded; exit 1', async () => {
    s3.on(GetObjectCommand, { Key: 'renewal/a.example.com.json' }).resolves(
      s3Object(JSON.stringify(lineage('a.example.com', { currentVersion: 4, current: current('a.example.com', new Date('2026-09-01T00:00:00Z')) }))),
    );
    const failures = {
      count: 2,
      lastFailureAt: new Date(Date.now() + 1000).toISOString(),
      retryNotBefore: '2026-01-02T00:00:00.000Z',
      lastError: { name: 'AcmeRateLimitedError', message: 'too many certificates already issued', problemType: 'urn:ietf:params:acme:error:rateLimited' },
    };
    s3.on(GetObjectCommand, { Key: 'renewal/b.example.com.json' }).resolves(s3Object(JSON.stringify(lineage('b.example.com', { currentVersion: 1, failures }))));
    sfn.on(DescribeExecutionCommand).resolves(described('SUCCEEDED', { output: JSON.stringify({ attempted: 2, renewed: ['a.example.com'], failed: ['b.example.com'], skipped: 3 }) }));
    const r = await run(['renew', '--wait', ...cloud]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Renewed a.example.com: version 4, expires 2026-09-01.');
    expect(r.out).toContain('3 certificate(s) not due for renewal yet (skipped)');
    expect(r.err).toContain('Certificate for b.example.com failed: AcmeRateLimitedError.');
    expect(r.err).toContain('too many certificates already issued');
    expect(r.err).toContain('More: acmeflow explain rateLimited');
    expect(r.err).toContain('1 renewal(s) failed: b.example.com');
  });

  it("--wait: prints the CA's explanation of a renewal it asked for early (ARI explanationURL, from the sweep's plan)", async () => {
    const renewed = lineage('a.example.com', { currentVersion: 2, current: current('a.example.com', new Date('2026-09-01T00:00:00Z')) });
    // The sweep's plan, at the key of the execution the command named (its name holds the time).
    const plan = [{ lineage: 'a.example.com', expectedVersion: 1, force: false, dryRun: false, ariExplanationURL: 'https://ca.example/incident' }];
    s3.on(GetObjectCommand).callsFake((input: { Key?: string }) => {
      if (input.Key === 'renewal/a.example.com.json') return s3Object(JSON.stringify(renewed));
      if (input.Key === `sweeps/${starts()[0]?.name}/plan.json`) return s3Object(JSON.stringify(plan));
      throw noSuchKey();
    });
    sfn.on(DescribeExecutionCommand).resolves(described('SUCCEEDED', { output: JSON.stringify({ attempted: 1, renewed: ['a.example.com'], failed: [], skipped: 0 }) }));
    const r = await run(['renew', '--wait', ...cloud]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Renewed a.example.com: version 2, expires 2026-09-01.');
    expect(r.out).toContain('The CA asked for this renewal early; its explanation: https://ca.example/incident');
  });

  it('--wait: a sweep that itself failed exits 1 with its error', async () => {
    sfn.on(DescribeExecutionCommand).resolves(described('FAILED', { error: 'SweepResultsMissingError', cause: lambdaCause('SweepResultsMissingError', 'The map wrote no results for 2 due lineages.') }));
    sfn.on(GetExecutionHistoryCommand).rejects(Object.assign(new Error('not authorized to perform: states:GetExecutionHistory'), { name: 'AccessDeniedException' }));
    const r = await run(['renew', '--wait', ...cloud]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('failed: SweepResultsMissingError');
    expect(r.err).toContain('The map wrote no results for 2 due lineages.');
  });

  it('exits 2 for an unknown --cert-name and for local-only flags, starting nothing', async () => {
    withLineages('a.example.com');
    const unknown = await run(['renew', '--cert-name', 'a.example.com', '--cert-name', 'nope.example.com', ...cloud]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--cert-name nope.example.com: no such certificate');
    const hook = await run(['renew', '--post-hook', 'systemctl reload nginx', ...cloud]);
    expect(hook.code).toBe(2);
    expect(hook.err).toContain('EventBridge');
    expect((await run(['renew', ...cloud])).code).toBe(0);
    cfn.on(DescribeStacksCommand).resolves(describeStacksAnswer(stackOutputs({ omit: [STACK_OUTPUTS.sweepStateMachineArn] })));
    const noSweep = await run(['renew', ...cloud]);
    expect(noSweep.code).toBe(2);
    expect(noSweep.err).toContain('has no output AcmeflowSweepStateMachineArn');
    expect(starts()).toHaveLength(1); // only the run before the stack lost its output
  });
});

describe('acmeflow revoke --stack', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'acmeflow-cloud-revoke-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('--cert-name --wait: starts the revocation and prints certbot\u2019s confirmation', async () => {
    s3.on(GetObjectCommand, { Key: 'renewal/example.com.json' }).resolves(s3Object(JSON.stringify(lineage('example.com', { currentVersion: 2, current: current('example.com', new Date(Date.now() + 30 * DAY)) }))));
    sfn.on(DescribeExecutionCommand).resolves(described('SUCCEEDED', { output: JSON.stringify({ lineage: 'example.com', serialHex: '0a1b2c', reason: 'keyCompromise' }) }));
    const r = await run(['revoke', '--cert-name', 'example.com', '--reason', 'keyCompromise', '--wait', ...cloud]);
    expect(r.code).toBe(0);
    expect(starts()[0]).toMatchObject({ stateMachineArn: REVOCATION_ARN, name: expect.stringMatching(/^revoke-example\.com-\d{8}T\d{6}Z$/) });
    expect(startedInput()).toEqual({ lineage: 'example.com', reason: 'keyCompromise' });
    expect(r.out).toContain(`Congratulations! You have successfully revoked the certificate that was located at s3://${BUCKET}/live/example.com/cert.pem (serial 0a1b2c, reason keyCompromise).`);
  });

  it('--cert-path: reads the file here, sends it as certificatePem, and finds the lineage by its certbot path', async () => {
    const leaf = await makeSelfSignedCertificate({ domains: ['example.com'] });
    const dir = join(work, 'etc', 'letsencrypt', 'live', 'example.com');
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'cert.pem');
    await writeFile(path, leaf.certPem);
    s3.on(GetObjectCommand, { Key: 'renewal/example.com.json' }).resolves(s3Object(JSON.stringify(lineage('example.com', { currentVersion: 1 }))));
    const r = await run(['revoke', '--cert-path', path, ...cloud]);
    expect(r.code).toBe(0);
    expect(startedInput()).toEqual({ lineage: 'example.com', reason: 'unspecified', certificatePem: leaf.certPem });
    expect(JSON.stringify(startedInput())).not.toContain('PRIVATE KEY');
  });

  it('--cert-path elsewhere: finds the lineage by serial among the bucket\u2019s lineages', async () => {
    const leaf = await makeSelfSignedCertificate({ domains: ['b.example.com'], serialHex: '7a3f01' });
    const path = join(work, 'b.pem');
    await writeFile(path, leaf.certPem);
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'renewal/a.example.com.json' }, { Key: 'renewal/b.example.com.json' }], IsTruncated: false });
    s3.on(GetObjectCommand, { Key: 'renewal/a.example.com.json' }).resolves(s3Object(JSON.stringify(lineage('a.example.com', { currentVersion: 1, current: current('a.example.com', new Date(), '01') }))));
    s3.on(GetObjectCommand, { Key: 'renewal/b.example.com.json' }).resolves(s3Object(JSON.stringify(lineage('b.example.com', { currentVersion: 1, current: current('b.example.com', new Date(), '7a3f01') }))));
    const r = await run(['revoke', '--cert-path', path, ...cloud]);
    expect(r.code).toBe(0);
    expect(startedInput()).toMatchObject({ lineage: 'b.example.com' });
  });

  it('--wait: a refused revocation exits 1 with the CA\u2019s problem from the execution\u2019s cause', async () => {
    s3.on(GetObjectCommand, { Key: 'renewal/example.com.json' }).resolves(s3Object(JSON.stringify(lineage('example.com', { currentVersion: 1, current: current('example.com', new Date()) }))));
    sfn.on(DescribeExecutionCommand).resolves(
      described('FAILED', { error: 'AcmeProblemError', cause: lambdaCause('AcmeProblemError', 'Certificate already revoked', { type: 'urn:ietf:params:acme:error:alreadyRevoked', detail: 'Certificate already revoked', status: 400 }) }),
    );
    const r = await run(['revoke', '--cert-name', 'example.com', '--wait', ...cloud]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('failed: AcmeProblemError.');
    expect(r.err).toContain('alreadyRevoked (HTTP 400)');
    expect(sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(0);
  });

  it('exits 2 without a certificate to name, for an unknown lineage, and for one never issued', async () => {
    expect((await run(['revoke', ...cloud])).code).toBe(2);
    const unknown = await run(['revoke', '--cert-name', 'nope.example.com', ...cloud]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('no such certificate');
    s3.on(GetObjectCommand, { Key: 'renewal/new.example.com.json' }).resolves(s3Object(JSON.stringify(lineage('new.example.com'))));
    const fresh = await run(['revoke', '--cert-name', 'new.example.com', ...cloud]);
    expect(fresh.code).toBe(2);
    expect(fresh.err).toContain('nothing to revoke');
    expect(starts()).toHaveLength(0);
  });
});

describe('acmeflow certificates --stack', () => {
  it('lists every page of the bucket, in the local format with S3 and Secrets Manager locations', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: [{ Key: 'renewal/a.example.com.json' }], IsTruncated: true, NextContinuationToken: 'next' })
      .resolves({ Contents: [{ Key: 'renewal/b.example.com.json' }], IsTruncated: false });
    s3.on(GetObjectCommand, { Key: 'renewal/a.example.com.json' }).resolves(s3Object(JSON.stringify(lineage('a.example.com', { currentVersion: 1, current: current('a.example.com', new Date(Date.now() + 45 * DAY)) }))));
    s3.on(GetObjectCommand, { Key: 'renewal/b.example.com.json' }).resolves(s3Object(JSON.stringify(lineage('b.example.com'))));
    const r = await run(['certificates', ...cloud]);
    expect(r.code).toBe(0);
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({ Bucket: BUCKET, Prefix: 'renewal/' }),
      expect.objectContaining({ Bucket: BUCKET, Prefix: 'renewal/', ContinuationToken: 'next' }),
    ]);
    expect(r.out).toContain('Found the following certs:');
    expect(r.out).toContain('  Certificate Name: a.example.com');
    expect(r.out).toMatch(/Expiry Date: .* \(VALID: 4[45] days\)/);
    expect(r.out).toContain(`    Certificate Path: s3://${BUCKET}/live/a.example.com/fullchain.pem`);
    expect(r.out).toContain('    Private Key Path: secretsmanager:acmeflow/cert/a.example.com');
    expect(r.out).toContain('  Certificate Name: b.example.com');
    expect(r.out).toContain('    Expiry Date: - (NOT ISSUED)');
    nothingCalled();
  });
});

function nothingWritten(): void {
  expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
}
