/**
 * The sweep's planning step over a 10,000-lineage fleet: the lineages are written into s3rver with
 * S3CertificateStore (a realistic mix, below), then the PlanRenewals function runs alone in a child
 * process (plan-child.ts, bundled like the Lambda) and reports its wall time, CPU time and peak RSS.
 *
 * The mix (fractions of the fleet):
 * - 60 % not due, the CA offers ARI and the answer stored by the last sweep is still fresh
 *   (`state.ari.nextCheckAt` ahead): decided from state, no CA call;
 * - 29 % not due, no ARI certificate id (a CA without ARI): decided by the lifetime fraction;
 * - 8 % due (25 of 90 days left);
 * - 1 % never issued (`currentVersion` 0);
 * - 1 % due by expiry but in failure backoff (`failures.retryNotBefore` ahead);
 * - 0.5 % revoked (due);
 * - 0.5 % due, with ARI (a window that has opened).
 * Every lineage has two to three names, a Route 53 DNS spec and the CA's directory URL (the ARI
 * stand-in of ari-ca.ts). A second run shifts the function's clock 7 hours: every stored ARI
 * answer is stale (Let's Encrypt says Retry-After 6 h; the sweep runs every 12 h), so each ARI
 * lineage costs one CA request — the steady state against Let's Encrypt. (Without a planning
 * index the answer is also written back to each lineage; with one it stays in the index.)
 *
 * Run alone, this file measures only the planning (section 4 of bench/AWS-RESULTS.md, printed as
 * Markdown, nothing written) over the sequence a deployment goes through:
 *
 *   npx tsx bench/aws/planning.ts [--lineages N] [--ari-latency MS] [--memory MB] [--scenarios LIST] [--profile SCENARIO] [--node-args "ARGS"]
 *
 * - `cold-A`: first sweep after deploy (no index), ARI answers cached;
 * - `warm-A`: the next sweep at the same time: the index from `cold-A`;
 * - `warm-B`: 7 hours later, every ARI answer stale (the index's and the lineages');
 * - `warm-C`: 19 hours after seeding, the 1,000 lineages due in A renewed since (rewritten with a
 *   new certificate, as StoreCertificate does) and every ARI answer stale again: the sweep after a
 *   sweep against a CA that asks to be polled every 6 hours (Let's Encrypt), with 10 % of the fleet
 *   changed (a 90-day fleet renews ~1.5 % per 12-hour sweep, so this is an upper bound);
 * - `cold-B`: the index deleted, 19 hours after seeding: a first sweep with every ARI answer stale (worst case);
 * - `A`, `B`: the two runs of the original benchmark on a fresh fleet (for code without an index).
 *
 * The child runs with `--max-old-space-size` of 7/8 of `--memory` (default 512) so the heap is
 * bounded as in a function of that size. `--profile SCENARIO` runs that scenario from an unminified
 * bundle under `--cpu-prof` and prints whose code used the CPU.
 *
 * After the scenarios it prints the subsection "Hand-written protocol code or a library": the CPU per
 * signed read (signing.ts) and per CA request (http-clients.ts) of the library and of our own code,
 * scaled to the scenario with the most CPU and checked against the rule (a library unless it takes
 * more than 20 % of the planning's CPU).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { resolveLineageSpec } from '../../shared/config/index.js';
import type { Lineage, LineageState } from '../../shared/store/index.js';
import { S3CertificateStore } from '../../shared/store/s3/index.js';
import { startS3rver, type S3rverHandle } from '../../harness/s3rver.js';
import * as esbuild from 'esbuild';
import { startAriCa } from './ari-ca.js';
import { buildBundle, CONSTRUCT_ESBUILD, PROJECT_ROOT } from './bundles.js';
import { httpClientsBenchmark, undiciBundleCost } from './http-clients.js';
import { lambdaInvocationCost, s3Cost, usd, type S3Counts } from './pricing.js';
import { summariseProfile } from './profile.js';
import { signingBenchmark } from './signing.js';

const run = promisify(execFile);
const DAY = 86_400_000;
const HOUR = 3_600_000;

export type LineageKind = 'ari-cached' | 'no-ari' | 'due' | 'never-issued' | 'backoff' | 'revoked' | 'ari-due';

/** The kind of the i-th lineage of `n` (deterministic, spread over the key space). */
export function kindOf(i: number): LineageKind {
  const r = (i * 7919) % 1000; // a permutation of 0..999 per block of 1000
  if (r < 600) return 'ari-cached';
  if (r < 890) return 'no-ari';
  if (r < 970) return 'due';
  if (r < 980) return 'never-issued';
  if (r < 990) return 'backoff';
  if (r < 995) return 'revoked';
  return 'ari-due';
}

