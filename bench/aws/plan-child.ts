/**
 * The PlanRenewals function, alone in a process: bundled like the Lambda (bundles.ts), it runs the
 * real handler shell with the function's own adapters — `withExpiryMetric(makeHandler(() =>
 * awsDeps(env, { clientConfig })))` from functions/plan-renewals, i.e. `planSweep` over
 * S3CertificateStore (signed reads) / S3SweepStore — once against s3rver, and prints one
 * `BENCH_RESULT {json}` line: wall time of the invocation, CPU time, the process's peak RSS, and the
 * S3 requests it made. Nothing else runs in the process, so the memory figure is the function's.
 *
 * Environment: BENCH_S3_ENDPOINT, BENCH_BUCKET, BENCH_SWEEP_ID, BENCH_NOW_OFFSET_MS (the function's
 * clock, shifted: an ARI answer cached for 6 hours is stale 7 hours later), BENCH_INPUT (sweep input JSON).
 * The result also carries the planner's own summary (`planningIndex`: entries, index hits, lineage
 * reads, ARI requests) and its distinct warnings, taken from an injected logger.
 */
import 'reflect-metadata';
import { getHeapStatistics } from 'node:v8';
import { makeHandler, withExpiryMetric } from '../../functions/plan-renewals/handler.js';
import { awsDeps } from '../../functions/plan-renewals/aws-deps.js';
import type { Logger, SweepState } from '../../shared/workflow/index.js';
import { countingReadTransport, S3RequestCounter } from './counting-http.js';

const startedAt = performance.now();
const env = process.env;
const offsetMs = Number(env.BENCH_NOW_OFFSET_MS ?? 0);
const counter = new S3RequestCounter();
const lambdaEnv = { ACMEFLOW_BUCKET: env.BENCH_BUCKET, AWS_REGION: 'us-east-1' };
const emf: string[] = [];
// The planner's own summary (index hits, lineage reads, ARI requests) and its warnings, kept instead
// of printed: the function's log level is ERROR here, as a quiet production setting would be.
let planned: Record<string, unknown> | undefined;
const warnings: string[] = [];
const log: Logger = {
  info: (message, fields) => {
    if (message === 'Renewal sweep planned.') planned = fields;
  },
  warn: (message) => warnings.push(message),
  error: (message) => warnings.push(message),
};
const handler = withExpiryMetric(
  makeHandler(() =>
    awsDeps(lambdaEnv, {
      clientConfig: {
        s3Reads: { transport: countingReadTransport(counter) },
        s3: {
          endpoint: env.BENCH_S3_ENDPOINT,
          forcePathStyle: true,
          credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
          requestHandler: counter.handler(),
        },
      },
      now: () => new Date(Date.now() + offsetMs),
      log,
    }),
  ),
  (line) => emf.push(line),
  lambdaEnv,
);

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const state = (await handler({ input: JSON.parse(env.BENCH_INPUT ?? '{}'), sweepId: env.BENCH_SWEEP_ID })) as SweepState;
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const heap = getHeapStatistics();
process.stdout.write(
  `BENCH_RESULT ${JSON.stringify({
    // performance.now() counts from the process's start: bootstrap plus loading the bundle.
    loadMs: startedAt,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    heapUsedMb: heap.used_heap_size / 1048576,
    peakMallocedMb: heap.peak_malloced_memory / 1048576,
    s3: counter.snapshot(),
    s3WaitMs: counter.waitMs,
    state: { planKey: state.planKey, due: state.due, skipped: state.skipped, expiry: state.expiry },
    emfLines: emf.length,
    planningIndex: planned?.['planningIndex'],
    warnings: [...new Set(warnings)],
  })}\n`,
);
