/**
 * The state machine definitions end to end, as AWS runs them: the definitions the engine loads
 * (the committed synthesized JSON once it exists, else the infra builders) run by
 * aws-local-stepfunctions, **every Lambda Task bound to its real handler module** —
 * `makeHandler(() => awsDepsFromEnv(env, { clientConfig }))` — against Pebble (EAB) validating on
 * BIND 9 (rfc2136, TSIG key in a secret), s3rver for S3, and the Secrets Manager and EventBridge
 * fakes. Only the sweep's Distributed Map is stood in for (the runner cannot run it): its stand-in
 * reads the plan object the ItemReader would read from S3 and runs the issuance definition per item.
 *
 * Covers a new certificate, a renewal through the sweep, a forced renewal, failures (a name the
 * CA rejects; a validation failure after records were published) with their cleanup and failed
 * events, a revocation, a Task left unbound, and that no execution state, event or log line holds
 * key material.
 */
import 'reflect-metadata';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadDefinitions,
  LocalStateMachines,
  prepareDefinitions,
  readSimplePath,
  stepHandlersFor,
  UnboundTaskError,
  type ExecutionLogEntry,
  type PreparedDefinitions,
  type StepHandlers,
} from '../../../engine/index.js';
import { awsDepsFromEnv, type AwsClientConfigs } from '../../../functions/runtime/aws-deps.js';
import { SWEEP_MAP_STATE } from '../../../shared/workflow/machines/index.js';
import { resolveLineageSpec, type LineageSpecInput } from '../../../shared/config/index.js';
import { parseCertificate } from '../../../shared/crypto/index.js';
import { S3CertificateStore } from '../../../shared/store/s3/index.js';
import type { Logger } from '../../../shared/workflow/index.js';
import type { SweepItem } from '../../../shared/store/index.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startEventBridgeFake, type EventBridgeFake } from '../../../harness/eventbridge-fake.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { startS3rver, type S3rverHandle } from '../../../harness/s3rver.js';
import { startSecretsManagerFake, type SecretsManagerFake } from '../../../harness/secrets-manager-fake.js';
import type { LogLine } from '../../../harness/workflow-deps.js';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };
const EAB_SECRET = 'acmeflow/eab/pebble';
const DNS_SECRET = 'acmeflow/dns/bind';

let bind: BindHandle;
let pebble: PebbleHandle;
let s3: S3rverHandle;
let sm: SecretsManagerFake;
let eb: EventBridgeFake;
let store: S3CertificateStore;
let definitions: PreparedDefinitions;
let steps: StepHandlers;
let planKeyPath: string;
const executionLog: ExecutionLogEntry[] = [];
const logs: LogLine[] = [];
const log: Logger = {
  info: (message, fields) => logs.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
  warn: (message, fields) => logs.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
  error: (message, fields) => logs.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
};
let executions = 0;
const executionName = (what: string) => `e2e-${what}-${++executions}`;

async function readObject(key: string): Promise<string> {
  const got = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return (await got.Body?.transformToString('utf-8')) ?? '';
}

/** The runner with the given step handlers; the RenewDue stand-in reads the plan where the ItemReader would. */
function machinesWith(handlers: StepHandlers): LocalStateMachines {
  return new LocalStateMachines({
    definitions,
    steps: handlers,
    readPlan: async (state) => {
      const key = readSimplePath(state, planKeyPath);
      if (typeof key !== 'string') throw new Error(`the sweep state has no plan key at ${planKeyPath}`);
      return JSON.parse(await readObject(key)) as SweepItem[];
    },
    waitScale: 0.01,
    onEvent: (entry) => executionLog.push(entry),
  });
}

