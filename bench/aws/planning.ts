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
 * lineage costs one CA request and one write-back — the steady state against Let's Encrypt.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveLineageSpec } from '../../shared/config/index.js';
import type { Lineage, LineageState } from '../../shared/store/index.js';
import { S3CertificateStore } from '../../shared/store/s3/index.js';
import type { S3rverHandle } from '../../test/support/s3rver.js';
import type { S3Counts } from './pricing.js';

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
  /** The CPU profile written, when asked for. */
  readonly cpuProfileDir?: string;
}

/** Runs the bundled PlanRenewals (plan-child.ts) in a fresh process. */
export async function runPlanChild(
  bundle: string,
  s3: S3rverHandle,
  options: { sweepId: string; nowOffsetMs?: number; cpuProfileDir?: string; timeoutMs?: number },
): Promise<PlanRun> {
  const args = [...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []), bundle];
  const { stdout } = await run(process.execPath, args, {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      POWERTOOLS_SERVICE_NAME: 'acmeflow',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      BENCH_S3_ENDPOINT: s3.endpoint,
      BENCH_BUCKET: s3.bucket,
      BENCH_SWEEP_ID: options.sweepId,
      BENCH_NOW_OFFSET_MS: String(options.nowOffsetMs ?? 0),
      BENCH_INPUT: '{}',
    },
    maxBuffer: 64 << 20,
    timeout: options.timeoutMs ?? 240_000,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`the planning child printed no result:\n${stdout.slice(-2000)}`);
  return { ...(JSON.parse(line.slice('BENCH_RESULT '.length)) as PlanRun), ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}) };
}
