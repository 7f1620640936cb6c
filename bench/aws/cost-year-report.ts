/**
 * Section 5 of bench/AWS-RESULTS.md: the cost per certificate-year table (bench/aws/cost-year.ts) for
 * 100, 1,000 and 10,000 lineages and 90-, 64-, 45- and 6-day certificates, the Standard/Express
 * comparison, and ACM exportable certificates beside it.
 */
import {
  acmExportableYear,
  ASSUMPTIONS,
  propagationPollRounds,
  RECORDED_ISSUANCE,
  RECORDED_SWEEP,
  yearCost,
  type IssuanceCounts,
  type SweepCounts,
  type YearCost,
} from './cost-year.js';
import type { IssuanceMeasurement } from './issuance.js';

export const TARGET_COST_YEAR = 0.05;
const FLEETS = [100, 1_000, 10_000] as const;
const LIFETIMES = [90, 64, 45, 6] as const;

/** The counts of one measured issuance (section 3's steady run), as the model takes them. */
export function issuanceCountsOf(run: IssuanceMeasurement, kmsRequests: number): IssuanceCounts {
  const polls = run.invocations.filter((i) => i.state === 'CheckPropagation');
  return {
    transitions: run.transitions,
    statesEntered: run.statesEntered.length,
    tasks: run.invocations.length,
    invocations: run.invocations.map((i) => ({ ms: i.ms, memoryMb: i.memoryMb })),
    s3: run.s3,
    secretsCalls: Object.values(run.secrets).reduce((a, b) => a + b, 0),
    kmsRequests,
    events: run.eventBridgeEntries,
    pollMs: polls[0]?.ms ?? RECORDED_ISSUANCE.pollMs,
    pollSecretsCalls: polls[0]?.secretsCalls ?? RECORDED_ISSUANCE.pollSecretsCalls,
  };
}

const usd = (x: number, digits = 4) => `$${x.toFixed(digits)}`;
const pct = (part: number, whole: number) => `${((part / whole) * 100).toFixed(0)} %`;

