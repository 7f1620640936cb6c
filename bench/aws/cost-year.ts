/**
 * The whole cost of a certificate-year on AWS (issue 18): a pure model, fed by the counts one
 * issuance measures on the committed definitions (bench/aws/issuance.ts, section 3) and by the
 * sweep's planning figures (bench/aws/planning.ts, section 4), times how often each thing happens
 * in a year for a fleet of N lineages with certificates of a given lifetime.
 *
 * What it adds to section 3's per-issuance figure:
 * - the poll rounds a real Route 53 change needs before INSYNC (30-60 s; the check's backoff
 *   1-2-4-8-16-32 s of `nextPoll`), and one more validation poll (a real CA validates in seconds);
 * - the order slot a sweep's issuance takes (one LIST, one PUT, one HEAD, one DELETE);
 * - S3 key store KMS requests (SSE-KMS with the lineage as encryption context: no bucket key);
 * - CloudWatch Logs: the state machines log ALL events without execution data, and each Lambda
 *   invocation writes its platform lines and the step's log lines; X-Ray traces;
 * - the sweeps (EventBridge Scheduler, the sweep execution, PlanRenewals, its S3 requests, the
 *   Distributed Map's per-item transitions), the fixed monthly prices (the issuer's KMS key, the
 *   few secrets), and S3 storage of every version kept.
 *
 * Prices: us-east-1 list prices, on demand, no free tier (each cited at its constant).
 */
import { sweepSchedule } from '../../shared/renewal/sweep-schedule.js';
import { nextPoll } from '../../shared/workflow/poll.js';
import { PRICES, s3Cost, type S3Counts } from './pricing.js';

/** Prices this model adds to bench/aws/pricing.ts (us-east-1, list). */
export const YEAR_PRICES = {
  /** Step Functions Express: $1.00 per 1M requests (aws.amazon.com/step-functions/pricing). */
  expressRequest: 1 / 1_000_000,
  /** Step Functions Express duration: $0.00001667 per GB-second (first tier), billed in 64 MB and 100 ms steps. */
  expressGbSecond: 0.00001667,
  /** CloudWatch Logs standard ingestion: $0.50 per GB (aws.amazon.com/cloudwatch/pricing). */
  logsIngestGb: 0.5,
  /** CloudWatch Logs storage: $0.03 per GB-month (kept 30 days by the construct's log groups: one month). */
  logsStoreGbMonth: 0.03,
  /** S3 Standard storage: $0.023 per GB-month (aws.amazon.com/s3/pricing). */
  s3GbMonth: 0.023,
  /** KMS customer managed key: $1.00 per key-month (aws.amazon.com/kms/pricing). */
  kmsKeyMonth: 1,
  /** EventBridge Scheduler: $1.00 per 1M invocations (aws.amazon.com/eventbridge/pricing). */
  schedulerInvocation: 1 / 1_000_000,
  /** X-Ray: $5.00 per 1M traces recorded (aws.amazon.com/xray/pricing). */
  xrayTrace: 5 / 1_000_000,
  /**
   * ACM exportable public certificates: $15 per fully qualified name and $149 per wildcard name, charged
   * at issuance and again at each renewal (aws.amazon.com/certificate-manager/pricing; AWS price list
   * `USE1-IssueExportablePublicCertificateDomain` / `...WildcardDomain`, effective 2025-02-01).
   */
  acmExportableName: 15,
  acmExportableWildcard: 149,
} as const;

/** What one issuance costs in requests and time, as section 3 measured it on the committed definitions. */
export interface IssuanceCounts {
  readonly transitions: number;
  readonly statesEntered: number;
  readonly tasks: number;
  readonly invocations: readonly { readonly ms: number; readonly memoryMb: number }[];
  readonly s3: S3Counts;
  readonly secretsCalls: number;
  readonly kmsRequests: number;
  readonly events: number;
  /** One CheckPropagation invocation (ms at its memory) and its Secrets Manager reads: the price of a poll round. */
  readonly pollMs: number;
  readonly pollSecretsCalls: number;
}

/**
 * The steady-state issuance of bench/AWS-RESULTS.md §3 (commit c4344a1: 19 transitions, 11
 * invocations, S3 GET 27 HEAD 1 PUT 14 LIST 2 DELETE 2, Secrets Manager 12 calls with 12 KMS Decrypts,
 * 2 events), used when section 3 is not run in the same invocation.
 */
