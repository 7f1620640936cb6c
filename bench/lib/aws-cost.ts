/**
 * The AWS bill of one certificate, from a local run of what AWS runs: the committed state machine
 * definitions executed by aws-local-stepfunctions, every Lambda Task bound to its real handler module
 * over the AWS adapters (`awsDepsFromEnv`), against s3rver and the Secrets Manager and EventBridge
 * wire-level fakes — the same set-up as test/e2e/state-machines. Counted from that run:
 *
 * - state transitions (the execution log), Lambda invocations and their summed handler time at each
 *   function's configured memory (shared/workflow/machines/step-access.ts), arm64;
 * - every S3, Secrets Manager and EventBridge request the handlers make (an SDK request handler that
 *   counts), priced by request class.
 *
 * Two figures: a new certificate (one issuance execution), and a renewal through the sweep (one
 * forced sweep over K lineages: PlanRenewals, the Distributed Map's items, CompleteSweep and the K
 * issuance executions, divided by K). Issuances run one at a time, so handler times are not
 * inflated by running side by side on this machine.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { loadDefinitions, LocalStateMachines, prepareDefinitions, readSimplePath, stepHandlersFor, type ExecutionLogEntry } from '../../engine/index.js';
import { awsDepsFromEnv, type AwsClientConfigs } from '../../functions/runtime/aws-deps.js';
import { SWEEP_MAP_STATE } from '../../shared/workflow/machines/index.js';
import { resolveLineageSpec } from '../../shared/config/index.js';
import { S3CertificateStore } from '../../shared/store/s3/index.js';
import type { Logger } from '../../shared/workflow/index.js';
import type { SweepItem } from '../../shared/store/index.js';
import { startEventBridgeFake } from '../../harness/eventbridge-fake.js';
import { startS3rver } from '../../harness/s3rver.js';
import { startSecretsManagerFake } from '../../harness/secrets-manager-fake.js';
import type { BenchSite } from './clients.js';
import { summarizeExecutions, type ExecutionSummary } from './execution-log.js';

/** List prices, us-east-1, on-demand (USD). */
export const PRICES = {
  /** Step Functions Standard: $0.025 per 1,000 state transitions. */
  transition: 0.025 / 1_000,
  /** Lambda arm64, first tier: per GB-second. */
  lambdaGbSecond: 0.0000133334,
  /** Lambda: $0.20 per 1M requests. */
  lambdaRequest: 0.2 / 1_000_000,
  /** S3 Standard: PUT, COPY, POST, LIST $0.005 per 1,000. */
  s3Write: 0.005 / 1_000,
  /** S3 Standard: GET, HEAD and the rest $0.0004 per 1,000. */
  s3Read: 0.0004 / 1_000,
  /** Secrets Manager: $0.05 per 10,000 API calls. */
  secretsManagerCall: 0.05 / 10_000,
  /** Secrets Manager: $0.40 per secret per month (storage; not per issuance). */
  secretMonth: 0.4,
  /** EventBridge custom events: $1.00 per million (per 64 KB chunk). */
  eventBridgeEvent: 1 / 1_000_000,
} as const;

/** API requests by price class. */
export interface ApiCalls {
  s3Write: number;
  s3Read: number;
  secretsManager: number;
  /** PutEvents entries (EventBridge bills entries, not calls). */
  eventBridgeEvents: number;
  /** Operation → count, for the table. */
  readonly byOperation: Record<string, number>;
}

const emptyCalls = (): ApiCalls => ({ s3Write: 0, s3Read: 0, secretsManager: 0, eventBridgeEvents: 0, byOperation: {} });

/** Everything one certificate costs, and what it is made of. */
export interface CertificateCost {
  readonly transitions: number;
  readonly invocations: number;
  readonly handlerMs: number;
  readonly gbSeconds: number;
  readonly calls: Omit<ApiCalls, 'byOperation'>;
  readonly usd: {
    readonly stepFunctions: number;
    readonly lambdaRequests: number;
    readonly lambdaDuration: number;
    readonly s3: number;
    readonly secretsManager: number;
    readonly eventBridge: number;
    readonly total: number;
  };
}

export interface AwsCostResult {
  readonly newCertificate: CertificateCost;
  readonly renewal: CertificateCost;
  /** Lineages in the sweep. */
  readonly sweepSize: number;
  /** Per-operation counts of one issuance execution. */
  readonly issuanceOperations: Readonly<Record<string, number>>;
  /** Handler ms per Lambda step of the median issuance. */
  readonly handlerMsByStep: Readonly<Record<string, number>>;
}