export function costYearSection(input: { issuance?: IssuanceCounts; sweep?: SweepCounts }): { lines: string[]; targetRow: string[]; summaryLine: string } {
  const issuance = input.issuance ?? RECORDED_ISSUANCE;
  const sweep = input.sweep ?? RECORDED_SWEEP;
  const lines: string[] = [];
  const say = (line = '') => lines.push(line);
  const costs = FLEETS.flatMap((n) => LIFETIMES.map((d) => yearCost({ lineages: n, lifetimeDays: d, issuance, sweep })));
  const at = (n: number, d: number) => costs.find((c) => c.lineages === n && c.lifetimeDays === d) as YearCost;
  const key = at(10_000, 45);
  const rounds = propagationPollRounds(ASSUMPTIONS.route53InsyncSeconds);

  say('## 5. The cost per certificate-year');
  say();
  say(
    `A model (bench/aws/cost-year.ts) fed by the counts measured above: one issuance on the committed definitions (${input.issuance ? 'section 3 of this run' : 'section 3 as recorded at c4344a1'}: ${issuance.transitions} transitions, ${issuance.invocations.length} invocations, ${issuance.secretsCalls} Secrets Manager calls) and one sweep's planning (${input.sweep ? 'section 4 of this run' : 'section 4 as recorded'}: ${(sweep.planMsPer10k / 1000).toFixed(1)} s at 512 MB per 10,000 lineages with every ARI answer stale), ` +
      `times what a year holds: renewals at one third of the lifetime left (at half under 10 days), sweeps as the construct schedules them for the lifetime (\`sweepSchedule\`: twice a day at 90 days, every 8 hours at 64, every 6 hours at 45, every 30 minutes at 6 days). Default key store (S3, SSE-KMS). List prices, us-east-1, no free tier.`,
  );
  say();
  say('What the model adds to the measured issuance, and why:');
  say(
    `- Route 53 INSYNC after ${ASSUMPTIONS.route53InsyncSeconds} s: ${rounds} CheckPropagation rounds with the real backoff (\`nextPoll\`), ${rounds - 1} more than on BIND, and ${ASSUMPTIONS.extraValidationPolls} more validation poll; each round is Task + Choice + Wait (3 transitions), one invocation, one Secrets Manager read with its KMS Decrypt, one S3 GET. Transitions per issuance: **${key.transitionsPerIssuance.toFixed(0)}** (with the Distributed Map item's ${ASSUMPTIONS.mapTransitionsPerItem}).`,
  );
  say(
    "- The order slot every sweep issuance takes and gives back (LIST, PUT, HEAD, DELETE) and the account's new-order budget (GET, PUT); the S3 key store's KMS requests (3 per issuance: the lineage is the encryption context, so no bucket key).",
  );
  say(
    `- CloudWatch Logs: ${ASSUMPTIONS.sfnLogBytesPerEvent} bytes per history event (the machines log ALL events without execution data: 2 per state, 3 per Task) and ${ASSUMPTIONS.lambdaLogBytesPerInvocation} bytes per invocation, $0.50/GB ingested + one month stored; one X-Ray trace per execution ($5/1M).`,
  );
  say(
    `- Fixed prices shared by the fleet: the issuer's KMS key ($1/month), ${ASSUMPTIONS.fixedSecrets} secrets (account key, EAB, DNS credential; $0.40/month each), the scheduled sweeps (Scheduler $1/1M, ${ASSUMPTIONS.sweepTransitions} transitions, PlanRenewals and CompleteSweep, the listing). S3 storage: every version kept (~${(ASSUMPTIONS.s3BytesPerVersion / 1000).toFixed(0)} KB each) at $0.023/GB-month.`,
  );
  say();
  say("Dollars per certificate-year (each certificate: its renewals, and its share of the fleet's fixed and sweep costs):");
  say();
  const header = [
    'lineages',
    'lifetime',
    'renewals/yr',
    'Step Functions',
    'Lambda',
    'S3 req',
    'S3 storage',
    'KMS',
    'Secrets Manager',
    'Logs + X-Ray',
    'EventBridge + Scheduler',
    '**total**',
  ];
  say(`| ${header.join(' | ')} |`);
  say(`|${header.map(() => '---').join('|')}|`);
  for (const c of costs) {
    say(
      `| ${c.lineages.toLocaleString('en-US')} | ${c.lifetimeDays} d | ${c.renewals.toFixed(1)} | ${usd(c.stepFunctions)} | ${usd(c.lambda)} | ${usd(c.s3Requests)} | ${usd(c.s3Storage, 6)} | ${usd(c.kms)} | ${usd(c.secretsManager)} | ${usd(c.logs + c.xray)} | ${usd(c.eventsAndScheduler, 6)} | **${usd(c.total)}** |`,
    );
  }
  say();
  say(
    `At 10,000 lineages with 45-day certificates: **${usd(key.total)}** per certificate-year (target ≤ $${TARGET_COST_YEAR.toFixed(2)}: ${key.total <= TARGET_COST_YEAR ? 'met' : '**not met**'}). Where it goes: Step Functions ${pct(key.stepFunctions, key.total)}, Secrets Manager ${pct(key.secretsManager, key.total)}, KMS ${pct(key.kms, key.total)}, S3 ${pct(key.s3Requests + key.s3Storage, key.total)}, Lambda ${pct(key.lambda, key.total)}, logs and traces ${pct(key.logs + key.xray, key.total)}.`,
  );
  say(
    `Small fleets pay the fixed prices: at 100 lineages the KMS key and the three secrets ($${(12 + 12 * ASSUMPTIONS.fixedSecrets * 0.4).toFixed(2)} a year) are ${usd(at(100, 45).kms + at(100, 45).secretsManager)} of the ${usd(at(100, 45).total)} per certificate-year. Six-day certificates renew ${at(10_000, 6).renewals.toFixed(0)} times a year: ${usd(at(10_000, 6).total)} at 10,000 lineages, Step Functions ${pct(at(10_000, 6).stepFunctions, at(10_000, 6).total)} of it.`,
  );
  say();
  say(
    '**Standard or Express for the short-wait part.** Step Functions is the largest share, so the order phase (PrepareOrder → CleanupRecords: every Wait under a minute) was priced as an Express workflow (one request, its duration at 64 MB; the deploy delay and the Map item stay Standard):',
  );
  say();
  say('| lifetime | Standard, per cert-year at 10,000 | order phase as Express | saved | saved per year, 10,000 certificates |');
  say('|---|---|---|---|---|');
  for (const d of LIFETIMES) {
    const c = at(10_000, d);
    say(
      `| ${d} d | ${usd(c.stepFunctions)} | ${usd(c.stepFunctionsExpress)} | ${usd(c.stepFunctions - c.stepFunctionsExpress)} | $${((c.stepFunctions - c.stepFunctionsExpress) * 10_000).toFixed(0)} |`,
    );
  }
  say();
  say(
    `Chosen: **Standard** stays. At 45 days Express would save ${usd(key.stepFunctions - key.stepFunctionsExpress)} per certificate-year (the target is met without it), and it brings an at-most-5-minute limit the order phase cannot promise (a DNS provider slower than Route 53, the CA's Retry-After, the wait for an order slot are all longer), at-least-once Task execution, and no execution history to debug a failed issuance from. It pays where certificates live 6 days (${usd(at(10_000, 6).stepFunctions - at(10_000, 6).stepFunctionsExpress)} per certificate-year): the place to revisit it.`,
  );
  say();
  const acm = (charges: number) => acmExportableYear({ names: 1, wildcards: 1, chargesPerYear: charges });
  const acmSingle = (charges: number) => acmExportableYear({ names: 1, wildcards: 0, chargesPerYear: charges });
  say(
    `**The managed alternative: ACM exportable public certificates**, $15 per fully qualified name and $149 per wildcard name, charged at issuance and again at each renewal (aws.amazon.com/certificate-manager/pricing). With one charge a year (a 395-day certificate) to ${(365 / 138).toFixed(1)} (a 198-day certificate renewed 60 days before expiry, as the 200-day ceiling since 2026-03-15 requires): one name **$${acmSingle(1).toFixed(0)}–$${acmSingle(365 / 138).toFixed(0)}** a year, a name with its wildcard (what these benchmarks issue) **$${acm(1).toFixed(0)}–$${acm(365 / 138).toFixed(0)}** a year, against ${usd(key.total)} here (${usd(at(100, 90).total)} for a 100-certificate fleet of 90-day certificates).`,
  );
  const met = key.total <= TARGET_COST_YEAR;
  return {
    lines,
    targetRow: [
      `at most $${TARGET_COST_YEAR.toFixed(2)} per certificate-year (10,000 lineages, 45-day, S3 key store)`,
      `${usd(key.total)}; ${usd(at(100, 45).total)} at 100 lineages, ${usd(at(10_000, 6).total)} for 6-day certificates`,
      met ? 'yes' : '**no**',
    ],
    summaryLine: `cost per certificate-year: $${key.total.toFixed(4)} at 10000 lineages, 45-day certificates`,
  };
}