export const RECORDED_ISSUANCE: IssuanceCounts = {
  transitions: 19,
  statesEntered: 19,
  tasks: 11,
  invocations: [
    { ms: 36, memoryMb: 512 },
    { ms: 11, memoryMb: 512 },
    { ms: 8, memoryMb: 512 },
    { ms: 7, memoryMb: 512 },
    { ms: 9, memoryMb: 512 },
    { ms: 46, memoryMb: 1024 },
    { ms: 6, memoryMb: 512 },
    { ms: 166, memoryMb: 512 },
    { ms: 37, memoryMb: 512 },
    { ms: 11, memoryMb: 512 },
    { ms: 3, memoryMb: 512 },
  ],
  s3: { GET: 27, HEAD: 1, PUT: 14, POST: 0, LIST: 2, DELETE: 2 },
  secretsCalls: 12,
  kmsRequests: 12,
  events: 2,
  pollMs: 8,
  pollSecretsCalls: 1,
};

/** What a sweep costs apart from its issuances, from section 4 (warm sweeps: the index hit, the ARI answers cached or stale). */
export interface SweepCounts {
  /** PlanRenewals' billed time per 10,000 lineages at 512 MB (CPU-bound floor, section 4 warm B: every ARI answer stale). */
  readonly planMsPer10k: number;
  /** S3 requests of one sweep's planning per 10,000 lineages: LIST pages, the index GET and PUT. */
  readonly planS3Per10k: S3Counts;
}

export const RECORDED_SWEEP: SweepCounts = {
  planMsPer10k: 12_600,
  planS3Per10k: { GET: 1, HEAD: 0, PUT: 2, POST: 0, LIST: 10, DELETE: 0 },
};

/** Assumptions the model states, each with why. */
export const ASSUMPTIONS = {
  /** Route 53 reports INSYNC after 30-60 s (issue 18): 45 s. */
  route53InsyncSeconds: 45,
  /** A real CA validates a dns-01 challenge in a few seconds: one more PollAuthorizations round than on Pebble. */
  extraValidationPolls: 1,
  /** Bytes per Step Functions history event logged at level ALL without execution data (an event's envelope, ~0.4 KB). */
  sfnLogBytesPerEvent: 400,
  /** History events per state entered (entered + exited) and per Task (scheduled, started, succeeded). */
  sfnEventsPerState: 2,
  sfnEventsPerTask: 3,
  /** Lambda's START/END/REPORT lines (~0.35 KB) plus the step's JSON log lines (~0.6 KB). */
  lambdaLogBytesPerInvocation: 950,
  /** S3 bytes per certificate version kept (cert, chain, fullchain, meta, key) and per lineage (renewal json, live/ copy, index entry). */
  s3BytesPerVersion: 9_000,
  s3BytesPerLineage: 10_000,
  /** Secrets kept for the issuer whatever its size: the ACME account key, the EAB credentials, one DNS credential. */
  fixedSecrets: 3,
  /** KMS requests of one issuance on the S3 key store: GenerateDataKey for the pending key and the version's key, Decrypt to promote. */
  keyStoreKmsRequests: 3,
  /**
   * The order slot of a sweep's issuance (LIST, PUT to take, HEAD and DELETE to give back) and the
   * account's new-order budget (GET, and a PUT when the order counts; counted always, conservatively).
   */
  orderSlotS3: { GET: 1, HEAD: 1, PUT: 2, POST: 0, LIST: 1, DELETE: 1 } satisfies S3Counts,
  /** Distributed Map: transitions per item (the item's Issue Task, entered and left) and per sweep (PlanRenewals, Choice, Map, CompleteSweep, Succeed). */
  mapTransitionsPerItem: 2,
  sweepTransitions: 6,
} as const;

/**
 * Renewals per certificate-year: renew at one third of the lifetime left, at half for certificates
 * under 10 days (Let's Encrypt's advice, issue 17), i.e. one issuance every 2/3 (or 1/2) of the lifetime.
 *
 * @example
 * ```ts
 * renewalsPerYear(45); // 12.17
 * ```
 */