async function createLineage(name: string, overrides: Partial<LineageSpecInput> = {}): Promise<void> {
  const spec = resolveLineageSpec({
    name,
    domains: [`${name}.example.test`, `*.${name}.example.test`],
    keyType: 'ecdsa-p256',
    ca: { directoryUrl: pebble.directoryUrl, eabRef: EAB_SECRET, termsOfServiceAgreed: true },
    dns: { provider: 'rfc2136', config: { server: bind.host, port: bind.port }, credentialsRef: DNS_SECRET, resolvers: [bind.server] },
    ...overrides,
  });
  await store.putLineage({ spec, state: { currentVersion: 0 } }, { expectedEtag: null });
}

const eventsOf = (detailType: string, lineage?: string) =>
  eb.events.filter((e) => e.detailType === detailType && (lineage === undefined || (e.detail as { lineage?: string }).lineage === lineage));

beforeAll(async () => {
  bind = await startBind({ zones: ['example.test'] });
  [pebble, s3, sm, eb] = await Promise.all([
    startPebble({ dnsServer: bind.server, domainBlocklist: ['blocked.example.test'] }),
    startS3rver(),
    startSecretsManagerFake(),
    startEventBridgeFake(),
  ]);
  // What the operator stores before deploying: the CA's EAB credentials and the DNS TSIG key.
  const secrets = new SecretsManagerClient({ endpoint: sm.endpoint, region: sm.region, credentials });
  await secrets.send(new CreateSecretCommand({ Name: EAB_SECRET, SecretString: JSON.stringify({ kid: pebble.eab.kid, hmacKey: pebble.eab.hmacKey }) }));
  await secrets.send(new CreateSecretCommand({ Name: DNS_SECRET, SecretString: JSON.stringify({ tsig: bind.tsig }) }));
  secrets.destroy();

  const clientConfig: AwsClientConfigs = {
    s3: {
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    },
    secretsManager: { endpoint: sm.endpoint, credentials },
    eventBridge: { endpoint: eb.endpoint, credentials },
  };
  const env = { ACMEFLOW_BUCKET: s3.bucket, AWS_REGION: sm.region };
  // Every handler module's makeHandler, with the deps its Lambda builds from its environment.
  // The CA is reached as the functions reach it: the ACME layer's own transport (node:https), trusting Pebble.
  steps = stepHandlersFor(() => awsDepsFromEnv(env, { clientConfig, transport: pebble.transport, log }));
  const raw = await loadDefinitions();
  const itemReader = raw.sweep.States[SWEEP_MAP_STATE]?.ItemReader as { Parameters: Record<string, string> };
  planKeyPath = itemReader.Parameters['Key.$'] as string;
  definitions = prepareDefinitions(raw);
  store = new S3CertificateStore({ bucket: s3.bucket, client: s3.client });
});
afterAll(async () => {
  await Promise.all([pebble?.stop(), s3?.stop(), sm?.stop(), eb?.stop()]);
  await bind?.stop();
});

