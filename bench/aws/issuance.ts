/**
 * One issuance as AWS runs it: the committed issuance definition (shared/workflow/machines/asl/issuance.asl.json)
 * run by aws-local-stepfunctions, every Task bound to the real Lambda handler module —
 * `makeHandler(() => awsDepsFromEnv(env, { clientConfig, transport }))`, as test/e2e/state-machines does —
 * against Pebble (EAB) validating on BIND 9 (rfc2136, TSIG key in a secret), s3rver, and the Secrets
 * Manager and EventBridge wire-level fakes. Waits are real (waitScale 1): the poll loops run as many
 * times as they would against this CA.
 *
 * Counted per execution: state transitions (StateEntered, plus StateRetried: Step Functions bills a
 * retry as a transition), each handler invocation's duration, the S3 requests s3rver received (by
 * price tier), the Secrets Manager calls and EventBridge entries the fakes received, the ACME requests.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  loadDefinitions,
  LocalStateMachines,
  prepareDefinitions,
  stepHandlersFor,
  type ExecutionLogEntry,
  type StepHandlers,
  type TaskHandler,
} from '../../engine/index.js';
import { awsDepsFromEnv, type AwsClientConfigs } from '../../functions/runtime/aws-deps.js';
import { ISSUANCE_TASKS, type LambdaStep } from '../../shared/workflow/machines/index.js';
import { DEFAULT_MEMORY_MB, STEP_MEMORY_MB } from '../../infra/lambda/function-sizing.js';
import { resolveLineageSpec } from '../../shared/config/index.js';
import { S3CertificateStore } from '../../shared/store/s3/index.js';
import type { Logger } from '../../shared/workflow/index.js';
import { startBind, type BindHandle } from '../../harness/bind.js';
import { startEventBridgeFake, type EventBridgeFake } from '../../harness/eventbridge-fake.js';
import { startPebble, type PebbleHandle } from '../../harness/pebble.js';
import { startS3rver, type S3rverHandle } from '../../harness/s3rver.js';
import { startSecretsManagerFake, type SecretsManagerFake } from '../../harness/secrets-manager-fake.js';
import { countingTransport, diffS3, S3RequestCounter } from './counting-http.js';
import type { S3Counts } from './pricing.js';

const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' };
const EAB_SECRET = 'acmeflow/eab/pebble';
const DNS_SECRET = 'acmeflow/dns/bind';

/** The memory each step's function is configured with (infra/lambda/function-sizing.ts). */
export function memoryOf(step: LambdaStep): number {
  return STEP_MEMORY_MB[step] ?? DEFAULT_MEMORY_MB;
}

export interface Invocation {
  readonly state: string;
  readonly step: LambdaStep;
  readonly ms: number;
  readonly memoryMb: number;
  readonly failed: boolean;
  /** Requests this invocation made (the executions run one step at a time, so they are its own). */
  readonly s3Requests: number;
  readonly secretsCalls: number;
  readonly acmeRequests: number;
}

export interface IssuanceMeasurement {
  readonly lineage: string;
  readonly status: string;
  readonly wallMs: number;
  /** Every state entered, in order (Task, Choice, Wait, Pass, Succeed...). */
  readonly statesEntered: readonly { readonly name: string; readonly type: string }[];
  readonly retries: number;
  readonly transitions: number;
  readonly invocations: readonly Invocation[];
  readonly s3: S3Counts;
  /** Secrets Manager calls by action. */
  readonly secrets: Readonly<Record<string, number>>;
  readonly eventBridgeCalls: number;
  readonly eventBridgeEntries: number;
  readonly acmeRequests: number;
  readonly acmeByKind: Readonly<Record<string, number>>;
}

export interface IssuanceServers {
  readonly bind: BindHandle;
  readonly pebble: PebbleHandle;
  readonly s3: S3rverHandle;
  readonly sm: SecretsManagerFake;
  readonly eb: EventBridgeFake;
  stop(): Promise<void>;
}

export async function startIssuanceServers(): Promise<IssuanceServers> {
  const bind = await startBind({ zones: ['example.test'] });
  const started = await Promise.allSettled([startPebble({ dnsServer: bind.server }), startS3rver(), startSecretsManagerFake(), startEventBridgeFake()]);
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
      await bind.stop();
    })());
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stopAll();
    throw (failed as PromiseRejectedResult).reason;
  }
  const [pebble, s3, sm, eb] = started.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [PebbleHandle, S3rverHandle, SecretsManagerFake, EventBridgeFake];
  return { bind, pebble, s3, sm, eb, stop: stopAll };
}

const quietLog: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Runs `runs` issuances one after another, each of a new lineage with two names (`<n>.example.test`
 * and its wildcard, ECDSA P-256) and a 1-second deploy delay. The first one also registers the ACME
 * account and is the first invocation of every function (its deps are built then, as in a cold
 * container); the later ones are the steady state.
 */