export function renewalsPerYear(lifetimeDays: number): number {
  const interval = lifetimeDays < 10 ? lifetimeDays / 2 : (lifetimeDays * 2) / 3;
  return 365 / interval;
}

/**
 * Sweeps a day: what the construct schedules for a fleet of this lifetime (`sweepSchedule`, the
 * one rule: several sweeps inside the CA's suggested renewal window, at least twice a day).
 */
export function sweepsPerDay(lifetimeDays: number): number {
  return 1440 / sweepSchedule([lifetimeDays * 86_400]).intervalMinutes;
}

/** Poll rounds of CheckPropagation until a change is INSYNC after `seconds`, with the real backoff. */
export function propagationPollRounds(seconds: number): number {
  let poll = nextPoll(undefined, false, new Date(0));
  let waited = 0;
  let rounds = 1;
  while (waited < seconds) {
    waited += poll.waitSeconds;
    rounds++;
    poll = nextPoll(poll, false, new Date(waited * 1000));
  }
  return rounds;
}

export interface YearCost {
  readonly lineages: number;
  readonly lifetimeDays: number;
  readonly renewals: number;
  readonly sweeps: number;
  /** Dollars per certificate-year, by component. */
  readonly stepFunctions: number;
  readonly lambda: number;
  readonly s3Requests: number;
  readonly s3Storage: number;
  readonly kms: number;
  readonly secretsManager: number;
  readonly logs: number;
  readonly eventsAndScheduler: number;
  readonly xray: number;
  readonly total: number;
  /** The issuance's Step Functions cost per certificate-year if its order phase ran as Express (the deploy delay stays Standard). */
  readonly stepFunctionsExpress: number;
  /** Transitions per issuance with the realistic poll rounds. */
  readonly transitionsPerIssuance: number;
}

const GB = 1024 ** 3;
const lambdaGbSeconds = (ms: number, memoryMb: number) => (Math.ceil(ms) / 1000) * (memoryMb / 1024);

/**
 * The cost of one certificate-year for a fleet of `lineages` certificates of `lifetimeDays`.
 *
 * @example
 * ```ts
 * yearCost({ lineages: 10_000, lifetimeDays: 45 }).total; // ≈ 0.02
 * ```
 */
