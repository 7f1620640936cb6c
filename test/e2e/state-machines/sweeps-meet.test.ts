/**
 * Two sweeps that meet, on the committed definitions run by aws-local-stepfunctions with every Task
 * bound to its AWS handler module (as test/e2e/state-machines/state-machines.test.ts): Pebble + BIND 9,
 * s3rver behind the conditional-request shim (so the locks and order slots exclude as S3's
 * conditional writes do), the Secrets Manager and EventBridge fakes.
 *
 * The issuer caps orders in flight at one (`ACMEFLOW_ORDER_SLOTS=1`, the construct's
 * `sweepConcurrency`), two sweeps plan the same lineages at once, and a third run (a deploy-time
 * sweep's issuance) holds one lineage's lock throughout. What must hold: never more than one order
 * in flight across both sweeps; each lineage renewed exactly once; the held lineage skipped by both
 * sweeps with no failure event, no backoff written, no failed execution; both sweeps' "Renewal
 * Sweep Completed" count the skipped lineages. Then, with a new-order limit of one an hour
 * (their CA account's `newOrderLimit`), two sweeps over three new lineages order once: the rest wait, skipped
 * and counted, never failed.
 */
import 'reflect-metadata';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDefinitions, LocalStateMachines, prepareDefinitions, readSimplePath, stepHandlersFor, type StepHandlers } from '../../../engine/index.js';
import { awsDepsFromEnv, type AwsClientConfigs } from '../../../functions/runtime/aws-deps.js';
import { SWEEP_MAP_STATE } from '../../../shared/workflow/machines/index.js';
import { resolveLineageSpec } from '../../../shared/config/index.js';
import { S3CertificateStore, S3LineageLock } from '../../../shared/store/s3/index.js';
import type { SweepItem } from '../../../shared/store/index.js';
import type { IssuanceState, Logger } from '../../../shared/workflow/index.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startEventBridgeFake, type EventBridgeFake } from '../../../harness/eventbridge-fake.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { startS3rver, type S3rverHandle } from '../../../harness/s3rver.js';
import { startSecretsManagerFake, type SecretsManagerFake } from '../../../harness/secrets-manager-fake.js';
import { startConditionalS3, type ConditionalS3 } from '../../reliability/support/conditional-s3.js';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };
const EAB_SECRET = 'acmeflow/eab/pebble';
const DNS_SECRET = 'acmeflow/dns/bind';
const LINEAGES = ['meet-a', 'meet-b', 'meet-c'];
const HELD = 'meet-held';
const BUDGETED = ['budget-a', 'budget-b', 'budget-c'];

let bind: BindHandle;
let pebble: PebbleHandle;
let s3: S3rverHandle;
let shim: ConditionalS3;
let sm: SecretsManagerFake;
let eb: EventBridgeFake;
let s3Client: S3Client;
let store: S3CertificateStore;
let machines: LocalStateMachines;
let machinesFor: (env: Record<string, string>) => LocalStateMachines;
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
let inFlight = 0;
let maxInFlight = 0;
let ordersPlaced = 0;

beforeAll(async () => {
  bind = await startBind({ zones: ['example.test'] });
  [pebble, s3, sm, eb] = await Promise.all([startPebble({ dnsServer: bind.server }), startS3rver(), startSecretsManagerFake(), startEventBridgeFake()]);
  shim = await startConditionalS3(s3);
  const secrets = new SecretsManagerClient({ endpoint: sm.endpoint, region: sm.region, credentials });
  await secrets.send(new CreateSecretCommand({ Name: EAB_SECRET, SecretString: JSON.stringify({ kid: pebble.eab.kid, hmacKey: pebble.eab.hmacKey }) }));
  await secrets.send(new CreateSecretCommand({ Name: DNS_SECRET, SecretString: JSON.stringify({ tsig: bind.tsig }) }));
  secrets.destroy();
  const s3Config = {
    endpoint: shim.endpoint,
    forcePathStyle: true,
    region: sm.region,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  } as const;
  const clientConfig: AwsClientConfigs = {
    s3: s3Config,
    secretsManager: { endpoint: sm.endpoint, credentials },
    eventBridge: { endpoint: eb.endpoint, credentials },
  };
  s3Client = new S3Client(s3Config);
  store = new S3CertificateStore({ bucket: s3.bucket, client: s3Client });
  const env = { ACMEFLOW_BUCKET: s3.bucket, AWS_REGION: sm.region, ACMEFLOW_ORDER_SLOTS: '1' };
  const steps: StepHandlers = stepHandlersFor(() => awsDepsFromEnv(env, { clientConfig, transport: pebble.transport, log: quiet }));
  // Orders in flight: from a PrepareOrder that placed one to the CleanupRecords that ends it.
  const prepare = steps.PrepareOrder!;
  const cleanup = steps.CleanupRecords!;
  steps.PrepareOrder = async (input, context) => {
    const out = (await prepare(input, context)) as IssuanceState;
    if (!out.skipped) {
      ordersPlaced++;
      maxInFlight = Math.max(maxInFlight, ++inFlight);
    }
    return out;
  };
  steps.CleanupRecords = async (input, context) => {
    const out = await cleanup(input, context);
    if ((input as IssuanceState).orderSlot) inFlight--;
    return out;
  };
  const raw = await loadDefinitions();
  machinesFor = (extra) => {
    const plain = stepHandlersFor(() => awsDepsFromEnv({ ACMEFLOW_BUCKET: s3.bucket, AWS_REGION: sm.region, ...extra }, { clientConfig, transport: pebble.transport, log: quiet }));
    return new LocalStateMachines({
      definitions: prepareDefinitions(raw),
      steps: plain,
      readPlan: async (state) => {
        const itemReader = raw.sweep.States[SWEEP_MAP_STATE]?.ItemReader as { Parameters: Record<string, string> };
        const got = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: readSimplePath(state, itemReader.Parameters['Key.$'] as string) as string }));
        return JSON.parse((await got.Body?.transformToString('utf-8')) ?? '[]') as SweepItem[];
      },
      waitScale: 0.01,
    });
  };
  const itemReader = raw.sweep.States[SWEEP_MAP_STATE]?.ItemReader as { Parameters: Record<string, string> };
  const planKeyPath = itemReader.Parameters['Key.$'] as string;
  machines = new LocalStateMachines({
    definitions: prepareDefinitions(raw),
    steps,
    readPlan: async (state) => {
      const key = readSimplePath(state, planKeyPath) as string;
      const got = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      return JSON.parse((await got.Body?.transformToString('utf-8')) ?? '[]') as SweepItem[];
    },
    waitScale: 0.01,
  });
  for (const name of [...LINEAGES, HELD, ...BUDGETED]) {
    const spec = resolveLineageSpec({
      name,
      domains: [`${name}.example.test`],
      keyType: 'ecdsa-p256',
      deployDelay: 0,
      // The budgeted lineages' account may place one new order per hour (the construct's caAccounts.<name>.newOrderLimit).
      ca: {
        directoryUrl: pebble.directoryUrl,
        eabRef: EAB_SECRET,
        termsOfServiceAgreed: true,
        ...(BUDGETED.includes(name) ? { newOrderLimit: { orders: 1, windowSeconds: 3600 } } : {}),
      },
      dns: { provider: 'rfc2136', config: { server: bind.host, port: bind.port }, credentialsRef: DNS_SECRET, resolvers: [bind.server] },
    });
    await store.putLineage({ spec, state: { currentVersion: 0 } }, { expectedEtag: null });
  }
}, 120_000);

