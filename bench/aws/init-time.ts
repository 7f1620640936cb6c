/**
 * Cold module-init time of a bundle: a fresh `node` process (the Node 22 of the project) imports the
 * bundle and reports `performance.now()` around `await import(file)`; the median of `runs` processes,
 * one at a time. That is the part of Lambda's INIT phase our code controls (the runtime's own
 * bootstrap comes on top, and Lambda's CPU share at 512 MB is about a third of a core).
 */
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Node 22 binary: the one running this benchmark (npx puts the project's node first on PATH). */
export function nodeBinary(): string {
  return process.execPath;
}

const IMPORT_PROGRAM = `
const file = process.argv[1];
const c0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(file);
const t1 = performance.now();
const c = process.cpuUsage(c0);
let depsMs;
if (process.env.BENCH_BUILD_DEPS === '1') {
  const d0 = performance.now();
  await mod.awsDepsFromEnv({ ACMEFLOW_BUCKET: 'bench-bucket', AWS_REGION: 'us-east-1' });
  depsMs = performance.now() - d0;
}
process.stdout.write(JSON.stringify({ importMs: t1 - t0, cpuMs: (c.user + c.system) / 1000, depsMs, exports: Object.keys(mod).length }));
`;

export interface InitSample {
  readonly importMs: number;
  /** CPU time of the import (user + system): less sensitive than wall time to other load on the machine. */
  readonly cpuMs: number;
  readonly depsMs?: number;
}

/** One cold process importing `file` (and, with `buildDeps`, calling its `awsDepsFromEnv`). */
export async function coldImport(file: string, options: { buildDeps?: boolean } = {}): Promise<InitSample> {
  const { stdout } = await run(nodeBinary(), ['--input-type=module', '-e', IMPORT_PROGRAM, pathToFileURL(file).href], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      // What Lambda sets that the code may read at import time.
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'acmeflow-bench',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      POWERTOOLS_SERVICE_NAME: 'acmeflow',
      ...(options.buildDeps ? { BENCH_BUILD_DEPS: '1' } : {}),
    },
    maxBuffer: 1 << 20,
  });
  const parsed = JSON.parse(stdout) as { importMs: number; cpuMs: number; depsMs?: number };
  return { importMs: parsed.importMs, cpuMs: parsed.cpuMs, ...(parsed.depsMs === undefined ? {} : { depsMs: parsed.depsMs }) };
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
  readonly depsMedianMs?: number;
}

/** `runs` cold processes, one after another; the median. */
export async function measureInit(file: string, runs: number, options: { buildDeps?: boolean } = {}): Promise<InitResult> {
  const samples: InitSample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await coldImport(file, options));
  const ms = samples.map((s) => s.importMs);
  const deps = samples.flatMap((s) => (s.depsMs === undefined ? [] : [s.depsMs]));
  return {
    medianMs: median(ms),
    cpuMedianMs: median(samples.map((s) => s.cpuMs)),
    minMs: Math.min(...ms),
    maxMs: Math.max(...ms),
    samples: ms,
    ...(deps.length > 0 ? { depsMedianMs: median(deps) } : {}),
  };
}
