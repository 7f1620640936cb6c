/**
 * The same workflow steps on the AWS adapters: S3 (s3rver), Secrets Manager, EventBridge and ACM
 * (wire-level fakes through the real SDK clients), with Pebble and BIND. What AWS would hold after
 * an issuance and a renewal is checked object by object, and no key material is anywhere but
 * Secrets Manager and ACM's import call.
 */
import 'reflect-metadata';
import { ACMClient } from '@aws-sdk/client-acm';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLineageSpec } from '../../../shared/config/index.js';
import { EventBridgePublisher } from '../../../shared/events/eventbridge/index.js';
import { AcmImportTarget } from '../../../shared/store/acm/index.js';
import { S3CertificateStore, S3LineageLock } from '../../../shared/store/s3/index.js';
import { SecretsManagerKeyStore } from '../../../shared/store/secrets-manager/index.js';
import { startAcmFake, type AcmFake } from '../../../harness/acm-fake.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startEventBridgeFake, type EventBridgeFake } from '../../../harness/eventbridge-fake.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { runIssuance } from '../../support/run-issuance.js';
import { startS3rver, type S3rverHandle } from '../../../harness/s3rver.js';
import { startSecretsManagerFake, type SecretsManagerFake } from '../../../harness/secrets-manager-fake.js';
import { makeTestWorkflow, type TestWorkflow } from '../../../harness/workflow-deps.js';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };
let bind: BindHandle;
let pebble: PebbleHandle;
let s3: S3rverHandle;
let sm: SecretsManagerFake;
let eb: EventBridgeFake;
let acm: AcmFake;
let wf: TestWorkflow;

beforeAll(async () => {
  bind = await startBind({ zones: ['example.test'] });
  [pebble, s3, sm, eb, acm] = await Promise.all([
    startPebble({ dnsServer: bind.server }),
    startS3rver(),
    startSecretsManagerFake(),
    startEventBridgeFake(),
    startAcmFake(),
  ]);
  const base = await makeTestWorkflow({ configDir: await mkdtemp(join(tmpdir(), 'acmeflow-aws-')), pebble, bind });
  const store = new S3CertificateStore({ bucket: s3.bucket, client: s3.client });
  wf = {
    ...base,
    deps: {
      ...base.deps,
      store,
      lock: new S3LineageLock({ bucket: s3.bucket, client: s3.client }),
      keys: new SecretsManagerKeyStore({ client: new SecretsManagerClient({ endpoint: sm.endpoint, region: sm.region, credentials }) }),
      events: new EventBridgePublisher({}, { client: new EventBridgeClient({ endpoint: eb.endpoint, region: 'us-east-1', credentials }) }),
      targets: [new AcmImportTarget({ client: new ACMClient({ endpoint: acm.endpoint, region: acm.region, credentials }) })],
      locate: (lineage) => ({ location: `s3://${s3.bucket}/live/${lineage}/`, keyLocation: `acmeflow/cert/${lineage}` }),
    },
  };
  const spec = resolveLineageSpec({
    name: 'aws',
    domains: ['aws.example.test', '*.aws.example.test'],
    keyType: 'rsa-2048',
    ca: { directoryUrl: pebble.directoryUrl, eabRef: 'pebble', termsOfServiceAgreed: true },
    dns: { provider: 'rfc2136', credentialsRef: base.credentialsFile, resolvers: [bind.server] },
  });
  await store.putLineage({ spec, state: { currentVersion: 0 } }, { expectedEtag: null });
});
afterAll(async () => {
  await Promise.all([pebble?.stop(), s3?.stop(), sm?.stop(), eb?.stop(), acm?.stop()]);
  await bind?.stop();
});

async function allObjects(): Promise<Record<string, string>> {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
  const out: Record<string, string> = {};
  for (const o of listed.Contents ?? []) {
    const got = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: o.Key }));
    out[o.Key as string] = await got.Body!.transformToString();
  }
  return out;
}

describe('issuance on the AWS adapters', () => {
  it('issues, renews under the same ACM ARN, and keeps keys out of S3 and events', async () => {
    const first = await runIssuance({ lineage: 'aws', owner: 'exec-1' }, wf.deps);
    expect(first.failed).toBeUndefined();
    const second = await runIssuance({ lineage: 'aws', owner: 'exec-2', force: true }, wf.deps);
    expect(second.failed).toBeUndefined();
    expect(second.state.result?.version).toBe(2);

    const objects = await allObjects();
    expect(Object.keys(objects).sort()).toEqual(
      expect.arrayContaining([
        'renewal/aws.json',
        'archive/aws/1/cert.pem',
        'archive/aws/1/meta.json',
        'archive/aws/2/fullchain.pem',
        'live/aws/cert.pem',
        'live/aws/fullchain.pem',
      ]),
    );
    expect(Object.keys(objects).some((k) => k.startsWith('locks/'))).toBe(false);
    for (const [key, body] of Object.entries(objects)) expect(body, key).not.toMatch(/PRIVATE KEY/);
    const lineage = JSON.parse(objects['renewal/aws.json'] as string) as { state: { currentVersion: number; deployments: { acm: { certificateArn: string } } } };
    expect(lineage.state.currentVersion).toBe(2);

    // Secrets Manager: current = version 2, previous = version 1, no pending left.
    const stages = Object.values(sm.stages('acmeflow/cert/aws')).flat();
    expect(stages).toEqual(expect.arrayContaining(['AWSCURRENT', 'AWSPREVIOUS']));
    expect(stages).not.toContain('AWSPENDING');

    // ACM: one certificate, re-imported under the same ARN.
    expect(acm.certificates()).toHaveLength(1);
    expect(lineage.state.deployments.acm.certificateArn).toBe(acm.certificates()[0]?.arn);
    expect(acm.calls.filter((c) => c.action === 'ImportCertificate')).toHaveLength(2);

    // EventBridge: issued and deployable twice, no key material in any event.
    expect(eb.events.map((e) => e.detailType)).toEqual(['Certificate Issued', 'Certificate Deployable', 'Certificate Issued', 'Certificate Deployable']);
    expect(eb.events.every((e) => e.source === 'acmeflow')).toBe(true);
    expect(JSON.stringify(eb.events)).not.toMatch(/PRIVATE KEY/);
  });
});