describe('the state machines on the AWS handlers', () => {
  it('binds every Task of the three definitions to a handler module', () => {
    const machines = machinesWith(steps);
    expect(() => machines.checkBound('issuance')).not.toThrow();
    expect(() => machines.checkBound('sweep')).not.toThrow();
    expect(() => machines.checkBound('revocation')).not.toThrow();
  });

  it('a Task left unbound fails the run before any step runs', async () => {
    await createLineage('unbound');
    const { EmitDeployable: _left, ...partial } = steps;
    const machines = machinesWith(partial);
    const requests = eb.calls.length;
    await expect(machines.runIssuance({ lineage: 'unbound' }, executionName('unbound'))).rejects.toThrow(UnboundTaskError);
    await expect(machines.runIssuance({ lineage: 'unbound' }, executionName('unbound'))).rejects.toMatchObject({ states: ['EmitDeployable'] });
    expect((await store.getLineage('unbound'))?.lineage.state).toEqual({ currentVersion: 0 });
    expect(eb.calls.length).toBe(requests);
  });

  it('issues a new certificate: S3 (its key too), Secrets Manager (the account key) and EventBridge as AWS would hold them', async () => {
    await createLineage('fresh', { deployDelay: 5 });
    const name = executionName('fresh');
    const machines = machinesWith(steps);
    const run = await machines.runIssuance({ lineage: 'fresh' }, name);
    expect(run.result.status).toBe('succeeded');
    // The deploy delay is a follow-up execution of the issuance machine (announce-only): this one did not wait.
    expect(eventsOf('Certificate Deployable', 'fresh')).toHaveLength(0);
    const [followUp, ...more] = await machines.followUps();
    expect(more).toEqual([]);
    expect(followUp?.result).toMatchObject({ status: 'succeeded', executionName: `${name}-deployable`, output: { skipped: true, skipReason: 'announceOnly' } });
    const output = (run.result as { output: { result: { version: number; serialHex: string; location: string } } }).output;
    expect(output.result).toMatchObject({ version: 1, location: `s3://${s3.bucket}/live/fresh/` });
    expect(parseCertificate(await readObject('live/fresh/cert.pem')).serialHex).toBe(output.result.serialHex);
    expect(await readObject('keys/fresh/1/privkey.pem')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(sm.secret('acmeflow/cert/fresh')).toBeUndefined();
    expect(eventsOf('Certificate Issued', 'fresh').map((e) => e.detail)).toEqual([expect.objectContaining({ version: 1, deployDelaySeconds: 5 })]);
    expect(eventsOf('Certificate Deployable', 'fresh')).toHaveLength(1);
    expect(await bind.queryTxt('_acme-challenge.fresh.example.test')).toEqual([]);
    // The lock was owned by the execution's name and is released.
    expect((await store.getLineage('fresh'))?.lineage.state.inflight).toBeUndefined();
    const statesOf = (execution: string) => executionLog.filter((e) => e.execution === execution && e.type === 'StateEntered').map((e) => e.state?.name);
    expect(statesOf(name)).toEqual(expect.arrayContaining(['PrepareOrder', 'StoreCertificate', 'EmitIssued', 'Schedule deployable', 'Done']));
    expect(statesOf(name)).not.toContain('Wait deploy delay');
    expect(statesOf(`${name}-deployable`)).toEqual(['Announce only?', 'EmitIssued', 'Deploy delay?', 'Wait deploy delay', 'EmitDeployable', 'Done']);
    expect((await store.getLineage('fresh'))?.lineage.state.announced).toMatchObject({ version: 1, issued: true, deployable: true });
  });

  describe('the outbox: nothing stored goes unannounced', () => {
    /** The handlers with `step` failing on its first call (a Lambda error past its retries). */
    const failingOnce = (step: 'CleanupRecords' | 'EmitIssued' | 'EmitDeployable'): StepHandlers => {
      let failed = false;
      const real = steps[step]!;
      return {
        ...steps,
        [step]: async (input: unknown, context: never) => {
          if (failed) return real(input, context);
          failed = true;
          const error = new Error(`${step} injected failure`);
          error.name = 'InjectedFailure';
          throw error;
        },
      } as StepHandlers;
    };
    /** An hour passes: the outbox entry is past its grace, so the sweep takes it as owed. */
    const anHourLater = async (lineage: string) => {
      const stored = (await store.getLineage(lineage))!;
      const hourAgo = (iso: string) => new Date(Date.parse(iso) - 3_600_000).toISOString();
      const { state } = stored.lineage;
      await store.putLineage(
        {
          spec: stored.lineage.spec,
          state: { ...state, issuedAt: hourAgo(state.issuedAt!), announced: { ...state.announced!, deployableAt: hourAgo(state.announced!.deployableAt) } },
        },
        { expectedEtag: stored.etag },
      );
    };

    for (const [step, lineage] of [
      ['EmitIssued', 'unannounced'],
      ['EmitDeployable', 'undeployed'],
    ] as const) {
      it(`${step} fails after the certificate is stored: the run succeeds, the outbox keeps it, the next sweep announces it exactly once`, async () => {
        await createLineage(lineage);
        const machines = machinesWith(failingOnce(step));
        const name = executionName(lineage);
        const run = await machines.runIssuance({ lineage }, name);
        await machines.followUps();
        // Stored, so not a failure: no failed event, no backoff; the execution ends in `Announcement owed`.
        expect(run.result).toMatchObject({ status: 'succeeded', output: { announceError: { Error: 'InjectedFailure' } } });
        expect(executionLog.filter((e) => e.execution === name && e.type === 'StateEntered').map((e) => e.state?.name)).toContain('Announcement owed');
        expect(eventsOf('Certificate Issuance Failed', lineage)).toEqual([]);
        const stored = (await store.getLineage(lineage))!.lineage.state;
        expect(stored).toMatchObject({ currentVersion: 1, announced: { version: 1, issued: step !== 'EmitIssued', deployable: false } });
        expect(stored.failures).toBeUndefined();
        expect(eventsOf('Certificate Issued', lineage)).toHaveLength(step === 'EmitIssued' ? 0 : 1);
        expect(eventsOf('Certificate Deployable', lineage)).toHaveLength(0);

        // Within the grace the sweep leaves it alone (the run may only be slow).
        const early = await machines.runSweep({ lineages: [lineage] }, executionName('early'));
        expect(early.issuances).toEqual([]);

        await anHourLater(lineage);
        const sweepName = executionName('announce');
        const sweep = await machines.runSweep({ lineages: [lineage] }, sweepName);
        expect(JSON.parse(await readObject(`sweeps/${sweepName}/plan.json`))).toEqual([{ lineage, expectedVersion: 1, force: false, dryRun: false, announceOnly: true }]);
        // No new order: the version stays 1; the announce-only run counts as skipped, not renewed.
        expect(sweep.result).toMatchObject({ status: 'succeeded', output: { attempted: 0, renewed: [], failed: [], skipped: 1 } });
        expect(sweep.issuances.map((i) => i.result)).toEqual([expect.objectContaining({ status: 'succeeded', output: expect.objectContaining({ skipReason: 'announceOnly' }) })]);
        await machines.followUps();
        expect((await store.getLineage(lineage))!.lineage.state).toMatchObject({ currentVersion: 1, announced: { version: 1, issued: true, deployable: true } });
        expect(eventsOf('Certificate Issued', lineage).map((e) => (e.detail as { version: number }).version)).toEqual([1]);
        expect(eventsOf('Certificate Deployable', lineage).map((e) => (e.detail as { version: number }).version)).toEqual([1]);

        // Delivered: the sweep after that has nothing to announce.
        const after = await machines.runSweep({ lineages: [lineage] }, executionName('after'));
        expect(after.issuances).toEqual([]);
        expect(eventsOf('Certificate Issued', lineage)).toHaveLength(1);
        expect(eventsOf('Certificate Deployable', lineage)).toHaveLength(1);
      });
    }

    it('CleanupRecords fails after the certificate is stored: the events go out all the same', async () => {
      await createLineage('uncleaned');
      const machines = machinesWith(failingOnce('CleanupRecords'));
      const run = await machines.runIssuance({ lineage: 'uncleaned' }, executionName('uncleaned'));
      await machines.followUps();
      expect(run.result).toMatchObject({ status: 'succeeded', output: { cleanupError: { Error: 'InjectedFailure' } } });
      expect(eventsOf('Certificate Issued', 'uncleaned')).toHaveLength(1);
      expect(eventsOf('Certificate Deployable', 'uncleaned')).toHaveLength(1);
      // The in-flight marker stays: the lineage's next run removes what cleanup left (PrepareOrder's recovery).
      expect((await store.getLineage('uncleaned'))!.lineage.state).toMatchObject({ announced: { issued: true, deployable: true }, inflight: expect.any(Object) });
    });
  });

  it('revokes a certificate, and the next sweep renews the revoked lineage', async () => {
    await createLineage('revoked');
    const first = await machinesWith(steps).runIssuance({ lineage: 'revoked' }, executionName('revoked'));
    expect(first.result.status).toBe('succeeded');
    const serialHex = parseCertificate(await readObject('live/revoked/cert.pem')).serialHex;

    const revoked = await machinesWith(steps).runRevocation({ lineage: 'revoked', reason: 'superseded' }, executionName('revoke'));
    expect(revoked).toMatchObject({ status: 'succeeded', output: { lineage: 'revoked', serialHex, reason: 'superseded' } });
    expect((await pebble.certStatusBySerial(serialHex)).status).toBe('Revoked');
    expect(eventsOf('Certificate Revoked', 'revoked').map((e) => e.detail)).toEqual([expect.objectContaining({ serialHex, reason: 'superseded' })]);
    expect((await store.getLineage('revoked'))?.lineage.state.revoked).toMatchObject({ serialHex });

    // Not forced: the sweep plans the revoked lineage (and not the fresh one), and renews it.
    const sweepName = executionName('sweep');
    const completedBefore = eventsOf('Renewal Sweep Completed').length;
    const sweep = await machinesWith(steps).runSweep({ lineages: ['revoked', 'fresh'] }, sweepName);
    expect(sweep.result).toMatchObject({ status: 'succeeded', output: { attempted: 1, renewed: ['revoked'], failed: [], skipped: 1 } });
    expect(JSON.parse(await readObject(`sweeps/${sweepName}/plan.json`))).toEqual([{ lineage: 'revoked', expectedVersion: 1, force: false, dryRun: false }]);
    expect(sweep.issuances.map((i) => [i.lineage, i.result.status])).toEqual([['revoked', 'succeeded']]);
    const renewedSerial = parseCertificate(await readObject('live/revoked/cert.pem')).serialHex;
    expect(renewedSerial).not.toBe(serialHex);
    expect((await store.getLineage('revoked'))?.lineage.state).toMatchObject({ currentVersion: 2 });
    // This sweep's own event (earlier tests' sweeps announce what they skipped too).
    expect(eventsOf('Renewal Sweep Completed').slice(completedBefore).map((e) => e.detail)).toEqual([{ attempted: 1, renewed: ['revoked'], failed: [], skipped: 1, dryRun: false }]);
  });

  it('a forced sweep renews a lineage that is not due', async () => {
    const before = (await store.getLineage('fresh'))!.lineage.state.currentVersion;
    const machines = machinesWith(steps);
    const sweep = await machines.runSweep({ lineages: ['fresh'], force: true }, executionName('forced'));
    expect(sweep.result).toMatchObject({ status: 'succeeded', output: { attempted: 1, renewed: ['fresh'] } });
    await machines.followUps();
    expect((await store.getLineage('fresh'))!.lineage.state.currentVersion).toBe(before + 1);
    expect(eventsOf('Certificate Deployable', 'fresh').map((e) => (e.detail as { version: number }).version)).toEqual([1, before + 1]);
  });

  it('a name the CA rejects: the failed event carries the problem and its explanation; nothing is left behind', async () => {
    await createLineage('blocked', { domains: ['blocked.example.test', 'fine.example.test'] });
    const run = await machinesWith(steps).runIssuance({ lineage: 'blocked' }, executionName('blocked'));
    expect(run.result).toMatchObject({ status: 'failed', error: 'IssuanceFailed' });
    expect(run.recordFailureInput).toMatchObject({ step: 'PrepareOrder', error: { Error: 'AcmeProblemError' } });
    const failed = eventsOf('Certificate Issuance Failed', 'blocked').map((e) => e.detail);
    expect(failed).toEqual([
      expect.objectContaining({
        step: 'PrepareOrder',
        domains: ['blocked.example.test', 'fine.example.test'],
        error: expect.objectContaining({ name: 'AcmeProblemError' }),
        problem: expect.objectContaining({ type: 'urn:ietf:params:acme:error:rejectedIdentifier' }),
        explanation: { en: expect.stringContaining('refuses to issue'), ja: expect.any(String) },
        failureCount: 1,
      }),
    ]);
    expect(await bind.queryTxt('_acme-challenge.blocked.example.test')).toEqual([]);
    expect(await bind.queryTxt('_acme-challenge.fine.example.test')).toEqual([]);
    const state = (await store.getLineage('blocked'))!.lineage.state;
    expect(state).toMatchObject({ currentVersion: 0, failures: { count: 1 } });
    expect(state.inflight).toBeUndefined();
  });

  it('a validation failure after publishing: the records are cleaned up and the event names the failed name', async () => {
    await createLineage('misdelegated', {
      domains: ['good.example.test', 'bad.example.test'],
      dns: {
        provider: 'rfc2136',
        config: { server: bind.host, port: bind.port },
        credentialsRef: DNS_SECRET,
        resolvers: [bind.server],
        // Published where the CA does not look (no CNAME there): validation of bad.example.test fails.
        delegations: { 'bad.example.test': '_acme-challenge.elsewhere.example.test' },
      },
    });
    const name = executionName('misdelegated');
    const run = await machinesWith(steps).runIssuance({ lineage: 'misdelegated' }, name);
    expect(run.result).toMatchObject({ status: 'failed', error: 'IssuanceFailed' });
    expect(run.recordFailureInput).toMatchObject({ step: 'PollAuthorizations', error: { Error: 'AcmeValidationFailedError' } });
    // The records were published (the execution went through PublishRecords) and are gone now.
    const entered = executionLog.filter((e) => e.execution === name && e.type === 'StateEntered').map((e) => e.state?.name);
    expect(entered).toEqual(expect.arrayContaining(['PublishRecords', 'CleanupAfterFailure', 'RecordFailure', 'Failed']));
    for (const record of ['_acme-challenge.good.example.test', '_acme-challenge.bad.example.test', '_acme-challenge.elsewhere.example.test']) {
      expect(await bind.queryTxt(record), record).toEqual([]);
    }
    const failed = eventsOf('Certificate Issuance Failed', 'misdelegated').map((e) => e.detail as { problem: { subproblems: { identifier: { value: string } }[] } });
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ step: 'PollAuthorizations', explanation: { en: expect.any(String), ja: expect.any(String) } });
    expect(failed[0]?.problem.subproblems.map((s) => s.identifier.value)).toEqual(['bad.example.test']);
    expect((await store.getLineage('misdelegated'))!.lineage.state.inflight).toBeUndefined();
  });

  it('kept key material out of every execution state, event, log line and S3 object', async () => {
    expect(executionLog.length).toBeGreaterThan(100);
    // The scan reads real state: the issued certificates' serials are in it.
    expect(JSON.stringify(executionLog)).toContain('"serialHex"');
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    // keys/ is the key store: the only place in the bucket a key may be.
    const outsideKeys = (listed.Contents ?? []).filter((o) => !(o.Key as string).startsWith('keys/'));
    const objects = await Promise.all(outsideKeys.map(async (o) => readObject(o.Key as string)));
    expect(objects.length).toBeGreaterThan(5);
    const text = JSON.stringify([executionLog, eb.events, logs, objects]);
    expect(text).not.toMatch(/PRIVATE KEY/);
    expect(text).not.toContain(pebble.eab.hmacKey);
    expect(text).not.toContain(bind.tsig.secret);
    // The key store does hold the keys: the scan would have found them had they leaked.
    expect(await readObject('keys/fresh/1/privkey.pem')).toMatch(/PRIVATE KEY/);
  });
});