function hex(i: number, bytes: number): string {
  return (BigInt(i + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(bytes * 2, '0').slice(-bytes * 2);
}

/** A lineage of kind `kind`, as the workflow would have left it, relative to `now`. */
export function makeLineage(i: number, kind: LineageKind, directoryUrl: string, now: number): Lineage {
  const name = `site${String(i).padStart(5, '0')}.example.com`;
  const spec = resolveLineageSpec({
    name,
    domains: [name, `www.${name}`, ...(i % 3 === 0 ? [`api.${name}`] : [])],
    keyType: 'ecdsa-p256',
    ca: { directoryUrl, termsOfServiceAgreed: true },
    dns: { provider: 'route53', config: { hostedZoneId: `Z${hex(i % 50, 8).toUpperCase()}` } },
  });
  if (kind === 'never-issued') return { spec, state: { currentVersion: 0 } };
  // Issued between 1 and 55 days ago (not due), or 65 days ago (due: 25 of 90 days left).
  const age = kind === 'due' || kind === 'backoff' || kind === 'ari-due' ? 65 * DAY : (1 + (i % 55)) * DAY;
  const notBefore = now - age;
  const notAfter = notBefore + 90 * DAY;
  const serialHex = hex(i, 18);
  const withAri = kind === 'ari-cached' || kind === 'ari-due';
  const current = {
    serialHex,
    notBefore: new Date(notBefore).toISOString(),
    notAfter: new Date(notAfter).toISOString(),
    domains: spec.domains,
    issuerCommonName: 'E6',
    keyType: 'ecdsa-p256',
    ...(withAri ? { ariCertificateId: `${Buffer.from(hex(7, 20), 'hex').toString('base64url')}.${Buffer.from(serialHex, 'hex').toString('base64url')}` } : {}),
  };
  const version = 1 + (i % 4);
  const state: LineageState = {
    currentVersion: version,
    current,
    accountUrl: 'https://acme.example/acme/acct/123456789',
    issuedAt: new Date(notBefore + HOUR).toISOString(),
    ...(withAri
      ? {
          ari:
            kind === 'ari-cached'
              ? {
                  windowStart: new Date(notAfter - 32 * DAY).toISOString(),
                  windowEnd: new Date(notAfter - 30 * DAY).toISOString(),
                  selectedTime: new Date(notAfter - 31 * DAY).toISOString(),
                  nextCheckAt: new Date(now + (1 + (i % 5)) * HOUR).toISOString(),
                }
              : {
                  windowStart: new Date(now - 2 * DAY).toISOString(),
                  windowEnd: new Date(now + DAY).toISOString(),
                  selectedTime: new Date(now - DAY).toISOString(),
                  nextCheckAt: new Date(now + 3 * HOUR).toISOString(),
                },
        }
      : {}),
    ...(kind === 'backoff'
      ? {
          failures: {
            count: 2,
            lastFailureAt: new Date(now - HOUR).toISOString(),
            retryNotBefore: new Date(now + HOUR).toISOString(),
            lastError: { name: 'AcmeProblemError', message: 'Error finalizing order :: too many certificates', problemType: 'urn:ietf:params:acme:error:rateLimited' },
          },
        }
      : {}),
    ...(kind === 'revoked' ? { revoked: { at: new Date(now - DAY).toISOString(), reason: 'keyCompromise', serialHex } } : {}),
  };
  return { spec, state };
}

export interface SeedResult {
  readonly count: number;
  readonly ms: number;
  readonly kinds: Readonly<Record<LineageKind, number>>;
}

/** Writes `count` lineages with S3CertificateStore, `concurrency` at a time. */
export async function seedLineages(s3: S3rverHandle, count: number, directoryUrl: string, concurrency = 24): Promise<SeedResult> {
  const store = new S3CertificateStore({ bucket: s3.bucket, client: s3.client });
  const now = Date.now();
  const kinds = { 'ari-cached': 0, 'no-ari': 0, due: 0, 'never-issued': 0, backoff: 0, revoked: 0, 'ari-due': 0 } as Record<LineageKind, number>;
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const kind = kindOf(i);
      kinds[kind]++;
      await store.putLineage(makeLineage(i, kind, directoryUrl, now), { expectedEtag: null });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { count, ms: performance.now() - t0, kinds };
}

export interface PlanRun {
  readonly loadMs: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssMb: number;
  readonly heapUsedMb: number;
  readonly s3: S3Counts;
  /** Time spent waiting for S3 answers, per kind (summed over concurrent requests). */
  readonly s3WaitMs: Readonly<Record<keyof S3Counts, number>>;
  readonly state: { readonly planKey?: string; readonly due: number; readonly skipped: number; readonly expiry?: { daysToExpiryMin: number; lineagesChecked: number } };
  readonly emfLines: number;
  /** The planner's summary: index entries, hits, lineage reads and writes, ARI requests (absent without an index). */
  readonly planningIndex?: { entries: number; indexHits: number; lineageReads: number; ariRequests: number; lineageWrites: number } | 'none';
  /** Distinct warnings the planner logged. */
  readonly warnings?: string[];
  /** The CPU profile written, when asked for. */
  readonly cpuProfileDir?: string;
}

/** Runs the bundled PlanRenewals (plan-child.ts) in a fresh process. */
export async function runPlanChild(
  bundle: string,
  s3: S3rverHandle,
  options: {
    sweepId: string;
    nowOffsetMs?: number;
    cpuProfileDir?: string;
    timeoutMs?: number;
    memoryMb?: number;
    maxOldSpaceMb?: number;
    nodeArgs?: readonly string[];
    /** A PEM file the child trusts besides the system roots (the ARI stand-in's CA). */
    extraCaCertsPath?: string;
  },
): Promise<PlanRun> {
  const args = [
    ...(options.nodeArgs ?? []),
    ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
    ...(options.maxOldSpaceMb ? [`--max-old-space-size=${options.maxOldSpaceMb}`] : []),
    bundle,
  ];
  const { stdout } = await run(process.execPath, args, {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb ?? 1024),
      POWERTOOLS_SERVICE_NAME: 'acmeflow',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      BENCH_S3_ENDPOINT: s3.endpoint,
      BENCH_BUCKET: s3.bucket,
      BENCH_SWEEP_ID: options.sweepId,
      BENCH_NOW_OFFSET_MS: String(options.nowOffsetMs ?? 0),
      BENCH_INPUT: '{}',
      ...(options.extraCaCertsPath ? { NODE_EXTRA_CA_CERTS: options.extraCaCertsPath } : {}),
    },
    maxBuffer: 64 << 20,
    timeout: options.timeoutMs ?? 240_000,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`the planning child printed no result:\n${stdout.slice(-2000)}`);
  return { ...(JSON.parse(line.slice('BENCH_RESULT '.length)) as PlanRun), ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}) };
}

