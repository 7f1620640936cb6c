/**
 * Cold start of a function bundle, in a fresh `node` process (the Node 22 of the project) per sample:
 *
 * - **import** (module init): `performance.now()` around `await import(index.mjs)`; the part of
 *   Lambda's INIT phase our code controls (the runtime's own bootstrap comes on top, and Lambda's CPU
 *   share at 512 MB is about a third of a core).
 * - **first invocation's deps** (with `buildDeps`): then `await loadAwsDeps()`, the handler's own
 *   export that its first invocation calls: it evaluates the step's adapter modules (bundled in the
 *   same file behind a dynamic import, so not part of the import above: the AWS SDK clients, Powertools)
 *   and builds the clients (no AWS call). import + deps is the whole module-loading cost of a cold start.
 *   A probe bundle that exports `awsDepsFromEnv` (deps-probe.ts) is measured the same way.
 *
 * The median of `runs` processes, one at a time; CPU (user + system) alongside wall time, since the
 * machine is shared and CPU time is less sensitive to other load.
 */
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Node 22 binary: the one running this benchmark (npx puts the project's node first on PATH). */
export function nodeBinary(): string {
  return process.execPath;
}

/** What the bundle's deps read from the environment (no AWS call is made: clients are only built). */
export const BENCH_LAMBDA_ENV = { ACMEFLOW_BUCKET: 'bench-bucket', AWS_REGION: 'us-east-1' } as const;

const IMPORT_PROGRAM = `
const file = process.argv[1];
const c0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(file);
const t1 = performance.now();
const c = process.cpuUsage(c0);
let depsMs;
let depsCpuMs;
if (process.env.BENCH_BUILD_DEPS === '1') {
  const load = mod.loadAwsDeps ?? (mod.awsDepsFromEnv ? () => mod.awsDepsFromEnv(process.env) : undefined);
  if (!load) throw new Error(file + ' exports neither loadAwsDeps nor awsDepsFromEnv');
  const dc = process.cpuUsage();
  const d0 = performance.now();
  await load();
  depsMs = performance.now() - d0;
  const d = process.cpuUsage(dc);
  depsCpuMs = (d.user + d.system) / 1000;
}
process.stdout.write(JSON.stringify({ importMs: t1 - t0, cpuMs: (c.user + c.system) / 1000, depsMs, depsCpuMs, exports: Object.keys(mod).length }));
`;

export interface InitSample {
  readonly importMs: number;
  /** CPU time of the import (user + system): less sensitive than wall time to other load on the machine. */
  readonly cpuMs: number;
  /** The first invocation's deps (`loadAwsDeps()`), when asked. */
  readonly depsMs?: number;
  readonly depsCpuMs?: number;
}

/** One cold process importing `file` (and, with `buildDeps`, calling its `loadAwsDeps` / `awsDepsFromEnv`). */
export async function coldImport(file: string, options: { buildDeps?: boolean } = {}): Promise<InitSample> {
  const { stdout } = await run(nodeBinary(), ['--input-type=module', '-e', IMPORT_PROGRAM, pathToFileURL(file).href], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      // What Lambda sets that the code may read at import time, and what the deps read.
      AWS_LAMBDA_FUNCTION_NAME: 'acmeflow-bench',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      POWERTOOLS_SERVICE_NAME: 'acmeflow',
      ...BENCH_LAMBDA_ENV,
      ...(options.buildDeps ? { BENCH_BUILD_DEPS: '1' } : {}),
    },
    maxBuffer: 1 << 20,
  });
  const parsed = JSON.parse(stdout) as { importMs: number; cpuMs: number; depsMs?: number; depsCpuMs?: number };
  return {
    importMs: parsed.importMs,
    cpuMs: parsed.cpuMs,
    ...(parsed.depsMs === undefined ? {} : { depsMs: parsed.depsMs }),
    ...(parsed.depsCpuMs === undefined ? {} : { depsCpuMs: parsed.depsCpuMs }),
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface InitResult {
  readonly medianMs: number;
  readonly cpuMedianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly samples: readonly number[];
  /** Median of the first invocation's deps (wall, CPU), when measured. */
  readonly depsMedianMs?: number;
  readonly depsCpuMedianMs?: number;
  /** Median of import + deps per process (the whole module-loading cost of a cold start), when measured. */
  readonly totalMedianMs?: number;
}

function summarise(samples: readonly InitSample[]): InitResult {
  const ms = samples.map((s) => s.importMs);
  const deps = samples.flatMap((s) => (s.depsMs === undefined ? [] : [s.depsMs]));
  const depsCpu = samples.flatMap((s) => (s.depsCpuMs === undefined ? [] : [s.depsCpuMs]));
  return {
    medianMs: median(ms),
    cpuMedianMs: median(samples.map((s) => s.cpuMs)),
    minMs: Math.min(...ms),
    maxMs: Math.max(...ms),
    samples: ms,
    ...(deps.length > 0
      ? { depsMedianMs: median(deps), depsCpuMedianMs: median(depsCpu), totalMedianMs: median(samples.map((s) => s.importMs + (s.depsMs ?? 0))) }
      : {}),
  };
}

/** `runs` cold processes, one after another; the median. */
export async function measureInit(file: string, runs: number, options: { buildDeps?: boolean } = {}): Promise<InitResult> {
  const samples: InitSample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await coldImport(file, options));
  return summarise(samples);
}

/**
 * `runs` rounds of one cold process per file in turn, so that load from elsewhere on the machine hits
 * every file alike (A/B comparisons, and a table of many functions measured in the same conditions).
 */
export async function measureInitInterleaved(files: readonly string[], runs: number, options: { buildDeps?: boolean } = {}): Promise<InitResult[]> {
  const samples: InitSample[][] = files.map(() => []);
  for (let round = 0; round < runs; round++) {
    for (const [i, file] of files.entries()) samples[i]!.push(await coldImport(file, options));
  }
  return samples.map(summarise);
}