export async function measureIssuances(servers: IssuanceServers, runs: number): Promise<IssuanceMeasurement[]> {
  const { bind, pebble, s3, sm, eb } = servers;
  const secrets = new SecretsManagerClient({ endpoint: sm.endpoint, region: sm.region, credentials });
  await secrets.send(new CreateSecretCommand({ Name: EAB_SECRET, SecretString: JSON.stringify({ kid: pebble.eab.kid, hmacKey: pebble.eab.hmacKey }) }));
  await secrets.send(new CreateSecretCommand({ Name: DNS_SECRET, SecretString: JSON.stringify({ tsig: bind.tsig }) }));
  secrets.destroy();

  const s3Counter = new S3RequestCounter();
  const acme = countingTransport(pebble.transport);
  const clientConfig: AwsClientConfigs = {
    s3: {
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: s3Counter.handler(),
    },
    secretsManager: { endpoint: sm.endpoint, credentials },
    eventBridge: { endpoint: eb.endpoint, credentials },
  };
  const env = { ACMEFLOW_BUCKET: s3.bucket, AWS_REGION: sm.region };
  const base = stepHandlersFor(() => awsDepsFromEnv(env, { clientConfig, transport: acme.transport, log: quietLog }));

  // Every bound handler timed: the Lambda's billed duration is the handler's.
  const invocations: (Invocation & { execution: string })[] = [];
  const timed: StepHandlers = {};
  for (const [step, handler] of Object.entries(base) as [LambdaStep, TaskHandler][]) {
    timed[step] = async (input, context) => {
      const s3Before = Object.values(s3Counter.counts).reduce((a, b) => a + b, 0);
      const smBefore = sm.calls.length;
      const acmeBefore = acme.total();
      const t0 = performance.now();
      let failed = false;
      try {
        return await handler(input, context);
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        const ms = performance.now() - t0;
        invocations.push({
          execution: context.executionName,
          state: context.stateName,
          step,
          ms,
          memoryMb: memoryOf(step),
          failed,
          s3Requests: Object.values(s3Counter.counts).reduce((a, b) => a + b, 0) - s3Before,
          secretsCalls: sm.calls.length - smBefore,
          acmeRequests: acme.total() - acmeBefore,
        });
      }
    };
  }
  const log: ExecutionLogEntry[] = [];
  const machines = new LocalStateMachines({
    definitions: prepareDefinitions(await loadDefinitions()),
    steps: timed,
    readPlan: async () => {
      throw new Error('no sweep in this benchmark');
    },
    waitScale: 1,
    onEvent: (entry) => log.push(entry),
  });
  machines.checkBound('issuance');
  const store = new S3CertificateStore({ bucket: s3.bucket, client: s3.client });

  const out: IssuanceMeasurement[] = [];
  for (let i = 1; i <= runs; i++) {
    const name = `bench${i}`;
    const spec = resolveLineageSpec({
      name,
      domains: [`${name}.example.test`, `*.${name}.example.test`],
      keyType: 'ecdsa-p256',
      deployDelay: 1,
      ca: { directoryUrl: pebble.directoryUrl, eabRef: EAB_SECRET, termsOfServiceAgreed: true },
      dns: { provider: 'rfc2136', config: { server: bind.host, port: bind.port }, credentialsRef: DNS_SECRET, resolvers: [bind.server] },
    });
    await store.putLineage({ spec, state: { currentVersion: 0 } }, { expectedEtag: null });

    const execution = `bench-issuance-${process.pid}-${i}`;
    const s3Before = s3Counter.snapshot();
    const smBefore = sm.calls.length;
    const ebCallsBefore = eb.calls.length;
    const ebEventsBefore = eb.events.length;
    const acmeBefore = acme.total();
    const kindsBefore = new Map(acme.byKind);
    const t0 = performance.now();
    const run = await machines.runIssuance({ lineage: name }, execution);
    const wallMs = performance.now() - t0;

    const events = log.filter((e) => e.execution === execution);
    const statesEntered = events.filter((e) => e.type === 'StateEntered').map((e) => ({ name: e.state!.name, type: e.state!.type }));
    const retries = events.filter((e) => e.type === 'StateRetried').length;
    const secretsByAction: Record<string, number> = {};
    for (const call of sm.calls.slice(smBefore)) secretsByAction[call.action] = (secretsByAction[call.action] ?? 0) + 1;
    const acmeByKind: Record<string, number> = {};
    for (const [kind, n] of acme.byKind) if (n - (kindsBefore.get(kind) ?? 0) > 0) acmeByKind[kind] = n - (kindsBefore.get(kind) ?? 0);
    out.push({
      lineage: name,
      status: run.result.status === 'succeeded' ? 'succeeded' : `failed: ${run.result.error}`,
      wallMs,
      statesEntered,
      retries,
      transitions: statesEntered.length + retries,
      invocations: invocations.filter((inv) => inv.execution === execution).map(({ execution: _e, ...inv }) => inv),
      s3: diffS3(s3Counter.snapshot(), s3Before),
      secrets: secretsByAction,
      eventBridgeCalls: eb.calls.length - ebCallsBefore,
      eventBridgeEntries: eb.events.length - ebEventsBefore,
      acmeRequests: acme.total() - acmeBefore,
      acmeByKind,
    });
  }
  return out;
}

/** The Task states of the issuance definition and the step each is bound to (for the report). */
export const ISSUANCE_STEP_OF: Readonly<Record<string, LambdaStep>> = ISSUANCE_TASKS;