/** Counts the requests an SDK client sends, by operation and price class. */
class CountingHandler extends NodeHttpHandler {
  constructor(
    private readonly service: 's3' | 'secretsmanager' | 'events',
    private readonly tally: () => ApiCalls,
  ) {
    super();
  }

  override handle(...[request, options]: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    const calls = this.tally();
    const target = request.headers['x-amz-target'] ?? request.headers['X-Amz-Target'];
    let operation: string;
    if (this.service === 's3') {
      const listing = request.method === 'GET' && request.query !== undefined && 'list-type' in request.query;
      const write = listing || request.method === 'PUT' || request.method === 'POST';
      operation = `S3 ${listing ? 'LIST' : request.method}`;
      if (write) calls.s3Write += 1;
      else if (request.method !== 'DELETE') calls.s3Read += 1; // DELETE is free
    } else if (this.service === 'secretsmanager') {
      operation = `SecretsManager ${String(target).split('.').at(-1)}`;
      calls.secretsManager += 1;
    } else {
      operation = `EventBridge ${String(target).split('.').at(-1)}`;
      const body: unknown = request.body;
      const text = typeof body === 'string' ? body : body instanceof Uint8Array ? new TextDecoder().decode(body) : undefined;
      if (text === undefined) throw new Error('EventBridge request body is not text; cannot count its entries');
      calls.eventBridgeEvents += (JSON.parse(text) as { Entries?: unknown[] }).Entries?.length ?? 0;
    }
    calls.byOperation[operation] = (calls.byOperation[operation] ?? 0) + 1;
    return super.handle(request, options);
  }
}

const EAB_SECRET = 'acmeflow/eab/pebble';
const DNS_SECRET = 'acmeflow/dns/bind';
const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function costOf(summary: ExecutionSummary, calls: ApiCalls, extraTransitions: number, divideBy: number): CertificateCost {
  const per = (n: number) => n / divideBy;
  const transitions = per(summary.transitions + extraTransitions);
  const invocations = per(summary.invocations.length);
  // Lambda bills each invocation's duration rounded up to the millisecond, at its memory.
  const gbSeconds = per(summary.invocations.reduce((acc, i) => acc + (Math.ceil(i.ms) / 1000) * (i.memoryMb / 1024), 0));
  const handlerMs = per(summary.invocations.reduce((acc, i) => acc + i.ms, 0));
  const c = { s3Write: per(calls.s3Write), s3Read: per(calls.s3Read), secretsManager: per(calls.secretsManager), eventBridgeEvents: per(calls.eventBridgeEvents) };
  const usd = {
    stepFunctions: transitions * PRICES.transition,
    lambdaRequests: invocations * PRICES.lambdaRequest,
    lambdaDuration: gbSeconds * PRICES.lambdaGbSecond,
    s3: c.s3Write * PRICES.s3Write + c.s3Read * PRICES.s3Read,
    secretsManager: c.secretsManager * PRICES.secretsManagerCall,
    eventBridge: c.eventBridgeEvents * PRICES.eventBridgeEvent,
  };
  const total = Object.values(usd).reduce((a, b) => a + b, 0);
  return { transitions, invocations, handlerMs, gbSeconds, calls: c, usd: { ...usd, total } };
}