/**
 * What the issuance does to the lineages a sweep found due: a new certificate (issued `now`, 90
 * days), `state.ari` and `failures` gone, as StoreCertificate writes it. Their ETags change, so the
 * next sweep reads exactly these again.
 */
export async function renewDueLineages(s3: S3rverHandle, count: number, directoryUrl: string, now: number, concurrency = 24): Promise<number> {
  const store = new S3CertificateStore({ bucket: s3.bucket, client: s3.client });
  const due = Array.from({ length: count }, (_, i) => i).filter((i) => ['due', 'never-issued', 'revoked', 'ari-due'].includes(kindOf(i)));
  let next = 0;
  const worker = async () => {
    while (next < due.length) {
      const i = due[next++] as number;
      const before = makeLineage(i, kindOf(i) === 'ari-due' ? 'ari-due' : 'no-ari', directoryUrl, now);
      const serialHex = hex(i + 1_000_000, 18);
      const { ari: _gone, failures: _cleared, revoked: _old, ...state } = before.state;
      const previous = before.state.current ?? { domains: before.spec.domains, issuerCommonName: 'E6', keyType: 'ecdsa-p256' };
      const current = {
        ...previous,
        ...('ariCertificateId' in previous && previous.ariCertificateId
          ? { ariCertificateId: `${previous.ariCertificateId.split('.')[0]}.${Buffer.from(serialHex, 'hex').toString('base64url')}` }
          : {}),
        serialHex,
        notBefore: new Date(now - 3_600_000).toISOString(),
        notAfter: new Date(now - 3_600_000 + 90 * DAY).toISOString(),
      };
      await store.putLineage({ spec: before.spec, state: { ...state, currentVersion: state.currentVersion + 1, current, issuedAt: new Date(now).toISOString() } });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return due.length;
}

// ---------------------------------------------------------------------------------------------
// Run alone: the planning part of the deployment benchmark

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : (process.argv[i + 1] ?? fallback);
}

/** Options of {@link planningBenchmark}; the defaults are the command line's. */
export interface PlanningBenchmarkOptions {
  /** @default 10000 */
  readonly lineages?: number;
  /** The ARI stand-in's answer delay. @default 50 */
  readonly ariLatencyMs?: number;
  /** The function's memory: the child's heap limit is 7/8 of it. @default 512 */
  readonly memoryMb?: number;
  /** @default ['cold-A', 'warm-A', 'warm-B', 'warm-C', 'cold-B'] */
  readonly scenarios?: readonly string[];
  /** A scenario to run under `--cpu-prof` from an unminified bundle. */
  readonly profile?: string;
  /** Extra `node` flags for the child. */
  readonly nodeArgs?: readonly string[];
}

/**
 * Seeds a fleet into a fresh s3rver, runs the planning scenarios one after another and returns
 * section 4's Markdown (a table and notes), starting and stopping its own servers. The deployment
 * benchmark can print these lines as its section 4.
 */
/** One scenario's figures, for the Targets table. */
export interface PlanningRunFigures {
  readonly scenario: string;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** CPU time × 1769/memory: the duration if CPU-bound at that memory. */
  readonly atMemoryMs: number;
  readonly maxRssMb: number;
  readonly s3: S3Counts;
}

export async function planningBenchmark(options: PlanningBenchmarkOptions = {}): Promise<{ lines: string[]; runs: PlanningRunFigures[] }> {
  const lineages = options.lineages ?? 10_000;
  const ariLatency = options.ariLatencyMs ?? 50;
  const memoryMb = options.memoryMb ?? 512;
  const scenarios = options.scenarios ?? ['cold-A', 'warm-A', 'warm-B', 'warm-C', 'cold-B'];
  const profile = options.profile ?? '';
  const nodeArgs = options.nodeArgs ?? [];
  const out: string[] = [];
  const runs: PlanningRunFigures[] = [];
  const say = (line = '') => out.push(line);
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' / ');
  say(`- date: ${new Date().toISOString()}; ${os.cpus().length} CPUs; Node ${process.version}; load average at start ${load()}`);
  const work = await mkdtemp(path.join(os.tmpdir(), 'acmeflow-bench-plan-'));
  const s3 = await startS3rver();
  const ca = await startAriCa(ariLatency);
  try {
    const seed = await seedLineages(s3, lineages, ca.directoryUrl);
    const seededAt = Date.now();
    const child = await buildBundle({ name: 'plan-child', entry: 'bench/aws/plan-child.ts', kind: 'extra' }, 'construct', work);
    const plainFile = path.join(work, 'plan-child-unminified', 'index.mjs');
    if (profile) {
      await esbuild.build({ ...CONSTRUCT_ESBUILD, minify: false, absWorkingDir: PROJECT_ROOT, entryPoints: [path.join(PROJECT_ROOT, 'bench/aws/plan-child.ts')], outfile: plainFile });
    }
    say(`- seeded ${seed.count} lineages in ${(seed.ms / 1000).toFixed(1)} s: ${Object.entries(seed.kinds).map(([k, v]) => `${k} ${v}`).join(', ')}; bundle ${(child.bytes / 1024).toFixed(0)} KB`);
    const caTotal = () => [...ca.requests.values()].reduce((a, b) => a + b, 0);
    const rows: string[] = [];
    const details: string[] = [];
    const caBy = new Map<string, number>();
    const labels: Record<string, string> = {
      'cold-A': 'cold A: first sweep (no index), ARI answers cached',
      'warm-A': 'warm A: next sweep, nothing changed',
      'warm-B': 'warm B: +7 h, every ARI answer stale',
      'warm-C': 'warm C: +19 h, every ARI answer stale again, the 1,000 due lineages renewed since',
      'cold-B': 'cold B: index deleted, +19 h, every ARI answer stale',
      A: 'A: ARI answers cached',
      B: 'B: +7 h, every ARI answer stale',
    };
    for (const scenario of scenarios) {
      const offset = scenario.endsWith('A') ? 0 : scenario === 'warm-C' || scenario === 'cold-B' ? 19 * HOUR : 7 * HOUR;
      if (scenario === 'warm-C') details.push(`- renewed ${await renewDueLineages(s3, lineages, ca.directoryUrl, seededAt + 18 * HOUR)} lineages before warm C`);
      if (scenario === 'cold-B' || scenario === 'cold-A') await s3.client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: 'sweeps/planning-index.json' }));
      const ca0 = caTotal();
      const loadBefore = os.loadavg()[0] ?? 0;
      const profileDir = scenario === profile ? path.join(work, `profile-${scenario}`) : undefined;
      const r = await runPlanChild(profileDir ? plainFile : child.file, s3, {
        ...(profileDir ? { cpuProfileDir: profileDir } : {}),
        sweepId: `bench-${scenario}`,
        extraCaCertsPath: ca.caCertPath,
        nowOffsetMs: offset,
        memoryMb,
        maxOldSpaceMb: Math.floor((memoryMb * 7) / 8),
        nodeArgs,
        timeoutMs: 600_000,
      });
      const caRequests = caTotal() - ca0;
      caBy.set(scenario, caRequests);
      if (profileDir) {
        const summary = await summariseProfile(plainFile, profileDir, 20);
        details.push(`- CPU profile of ${scenario} (unminified bundle, ${(summary.totalMs / 1000).toFixed(1)} s of samples): ${summary.groups.map((g) => `${g.name} ${(g.ms / 1000).toFixed(2)} s (${(g.share * 100).toFixed(0)} %)`).join(', ')}`);
      }
      const at512 = r.cpuMs * (1769 / 512);
      runs.push({ scenario, wallMs: r.wallMs, cpuMs: r.cpuMs, atMemoryMs: r.cpuMs * (1769 / memoryMb), maxRssMb: r.maxRssMb, s3: r.s3 });
      const index = typeof r.planningIndex === 'object' ? r.planningIndex : undefined;
      rows.push(
        `| ${labels[scenario] ?? scenario} | ${(r.wallMs / 1000).toFixed(1)} | ${(r.cpuMs / 1000).toFixed(1)} | ${(at512 / 1000).toFixed(1)} | ${r.maxRssMb.toFixed(0)} | ${r.s3.GET} / ${r.s3.PUT} / ${r.s3.LIST} | ${caRequests} | ${index ? `${index.indexHits} / ${index.lineageReads}` : '—'} | ${r.state.due} / ${r.state.skipped} | ${r.wallMs < 30_000 && at512 < 30_000 ? 'yes' : '**no**'} / ${r.maxRssMb < 512 ? 'yes' : '**no**'} |`,
      );
      details.push(
        `- ${scenario}: load ${loadBefore.toFixed(2)} before; waiting on s3rver ${Object.entries(r.s3WaitMs)
          .filter(([, v]) => v > 0)
          .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
          .join(', ')}; start-up ${(r.loadMs / 1000).toFixed(1)} s; heap used ${r.heapUsedMb.toFixed(0)} MB${r.warnings && r.warnings.length > 0 ? `; warnings: ${r.warnings.join(' | ')}` : ''}`,
      );
      console.error(`${scenario}: wall ${(r.wallMs / 1000).toFixed(1)} s, CPU ${(r.cpuMs / 1000).toFixed(1)} s, RSS ${r.maxRssMb.toFixed(0)} MB, S3 ${JSON.stringify(r.s3)}, CA ${caRequests}, index ${JSON.stringify(r.planningIndex)}`);
    }
    say();
    say(
      'Planning keeps a **planning index**, one object `sweeps/planning-index.json` written by the sweep store: per lineage the ETag it was read at, exactly the facts planning reads, and the ARI state (window, chosen moment, next check) for the current serial. ' +
        'A sweep lists `renewal/` (ListObjectsV2 gives every ETag; the next page is listed while one is decided), reads only the lineages whose ETag is not the index\'s, asks the CA (32 requests at a time) only for stale ARI answers, and writes the index back once when something changed (or when it is a week old, ahead of the `sweeps/` expiry). ' +
        'Lineage reads are signed GETs (shared/store/s3/signed-object-reader.ts), not `S3Client.send`; CA requests go over node:http/https (shared/http), not fetch.',
    );
    say();
    say(`| scenario | wall s | CPU s | CPU-bound at 512 MB s | peak RSS MB | S3 GET / PUT / LIST | CA requests | index hits / lineage reads | due / skipped | under 30 s / 512 MB |`);
    say('|---|---|---|---|---|---|---|---|---|---|');
    for (const row of rows) say(row);
    say();
    for (const line of details) say(line);
    const figures = new Map(runs.map((r) => [r.scenario, r]));
    const cpuOf = (scenario: string) => figures.get(scenario)?.cpuMs;
    const [coldA, warmA, warmB] = [cpuOf('cold-A'), cpuOf('warm-A'), cpuOf('warm-B')];
    if (coldA !== undefined && warmA !== undefined && warmB !== undefined) {
      const ariRequests = caBy.get('warm-B') ?? 0;
      say(
        `- Where the CPU goes: warm A (${(warmA / 1000).toFixed(1)} s) is the floor — 10 LIST pages through the SDK, the index parsed, every lineage decided; ` +
          `each lineage read adds ${((coldA - warmA) / lineages).toFixed(2)} ms (cold A − warm A over ${lineages} reads: the signed GET, JSON, the facts), ` +
          `each ARI request ${ariRequests > 0 ? ((warmB - warmA) / ariRequests).toFixed(2) : '—'} ms (warm B − warm A over ${ariRequests}). Before the signed reads and the node:http transport (2026-11-26, same machine): 1.7 ms per read through \`S3Client.send\`, 1.3 ms per ARI request through fetch.`,
      );
    }
    say(
      `- Cost of planning one sweep (arm64 at 512 MB for the CPU-bound duration, plus its S3 requests): ${runs
        .map((r) => `${r.scenario} ${usd(lambdaInvocationCost(r.atMemoryMs, 512) + s3Cost(r.s3), 4)}`)
        .join(', ')}.`,
    );
    say(
      '- "CPU-bound at N MB" = CPU time × 1769/N: Lambda gives one vCPU at 1,769 MB and proportionally less below, assuming one of its vCPUs does the work of one core here. It is a floor: on AWS the wall time is max(that floor, the I/O time), and the I/O here is s3rver\'s.',
    );
    say(
      '- s3rver is much slower than S3 (one Node process storing objects as files, on the same two cores as the planner): the wall times above are s3rver\'s as much as ours. The first sweep after deploy (or after the index was lost) reads every lineage; with a 12-hour schedule and Let\'s Encrypt\'s 6-hour Retry-After, every later sweep refreshes every ARI answer (warm B, C).',
    );
    const indexSize = await s3.client
      .send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'sweeps/planning-index.json' }))
      .then((head) => head.ContentLength)
      .catch(() => undefined);
    if (indexSize !== undefined) say(`- planning index object: ${(indexSize / 1024).toFixed(0)} KB for ${lineages} lineages`);
    say(`- load average at end ${load()}`);
    if (runs.length > 0) for (const line of await librariesOrOwnCode(runs, caBy, child.bytes)) say(line);
  } finally {
    await ca.stop();
    await s3.stop();
    await rm(work, { recursive: true, force: true });
  }
  return { lines: out, runs };
}