afterAll(async () => {
  s3Client?.destroy();
  await shim?.stop();
  await Promise.all([pebble?.stop(), s3?.stop(), sm?.stop(), eb?.stop()]);
  await bind?.stop();
});

describe('two sweeps that meet', () => {
  it('share one cap on orders, renew each lineage once, and skip a held lineage without a failure', async () => {
    // A deploy-time sweep's issuance is renewing HELD right now.
    const otherRun = new S3LineageLock({ bucket: s3.bucket, client: s3Client });
    const held = await otherRun.acquire(HELD, { owner: 'deploy-sweep-issuance', leaseSeconds: 3600 });

    const [first, second] = await Promise.all([
      machines.runSweep({ lineages: [...LINEAGES, HELD] }, 'scheduled-sweep'),
      machines.runSweep({ lineages: [...LINEAGES, HELD] }, 'deploy-sweep'),
    ]);
    await otherRun.release(held);

    expect(first.result.status).toBe('succeeded');
    expect(second.result.status).toBe('succeeded');
    // Every issuance execution succeeded (renewed or skipped): none failed, so no alarm counts one.
    expect([...first.issuances, ...second.issuances].map((i) => i.result.status)).toEqual(Array(8).fill('succeeded'));
    expect(maxInFlight).toBe(1);
    expect(ordersPlaced).toBe(3);
    for (const name of LINEAGES) expect((await store.getLineage(name))?.lineage.state.currentVersion).toBe(1);
    const heldState = (await store.getLineage(HELD))?.lineage.state;
    expect(heldState).toEqual({ currentVersion: 0 });
    expect(eb.events.filter((e) => e.detailType === 'Certificate Issuance Failed')).toEqual([]);
    const completed = eb.events.filter((e) => e.detailType === 'Renewal Sweep Completed').map((e) => e.detail as { renewed: string[]; failed: string[]; skippedDue?: number });
    expect(completed).toHaveLength(2);
    expect(completed.flatMap((d) => d.renewed).sort()).toEqual(LINEAGES);
    expect(completed.flatMap((d) => d.failed)).toEqual([]);
    // HELD in both sweeps, and each of the three in the sweep that came second to it.
    expect(completed.reduce((sum, d) => sum + (d.skippedDue ?? 0), 0)).toBe(5);
    // Every slot given back.
    expect(await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'locks/order-slots/' })).then((l) => l.KeyCount ?? 0)).toBe(0);
  }, 300_000);

  it("keeps the CA's new-order limit across sweeps: past it, items wait for the next sweep (skipped, not failed)", async () => {
    // One new order per account per hour: the limit in the lineages' ca.newOrderLimit.
    const limited = machinesFor({});
    const failedBefore = eb.events.filter((e) => e.detailType === 'Certificate Issuance Failed').length;
    const first = await limited.runSweep({ lineages: BUDGETED }, 'budget-sweep-1');
    const second = await limited.runSweep({ lineages: BUDGETED }, 'budget-sweep-2');
    expect(first.result.status).toBe('succeeded');
    expect(second.result.status).toBe('succeeded');
    // One order in the hour: the first sweep renews one lineage, the rest of both sweeps wait.
    const versions = await Promise.all(BUDGETED.map(async (name) => (await store.getLineage(name))?.lineage.state.currentVersion));
    expect(versions.reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(1);
    expect([...first.issuances, ...second.issuances].map((i) => i.result.status)).toEqual(Array(5).fill('succeeded'));
    expect(eb.events.filter((e) => e.detailType === 'Certificate Issuance Failed')).toHaveLength(failedBefore);
    const completed = eb.events
      .filter((e) => e.detailType === 'Renewal Sweep Completed')
      .slice(-2)
      .map((e) => e.detail);
    expect(completed).toEqual([expect.objectContaining({ attempted: 1, skippedDue: 2 }), expect.objectContaining({ attempted: 0, skippedDue: 2 })]);
  }, 300_000);
});