/** Runs `count` new certificates and one forced sweep over them on the AWS handlers; see the file comment. */
export async function measureAwsCost(site: BenchSite, count: number): Promise<AwsCostResult> {
  const [s3, sm, eb] = await Promise.all([startS3rver(), startSecretsManagerFake(), startEventBridgeFake()]);
  try {
    const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' };
    // What the operator stores before deploying: the CA's EAB credentials and the DNS TSIG key (not counted).
    const setupSecrets = new SecretsManagerClient({ endpoint: sm.endpoint, region: sm.region, credentials });
    await setupSecrets.send(new CreateSecretCommand({ Name: EAB_SECRET, SecretString: JSON.stringify({ kid: site.pebble.eab.kid, hmacKey: site.pebble.eab.hmacKey }) }));
    await setupSecrets.send(new CreateSecretCommand({ Name: DNS_SECRET, SecretString: JSON.stringify({ tsig: site.bind.tsig }) }));
    setupSecrets.destroy();

    let calls = emptyCalls();
    const tally = () => calls;
    const clientConfig: AwsClientConfigs = {
      s3: {
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        // s3rver stores the aws-chunked framing of a streamed upload as the object's content otherwise.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        requestHandler: new CountingHandler('s3', tally),
      },
      secretsManager: { endpoint: sm.endpoint, credentials, requestHandler: new CountingHandler('secretsmanager', tally) },
      eventBridge: { endpoint: eb.endpoint, credentials, requestHandler: new CountingHandler('events', tally) },
    };
    const env = { ACMEFLOW_BUCKET: s3.bucket, AWS_REGION: sm.region };
    const steps = stepHandlersFor(() => awsDepsFromEnv(env, { clientConfig, transport: site.pebble.transport, log: silent }));
    const raw = await loadDefinitions();
    const planKeyPath = (raw.sweep.States[SWEEP_MAP_STATE]!.ItemReader as { Parameters: Record<string, string> }).Parameters['Key.$'] as string;
    // The Distributed Map's ItemReader is an S3 GetObject in AWS: read the plan through a counted client.
    const planReader = new S3Client({ region: sm.region, ...clientConfig.s3 });
    const log: ExecutionLogEntry[] = [];
    const machines = new LocalStateMachines({
      definitions: prepareDefinitions(raw),
      steps,
      readPlan: async (state) => {
        const key = readSimplePath(state, planKeyPath);
        if (typeof key !== 'string') throw new Error(`the sweep state has no plan key at ${planKeyPath}`);
        const got = await planReader.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
        return JSON.parse((await got.Body?.transformToString('utf-8')) ?? '[]') as SweepItem[];
      },
      maxConcurrency: 1,
      onEvent: (entry) => log.push(entry),
    });

    const store = new S3CertificateStore({ bucket: s3.bucket, client: s3.client });
    const lineages = Array.from({ length: count + 1 }, (_, i) => `aws${i}.bench.test`);
    for (const name of lineages) {
      const spec = resolveLineageSpec({
        name,
        domains: [name, `www.${name}`],
        keyType: 'rsa-2048',
        ca: { directoryUrl: site.pebble.directoryUrl, eabRef: EAB_SECRET, termsOfServiceAgreed: true },
        dns: { provider: 'rfc2136', config: { server: site.bind.host, port: site.bind.port }, credentialsRef: DNS_SECRET, resolvers: [site.bind.server] },
      });
      await store.putLineage({ spec, state: { currentVersion: 0 } }, { expectedEtag: null });
    }

    const issue = async (lineage: string, name: string) => {
      const run = await machines.runIssuance({ lineage, force: false, dryRun: false }, name);
      if (run.result.status !== 'succeeded') throw new Error(`AWS-handler issuance of ${lineage} failed: ${JSON.stringify(run.result)}`);
    };
    // The first issuance registers the ACME account and warms the modules: left out.
    await issue(lineages[0]!, 'bench-warmup');

    const issuances: CertificateCost[] = [];
    const byStep: Record<string, number>[] = [];
    const operations: Record<string, number>[] = [];
    for (const [i, lineage] of lineages.slice(1).entries()) {
      calls = emptyCalls();
      const name = `bench-new-${i}`;
      await issue(lineage, name);
      const summary = summarizeExecutions(log, (execution) => execution === name);
      issuances.push(costOf(summary, calls, 0, 1));
      const steps: Record<string, number> = {};
      for (const inv of summary.invocations) steps[inv.state] = (steps[inv.state] ?? 0) + inv.ms;
      byStep.push(steps);
      operations.push(calls.byOperation);
    }

    calls = emptyCalls();
    const sweepName = 'bench-sweep';
    const swept = await machines.runSweep({ force: true, dryRun: false, lineages: lineages.slice(1) }, sweepName);
    if (swept.result.status !== 'succeeded' || swept.issuances.some((r) => r.result.status !== 'succeeded')) {
      throw new Error(`AWS-handler sweep failed: ${JSON.stringify(swept.result)}`);
    }
    const sweepSummary = summarizeExecutions(log, (execution) => execution === sweepName || execution.startsWith(`${sweepName}-`));
    // In AWS each Map item also passes the item processor's `Issue` state (startExecution.sync:2),
    // which the local stand-in does not log: one transition per item.
    const renewal = costOf(sweepSummary, calls, count, count);

    // The median issuance by total cost stands for "a new certificate".
    const order = issuances.map((c, i) => [c.usd.total, i] as const).sort((a, b) => a[0] - b[0]);
    const mid = order[Math.floor(order.length / 2)]![1];
    planReader.destroy();
    return { newCertificate: issuances[mid]!, renewal, sweepSize: count, issuanceOperations: operations[mid]!, handlerMsByStep: byStep[mid]! };
  } finally {
    await Promise.all([s3.stop(), sm.stop(), eb.stop()]);
  }
}