export function yearCost(input: { lineages: number; lifetimeDays: number; issuance?: IssuanceCounts; sweep?: SweepCounts }): YearCost {
  const issuance = input.issuance ?? RECORDED_ISSUANCE;
  const sweep = input.sweep ?? RECORDED_SWEEP;
  const n = input.lineages;
  const renewals = renewalsPerYear(input.lifetimeDays);
  const sweeps = 365 * sweepsPerDay(input.lifetimeDays);
  const a = ASSUMPTIONS;

  // One issuance, with the poll rounds a real CA and Route 53 add (each: Task + Choice + Wait).
  const extraPolls = propagationPollRounds(a.route53InsyncSeconds) - 1 + a.extraValidationPolls;
  const transitionsPerIssuance = issuance.transitions + 3 * extraPolls + a.mapTransitionsPerItem;
  const invocations = issuance.invocations.length + extraPolls;
  const gbS = issuance.invocations.reduce((x, i) => x + lambdaGbSeconds(i.ms, i.memoryMb), 0) + extraPolls * lambdaGbSeconds(issuance.pollMs, 512);
  const s3 = issuance.s3;
  const slot = a.orderSlotS3;
  const issuanceS3: S3Counts = {
    GET: s3.GET + extraPolls + slot.GET,
    HEAD: s3.HEAD + slot.HEAD,
    PUT: s3.PUT + slot.PUT,
    POST: s3.POST,
    LIST: s3.LIST + slot.LIST,
    DELETE: s3.DELETE + slot.DELETE,
  };
  const secretsCalls = issuance.secretsCalls + extraPolls * issuance.pollSecretsCalls;
  const kmsRequests = issuance.kmsRequests + extraPolls * issuance.pollSecretsCalls + a.keyStoreKmsRequests;
  const historyEvents = (issuance.statesEntered + 3 * extraPolls) * a.sfnEventsPerState + (issuance.tasks + extraPolls) * a.sfnEventsPerTask;
  const logBytes = historyEvents * a.sfnLogBytesPerEvent + invocations * a.lambdaLogBytesPerInvocation;

  // The sweeps of one year, shared by the fleet.
  const planMs = Math.max(200, (sweep.planMsPer10k * n) / 10_000);
  const planS3: S3Counts = {
    GET: Math.max(1, Math.ceil((sweep.planS3Per10k.GET * n) / 10_000)),
    HEAD: 0,
    PUT: sweep.planS3Per10k.PUT,
    POST: 0,
    LIST: Math.max(1, Math.ceil((sweep.planS3Per10k.LIST * n) / 10_000)),
    DELETE: 0,
  };
  const sweepLogBytes = (a.sweepTransitions * a.sfnEventsPerState + 2 * a.sfnEventsPerTask) * a.sfnLogBytesPerEvent + 2 * a.lambdaLogBytesPerInvocation;

  const perCert = (fleetYear: number) => fleetYear / n;
  const stepFunctions = renewals * transitionsPerIssuance * PRICES.sfnTransition + perCert(sweeps * a.sweepTransitions * PRICES.sfnTransition);
  const lambda =
    renewals * (invocations * PRICES.lambdaRequest + gbS * PRICES.lambdaArmGbSecond) +
    perCert(sweeps * (2 * PRICES.lambdaRequest + lambdaGbSeconds(planMs, 512) * PRICES.lambdaArmGbSecond + lambdaGbSeconds(50, 512) * PRICES.lambdaArmGbSecond));
  const s3Requests = renewals * s3Cost(issuanceS3) + perCert(sweeps * s3Cost(planS3));
  // Every version is kept: the average certificate over its first year holds half a year of versions.
  const s3Storage = 12 * YEAR_PRICES.s3GbMonth * ((a.s3BytesPerLineage + (renewals / 2) * a.s3BytesPerVersion) / GB);
  const kms = renewals * kmsRequests * PRICES.kmsRequest + perCert(12 * YEAR_PRICES.kmsKeyMonth);
  const secretsManager = renewals * secretsCalls * PRICES.secretsCall + perCert(12 * a.fixedSecrets * PRICES.secretMonth);
  const logs = (renewals * logBytes + perCert(sweeps * sweepLogBytes)) * ((YEAR_PRICES.logsIngestGb + YEAR_PRICES.logsStoreGbMonth) / GB);
  const eventsAndScheduler = renewals * issuance.events * PRICES.eventBridgeEvent + perCert(sweeps * (PRICES.eventBridgeEvent + YEAR_PRICES.schedulerInvocation));
  const xray = renewals * YEAR_PRICES.xrayTrace + perCert(sweeps * YEAR_PRICES.xrayTrace);
  const total = stepFunctions + lambda + s3Requests + s3Storage + kms + secretsManager + logs + eventsAndScheduler + xray;

  // Express for the order phase (PrepareOrder → CleanupRecords: every wait under a minute, the whole
  // under Express's 5 minutes): one request, billed for its duration at 64 MB; the Standard
  // tail (EmitIssued, the deploy delay, EmitDeployable: 4 transitions) and the Map item stay.
  const orderPhaseSeconds = a.route53InsyncSeconds + 15;
  const express = YEAR_PRICES.expressRequest + (Math.ceil(orderPhaseSeconds * 10) / 10) * (64 / 1024) * YEAR_PRICES.expressGbSecond;
  const stepFunctionsExpress = renewals * ((4 + a.mapTransitionsPerItem + 1) * PRICES.sfnTransition + express) + perCert(sweeps * a.sweepTransitions * PRICES.sfnTransition);

  return {
    lineages: n,
    lifetimeDays: input.lifetimeDays,
    renewals,
    sweeps,
    stepFunctions,
    lambda,
    s3Requests,
    s3Storage,
    kms,
    secretsManager,
    logs,
    eventsAndScheduler,
    xray,
    total,
    stepFunctionsExpress,
    transitionsPerIssuance,
  };
}

/** ACM exportable certificates for the same names, per certificate-year: the per-name price at issuance and at each renewal. */
export function acmExportableYear(input: { names: number; wildcards: number; chargesPerYear: number }): number {
  return input.chargesPerYear * (input.names * YEAR_PRICES.acmExportableName + input.wildcards * YEAR_PRICES.acmExportableWildcard);
}
