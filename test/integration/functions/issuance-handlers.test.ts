/**
 * The Lambda handlers end to end on their AWS composition root: awsDepsFromEnv pointed at s3rver
 * and the Secrets Manager, EventBridge and ACM fakes, Pebble (EAB required) validating against
 * BIND 9 (rfc2136 with the TSIG key read from a secret). The Tasks run in the state machine's
 * order with its Catch path and JSON between steps (support/run-handlers.ts); the sweep runs
 * PlanRenewals, one issuance per plan item, a hand-written ResultWriter output, and CompleteSweep.
 * No key, TSIG secret or EAB HMAC key may appear in S3, events, logs or the execution history.
 */
import 'reflect-metadata';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveLineageSpec } from '../../../shared/config/index.js';
import { parseCertificate } from '../../../shared/crypto/index.js';
import { awsDepsFromEnv } from '../../../functions/runtime/aws-deps.js';
import { createLogger } from '../../../functions/runtime/logger.js';
import type { WorkflowDeps } from '../../../shared/workflow/index.js';
import { startAcmFake, type AcmFake } from '../../../harness/acm-fake.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startEventBridgeFake, type EventBridgeFake } from '../../../harness/eventbridge-fake.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { startS3rver, type S3rverHandle } from '../../../harness/s3rver.js';
import { startSecretsManagerFake, type SecretsManagerFake } from '../../../harness/secrets-manager-fake.js';
import { FAKE_CREDENTIALS, fakeClientConfig } from './support/fake-aws.js';
import { loadHandlers, makeRunner, type Handlers } from './support/run-handlers.js';

let bind: BindHandle;
let pebble: PebbleHandle;
let s3: S3rverHandle;
let sm: SecretsManagerFake;
let eb: EventBridgeFake;
let acm: AcmFake;
let handlers: Handlers;
let deps: WorkflowDeps;
let builds = 0;
const logLines: string[] = [];
const histories: string[] = [];

const EAB_SECRET = 'acmeflow-it/eab/pebble';
const DNS_SECRET = 'acmeflow-it/dns/bind';

beforeAll(async () => {
  bind = await startBind({ zones: ['example.test'] });
  [pebble, s3, sm, eb, acm] = await Promise.all([
    startPebble({ dnsServer: bind.server, domainBlocklist: ['blocked.example.test'] }),
    startS3rver(),
    startSecretsManagerFake(),
    startEventBridgeFake(),
    startAcmFake(),
  ]);
  const admin = new SecretsManagerClient({ endpoint: sm.endpoint, region: sm.region, credentials: FAKE_CREDENTIALS });
  await admin.send(new CreateSecretCommand({ Name: EAB_SECRET, SecretString: JSON.stringify({ kid: pebble.eab.kid, hmacKey: pebble.eab.hmacKey }) }));
  await admin.send(new CreateSecretCommand({ Name: DNS_SECRET, SecretString: JSON.stringify({ tsig: bind.tsig }) }));
  admin.destroy();

  const env = { ACMEFLOW_BUCKET: s3.bucket, AWS_REGION: sm.region, ACMEFLOW_SECRET_PREFIX: 'acmeflow-it/', ACMEFLOW_EVENT_BUS: 'acmeflow', ACMEFLOW_ACM_IMPORT: 'true' };
  const sink = {
    info: (message: string, ...extra: Record<string, unknown>[]) => logLines.push(JSON.stringify({ level: 'info', message, extra })),
    warn: (message: string, ...extra: Record<string, unknown>[]) => logLines.push(JSON.stringify({ level: 'warn', message, extra })),
    error: (message: string, ...extra: Record<string, unknown>[]) => logLines.push(JSON.stringify({ level: 'error', message, extra })),
  };
  // The factory form, as the Lambda's `handler` uses it: built on the first invocation.
  const factory = async () => {
    builds++;
    return awsDepsFromEnv(env, { clientConfig: fakeClientConfig({ s3, sm, eb, acmEndpoint: acm.endpoint }), fetch: pebble.fetch, log: createLogger({ sink }) });
  };
  deps = await awsDepsFromEnv(env, { clientConfig: fakeClientConfig({ s3, sm, eb, acmEndpoint: acm.endpoint }), fetch: pebble.fetch, log: createLogger({ sink }) });
  handlers = await loadHandlers(factory);
});
afterAll(async () => {
  await Promise.all([pebble?.stop(), s3?.stop(), sm?.stop(), eb?.stop(), acm?.stop()]);
  await bind?.stop();
});

