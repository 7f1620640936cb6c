/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) of an unminified esbuild bundle by the package or
 * project folder each sample's code came from (esbuild writes a `// <input path>` line before each
 * module of an unminified bundle), so "whose code burns the CPU" is answered without source maps.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { BENCH_LAMBDA_ENV, nodeBinary } from './init-time.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileShare {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

/**
 * Totals of the profile's samples by whose code ran. `splitNodeCore` names Node's own modules one by
 * one (`node:internal/deps/undici/undici`, ...) instead of one "node core" line.
 */
export async function summariseProfile(bundleFile: string, profileDir: string, top = 14, options: { splitNodeCore?: boolean } = {}): Promise<{ totalMs: number; groups: ProfileShare[] }> {
  const lines = (await readFile(bundleFile, 'utf8')).split('\n');
  const marks: [number, string][] = [];
  lines.forEach((line, i) => {
    const m = /^\/\/ (\S+)$/.exec(line);
    if (m) marks.push([i, m[1]!]);
  });
  const moduleAt = (line: number): string => {
    let lo = 0;
    let hi = marks.length - 1;
    let found = '(bundle runtime helpers)';
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid]![0] <= line) {
        found = marks[mid]![1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  const files = (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${profileDir}`);
  const profile = JSON.parse(await readFile(path.join(profileDir, files[0]!), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const bundleName = path.basename(bundleFile);
  const totals = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    let group: string;
    if (frame.url.endsWith(bundleName)) {
      const mod = moduleAt(frame.lineNumber);
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(mod);
      group = pkg ? pkg[1]! : mod.split('/').slice(0, 2).join('/');
    } else if (frame.functionName === '(idle)') group = '(idle: waiting for I/O)';
    else if (frame.functionName.startsWith('(')) group = frame.functionName;
    else if (frame.functionName === 'compileSourceTextModule') group = '(compiling the bundle)';
    else if (options.splitNodeCore && frame.url.startsWith('node:')) group = frame.url;
    else group = 'node core (http, streams, crypto)';
    totals.set(group, (totals.get(group) ?? 0) + us);
  }
  const busy = [...totals].filter(([k]) => !k.startsWith('(idle')).reduce((a, [, v]) => a + v, 0);
  const groups = [...totals]
    .filter(([k]) => !k.startsWith('(idle'))
    .map(([name, us]) => ({ name, ms: us / 1000, share: us / busy }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top);
  return { totalMs: busy / 1000, groups };
}

const execFileAsync = promisify(execFile);

/**
 * A CPU profile of one cold start of a function bundle (build it unminified, so that esbuild's
 * `// <input path>` lines let {@link summariseProfile} name the packages): a fresh process imports it
 * and, with `buildDeps`, calls its `loadAwsDeps()` (the first invocation's deps). Answers "what is heavy
 * at import": the SDK clients, zod, @peculiar/x509, Powertools, Node's own modules (`splitNodeCore`).
 *
 * @example
 * ```ts
 * const plain = await buildBundle(target, 'construct', workDir, { minify: false });
 * const { groups } = await profileColdStart(plain.file, path.join(workDir, 'prof'), { buildDeps: true });
 * ```
 */
export async function profileColdStart(bundleFile: string, profileDir: string, options: { buildDeps?: boolean; top?: number } = {}): Promise<{ totalMs: number; groups: ProfileShare[] }> {
  await rm(profileDir, { recursive: true, force: true });
  await mkdir(profileDir, { recursive: true });
  const program = `const m = await import(${JSON.stringify(bundleFile)}); if (${options.buildDeps ? 'true' : 'false'}) await m.loadAwsDeps();`;
  await execFileAsync(nodeBinary(), ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--input-type=module', '-e', program], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', POWERTOOLS_SERVICE_NAME: 'acmeflow', ...BENCH_LAMBDA_ENV },
  });
  return summariseProfile(bundleFile, profileDir, options.top ?? 14, { splitNodeCore: true });
}