/** The rule for hand-written protocol code: a library, unless it would take more than this share of the planning's CPU. */
const LIBRARY_SHARE_LIMIT = 0.2;

/**
 * The share of a scenario's CPU a library takes: `libraryMs` of work where the code in use spends
 * `inUseMs` (the same when the library is the code in use), in a run that took `cpuMs`.
 */
function libraryShare(libraryMs: number, inUseMs: number, cpuMs: number): number {
  return libraryMs / (cpuMs - inUseMs + libraryMs);
}

/**
 * The subsection that keeps the planning's protocol code honest: for the lineage reads' SigV4 (the
 * library in use) and the CA requests' HTTP client (node:http in use), the CPU per operation of the
 * library and of hand-written code (signing.ts, http-clients.ts), scaled to the scenario with the
 * most CPU, against {@link LIBRARY_SHARE_LIMIT}.
 */
async function librariesOrOwnCode(runs: readonly PlanningRunFigures[], caBy: ReadonlyMap<string, number>, bundleBytes: number): Promise<string[]> {
  const out: string[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const worst = runs.reduce((a, b) => (b.cpuMs > a.cpuMs ? b : a));
  const signing = await signingBenchmark({ signs: 20_000, rounds: 5 });
  const reads = worst.s3.GET;
  const signMs = (us: number) => (us * reads) / 1000;
  const signShare = libraryShare(signMs(signing.libraryUs), signMs(signing.libraryUs), worst.cpuMs);
  out.push('');
  out.push(`### Hand-written protocol code or a library (the library, unless it takes more than ${LIBRARY_SHARE_LIMIT * 100} % of the planning's CPU)`);
  out.push('');
  out.push('Signing the lineage reads (SigV4 in shared/store/s3/signed-object-reader.ts, `@smithy/signature-v4` since 2026-12-07; bench/aws/signing.ts):');
  out.push('');
  out.push(...signing.lines);
  out.push('');
  out.push(
    `- In ${worst.scenario}, the scenario with the most CPU (${(worst.cpuMs / 1000).toFixed(1)} s, ${reads} GETs): \`SignatureV4\` signs for ${(signMs(signing.libraryUs) / 1000).toFixed(2)} s, ${pct(signShare)} of it; ` +
      `the hand-written signer would take ${(signMs(signing.handWrittenUs) / 1000).toFixed(2)} s (${pct((signMs(signing.libraryUs) - signMs(signing.handWrittenUs)) / worst.cpuMs)} less CPU). ` +
      (signShare <= LIBRARY_SHARE_LIMIT ? 'Under the limit: the reader signs with the library.' : '**Over the limit: sign by hand again.**'),
  );
  const busiest = runs.reduce((a, b) => ((caBy.get(b.scenario) ?? 0) > (caBy.get(a.scenario) ?? 0) ? b : a));
  const caRequests = caBy.get(busiest.scenario) ?? 0;
  if (caRequests > 0) {
    const http = await httpClientsBenchmark({ requests: 5_000, rounds: 5 });
    const ms = (us: number) => (us * caRequests) / 1000;
    const undiciShare = libraryShare(ms(http.undiciUs), ms(http.nodeHttpUs), busiest.cpuMs);
    const fetchShare = libraryShare(ms(http.fetchUs), ms(http.nodeHttpUs), busiest.cpuMs);
    out.push('');
    out.push('The CA requests (`nodeHttpTransport` in shared/http/transport.ts, node:http; bench/aws/http-clients.ts):');
    out.push('');
    out.push(...http.lines);
    out.push('');
    const undici = await undiciBundleCost();
    const undiciFits = bundleBytes + undici.bytes < 1024 * 1024;
    out.push(
      `- In ${busiest.scenario} (${caRequests} CA requests, CPU ${(busiest.cpuMs / 1000).toFixed(1)} s): node:http spends ${(ms(http.nodeHttpUs) / 1000).toFixed(2)} s on them; ` +
        `\`undici.request\` would spend ${(ms(http.undiciUs) / 1000).toFixed(2)} s (${pct(undiciShare)} of that planning), fetch ${(ms(http.fetchUs) / 1000).toFixed(2)} s (${pct(fetchShare)}).`,
    );
    out.push(
      `- Node's runtime has no \`undici\` module (its fetch uses an internal copy), so \`undici.request\` would be bundled: ${(undici.bytes / 1024).toFixed(0)} KB more in every function that sends HTTP ` +
        `(PlanRenewals ${(bundleBytes / 1024).toFixed(0)} KB → ${((bundleBytes + undici.bytes) / 1024).toFixed(0)} KB${undiciFits ? '' : ', over the 1 MB bundle target'}) and ${undici.importCpuMs.toFixed(0)} ms of CPU at each cold start. ` +
        (fetchShare > LIBRARY_SHARE_LIMIT && !undiciFits
          ? 'fetch is over the limit and undici does not fit the bundle: the transport stays on node:http (a maintained library itself: Node\'s; what shared/http adds is the stale keep-alive retry and the timeout).'
          : fetchShare <= LIBRARY_SHARE_LIMIT
            ? '**fetch is under the limit: the transport could go back to fetch.**'
            : '**undici fits the bundle: weigh its cold-start cost against the CPU it saves.**'),
    );
  }
  return out;
}

async function main(): Promise<void> {
  const { lines } = await planningBenchmark({
    lineages: Number(option('lineages', '10000')),
    ariLatencyMs: Number(option('ari-latency', '50')),
    memoryMb: Number(option('memory', '512')),
    scenarios: option('scenarios', 'cold-A,warm-A,warm-B,warm-C,cold-B').split(','),
    profile: option('profile', ''),
    nodeArgs: option('node-args', '').split(' ').filter(Boolean),
  });
  for (const line of lines) console.log(line);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
