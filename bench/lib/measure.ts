/**
 * Runs a command the way an operator would and measures it: wall time from here (spawn to exit),
 * CPU time (user + system) and peak resident memory from GNU time (`/usr/bin/time`, wait4's rusage).
 * CPU time includes every child the command waited for (tsx's esbuild service, each lego of a
 * shell loop); peak memory is that of the largest single process in the tree (ru_maxrss).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measurement {
  readonly wallMs: number;
  /** user + system CPU, ms. */
  readonly cpuMs: number;
  /** Peak resident set size, KiB. */
  readonly peakRssKb: number;
}

export interface RunOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** What the run is, for an error message. */
  readonly label: string;
}

/** How much of a failed command's output an error shows. */
const TAIL_CHARS = 4_000;

let scratch: Promise<string> | undefined;

/** Runs `command args` under `/usr/bin/time`; rejects with the output's tail when it exits non-zero. */
export async function runMeasured(command: string, args: readonly string[], options: RunOptions): Promise<Measurement & { output: string }> {
  scratch ??= mkdtemp(join(tmpdir(), 'acmeflow-bench-time-'));
  const timeFile = join(await scratch, `${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  const started = performance.now();
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, command, ...args], {
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    const keep = (chunk: Buffer): void => {
      text = (text + chunk.toString('utf8')).slice(-TAIL_CHARS * 4);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ code: exitCode ?? 1, output: text }));
  });
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`${options.label} exited with ${code}:\n${output.slice(-TAIL_CHARS)}`);
  // GNU time writes "Command exited with non-zero status" first on failure; on success only our line.
  const fields = (await readFile(timeFile, 'utf8')).trim().split('\n').at(-1)!.split(' ').map(Number);
  await rm(timeFile, { force: true });
  const [, user, system, maxRss] = fields as [number, number, number, number];
  return { wallMs, cpuMs: (user + system) * 1000, peakRssKb: maxRss, output };
}

/** Removes the directory of GNU time's output files. */
export async function cleanupMeasure(): Promise<void> {
  if (scratch) await rm(await scratch, { recursive: true, force: true });
  scratch = undefined;
}