async function createLineage(name: string, domains: string[] = [`${name}.example.test`, `*.${name}.example.test`]): Promise<void> {
  const spec = resolveLineageSpec({
    name,
    domains,
    keyType: 'ecdsa-p256',
    ca: { directoryUrl: pebble.directoryUrl, eabRef: EAB_SECRET, termsOfServiceAgreed: true },
    dns: { provider: 'rfc2136', config: { server: bind.host, port: bind.port }, credentialsRef: DNS_SECRET, resolvers: [bind.server] },
    deployDelay: 2,
  });
  await deps.store.putLineage({ spec, state: { currentVersion: 0 } }, { expectedEtag: null });
}

async function run(input: Record<string, unknown>, executionName: string) {
  const result = await makeRunner(handlers).issuance(input, executionName);
  histories.push(...result.history);
  return result;
}

async function objects(prefix = ''): Promise<Record<string, string>> {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  const out: Record<string, string> = {};
  for (const o of listed.Contents ?? []) {
    const got = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: o.Key }));
    out[o.Key as string] = (await got.Body?.transformToString()) ?? '';
  }
  return out;
}

const eventsOf = (detailType: string, lineage?: string) =>
  eb.events.filter((e) => e.detailType === detailType && (lineage === undefined || (e.detail as { lineage?: string }).lineage === lineage)).map((e) => e.detail as Record<string, unknown>);

describe('issuance through the handlers', () => {
  it('issues and renews: S3 layout, keys in S3 (the default), account key in Secrets Manager, ACM re-import, events on the bus', async () => {
    await createLineage('hx');
    const first = await run({ lineage: 'hx' }, 'exec-hx-1');
    expect(first.status, JSON.stringify(first.output)).toBe('SUCCEEDED');
    // Each handler is its own Lambda (container): one build per handler, on its first invocation.
    const buildsAfterFirst = builds;
    expect(buildsAfterFirst).toBe(new Set(first.trace).size);
    expect(first.trace).toEqual(expect.arrayContaining(['PrepareOrder', 'PublishRecords', 'CheckPropagation', 'RespondChallenges', 'PollAuthorizations', 'FinalizeOrder', 'StoreCertificate', 'CleanupRecords', 'EmitIssued', 'EmitDeployable']));
    expect(first.output).toMatchObject({ lineage: 'hx', result: { version: 1, location: `s3://${s3.bucket}/live/hx/`, keyLocation: `s3://${s3.bucket}/keys/hx/` }, cleanupErrors: [], deployDelaySeconds: 2 });
    const second = await run({ lineage: 'hx', force: true }, 'exec-hx-2');
    expect(second.status).toBe('SUCCEEDED');
    expect(second.output).toMatchObject({ renewal: true, result: { version: 2 } });
    expect(builds).toBe(buildsAfterFirst);

    const stored = await objects('live/hx/');
    expect(parseCertificate(stored['live/hx/cert.pem'] as string).serialHex).toBe((second.output['result'] as { serialHex: string }).serialHex);
    expect(Object.keys(await objects('locks/'))).toEqual([]);
    expect(await bind.queryTxt('_acme-challenge.hx.example.test')).toEqual([]);
    // One write-once key per version, no pending key left, and no secret: the key store is S3.
    expect(Object.keys(await objects('keys/hx/')).sort()).toEqual(['keys/hx/1/privkey.pem', 'keys/hx/2/privkey.pem']);
    expect(sm.secret('acmeflow-it/cert/hx')).toBeUndefined();
    expect(sm.secret('acmeflow-it/account/' + new URL(pebble.directoryUrl).host.replace(/[^A-Za-z0-9.]+/g, '-') + '-dir')).toBeDefined();
    expect(acm.certificates()).toHaveLength(1);
    expect(eventsOf('Certificate Issued', 'hx')).toHaveLength(2);
    expect(eventsOf('Certificate Deployable', 'hx')).toHaveLength(2);
    expect(eb.events.every((e) => e.eventBusName === 'acmeflow' && e.source === 'acmeflow')).toBe(true);
  });

  it('a failure at PublishRecords goes through cleanup, keeps error and failedStep, and is reported by name and message', async () => {
    // BIND is not authoritative for unhosted.test: the DNS update cannot be made.
    await createLineage('hx-unhosted', ['hx.unhosted.test']);
    const result = await run({ lineage: 'hx-unhosted' }, 'exec-unhosted-1');
    expect(result.status).toBe('FAILED');
    expect(result.trace).toEqual(['PrepareOrder', 'PublishRecords', 'CleanupAfterFailure', 'RecordFailure']);
    expect(result.output).toMatchObject({ failedStep: 'PublishRecords', error: { Error: 'Rfc2136ZoneError' }, cleanup: { cleanupErrors: expect.any(Array) } });
    const [failed] = eventsOf('Certificate Issuance Failed', 'hx-unhosted');
    // The message came through toStepError's JSON and Lambda's Cause, and reads as plain text again.
    expect(failed).toMatchObject({ step: 'PublishRecords', error: { name: 'Rfc2136ZoneError', message: expect.stringContaining('serves no zone that holds _acme-challenge.hx.unhosted.test') }, failureCount: 1 });
    expect(Object.keys(await objects('locks/'))).toEqual([]);
    expect((await deps.store.getLineage('hx-unhosted'))?.lineage.state.failures?.count).toBe(1);
  });

  it('a CA refusal at PrepareOrder reaches the failed event with the ACME problem and its explanation', async () => {
    await createLineage('hx-blocked', ['blocked.example.test']);
    const result = await run({ lineage: 'hx-blocked' }, 'exec-blocked-1');
    expect(result.status).toBe('FAILED');
    expect(result.trace).toEqual(['PrepareOrder', 'RecordFailure']);
    const [failed] = eventsOf('Certificate Issuance Failed', 'hx-blocked');
    expect(failed).toMatchObject({ step: 'PrepareOrder', problem: { type: 'urn:ietf:params:acme:error:rejectedIdentifier' } });
    expect((failed?.['explanation'] as { en: string; ja: string } | undefined)?.ja).toEqual(expect.any(String));
  });

  it('sweeps: PlanRenewals writes the plan, one issuance per item, CompleteSweep reads the ResultWriter output', async () => {
    await createLineage('hx-sweep-ok');
    await createLineage('hx-sweep-bad', ['hx-sweep.unhosted.test']);
    const runner = makeRunner(handlers);
    const planned = await runner.task('PlanRenewals', 'plan-renewals', { input: { lineages: ['hx-sweep-bad', 'hx-sweep-ok', 'hx'] }, sweepId: 'sweep-exec-1' });
    expect(planned).toEqual({ planKey: 'sweeps/sweep-exec-1/plan.json', due: 2, skipped: 1, dryRun: false, force: false });
    const plan = JSON.parse((await objects('sweeps/sweep-exec-1/'))['sweeps/sweep-exec-1/plan.json'] as string) as Record<string, unknown>[];
    expect(plan.map((i) => i['lineage'])).toEqual(['hx-sweep-bad', 'hx-sweep-ok']);

    // The map's item processor: start the issuance; its failure is caught into { lineage, failed: true }.
    const children = [];
    for (const [i, item] of plan.entries()) {
      const result = await run(item, `sweep-exec-1-item-${i}`);
      children.push({
        ExecutionArn: `arn:aws:states:us-east-1:123456789012:execution:acmeflow-sweep/RenewDue:item-${i}`,
        Input: JSON.stringify(item),
        InputDetails: { Included: true },
        Name: `item-${i}`,
        Output: JSON.stringify({ lineage: item['lineage'], failed: result.status !== 'SUCCEEDED' }),
        OutputDetails: { Included: true },
        Status: 'SUCCEEDED',
        StartDate: new Date().toISOString(),
        StopDate: new Date().toISOString(),
      });
    }
    const prefix = 'sweeps/sweep-exec-1/results/map-run-1';
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/SUCCEEDED_0.json`, Body: JSON.stringify(children) }));
    const manifest = { DestinationBucket: s3.bucket, MapRunArn: 'arn:aws:states:us-east-1:123456789012:mapRun:acmeflow-sweep/RenewDue:map-run-1', ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: `${prefix}/SUCCEEDED_0.json`, Size: 1 }] } };
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/manifest.json`, Body: JSON.stringify(manifest) }));

    const summary = await runner.task('CompleteSweep', 'complete-sweep', {
      ...planned,
      results: { MapRunArn: manifest.MapRunArn, ResultWriterDetails: { Bucket: s3.bucket, Key: `${prefix}/manifest.json` } },
    });
    expect(summary).toEqual({ attempted: 2, renewed: ['hx-sweep-ok'], failed: ['hx-sweep-bad'], skipped: 1 });
    expect(eventsOf('Renewal Sweep Completed')).toEqual([{ attempted: 2, renewed: ['hx-sweep-ok'], failed: ['hx-sweep-bad'], skipped: 1, dryRun: false }]);
  });

  it('revokes the live certificate through the RevokeCertificate handler', async () => {
    const live = await deps.store.getLive('hx');
    const serialHex = parseCertificate(live?.certPem as string).serialHex;
    const out = await makeRunner(handlers).task('RevokeCertificate', 'revoke-certificate', { lineage: 'hx', reason: 'superseded' });
    expect(out).toEqual({ lineage: 'hx', serialHex, reason: 'superseded' });
    expect((await pebble.certStatusBySerial(serialHex)).status).toBe('Revoked');
    expect(eventsOf('Certificate Revoked', 'hx')).toEqual([expect.objectContaining({ serialHex, reason: 'superseded' })]);
    expect((await deps.store.getLineage('hx'))?.lineage.state.revoked?.serialHex).toBe(serialHex);
  });

  it('kept every secret out of S3, events, logs and the execution history', async () => {
    const all = await objects();
    const keyObjects = Object.keys(all).filter((key) => key.startsWith('keys/'));
    // The key store's objects hold keys (the scan below would find one anywhere else) and nothing else secret.
    expect(keyObjects.length).toBeGreaterThan(0);
    for (const key of keyObjects) expect(all[key]).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const places = {
      s3: JSON.stringify(Object.fromEntries(Object.entries(all).filter(([key]) => !key.startsWith('keys/')))),
      keyStore: '',
      events: JSON.stringify(eb.events),
      logs: logLines.join('\n'),
      history: histories.join('\n'),
    };
    expect(places.history.length).toBeGreaterThan(1000);
    expect(places.logs).toContain('Successfully received certificate.');
    places.keyStore = keyObjects.map((key) => all[key]).join('\n');
    for (const [where, text] of Object.entries(places)) {
      if (where !== 'keyStore') expect(text, where).not.toMatch(/PRIVATE KEY/);
      expect(text, where).not.toContain(bind.tsig.secret);
      expect(text, where).not.toContain(pebble.eab.hmacKey);
    }
  });
});
