/**
 * Performance benchmark of the AWS deployment: per function, the bundle size (minified, as the
 * construct bundles) and the cold module-init time; for one issuance, the state transitions and the
 * summed handler time turned into a cost per certificate at list prices; and the sweep's planning
 * time and peak memory over 10,000 lineages. Prints Markdown and writes it to bench/AWS-RESULTS.md.
 *
 *   npx tsx bench/aws-deployment.ts [--sections 1,2,3,4,5] [--lineages N] [--issuances N] [--init-runs N] [--ari-latency MS] [--profile] [--no-write]
 *
 * `--sections` runs some sections only (default all); the others, and the Targets rows of the
 * sections not run, are kept as they are in bench/AWS-RESULTS.md.
 *
 * - Bundles: bench/aws/bundles.ts (one bundle per function with the construct's esbuild options,
 *   infra/lambda/bundle-options.ts), with metafile analysis and two measured, unapplied variants.
 * - Init: bench/aws/init-time.ts (a fresh Node 22 per sample imports index.mjs, then calls the
 *   handler's `loadAwsDeps`: the first invocation's deps); `--profile` adds a CPU profile of the
 *   largest step's cold start.
 * - Issuance: bench/aws/issuance.ts (committed issuance definition, aws-local-stepfunctions, the real
 *   handlers on Pebble + BIND + s3rver + the Secrets Manager and EventBridge fakes); prices in
 *   bench/aws/pricing.ts.
 * - Planning: bench/aws/planning.ts + plan-child.ts (the bundled PlanRenewals alone in a process);
 *   `--profile` also adds a CPU profile of the planning (unminified bundle) summarised by package.
 * - Cost per certificate-year: bench/aws/cost-year.ts (a model fed by sections 3 and 4 when they run
 *   in the same invocation, else by their recorded counts) and bench/aws/cost-year-report.ts; prints
 *   `cost per certificate-year: $X at 10000 lineages, 45-day certificates` once.
 *
 * Every server listens on 127.0.0.1 and is stopped, and every temporary directory removed, at the end.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { LAMBDA_STEPS, type LambdaStep } from '../shared/workflow/machines/index.js';
import { DEFAULT_MEMORY_MB, STEP_MEMORY_MB } from '../infra/lambda/function-sizing.js';
import {
  buildAll,
  buildBundle,
  buildSnippet,
  bundleTargets,
  constructDrift,
  DEPENDENCY_SNIPPETS,
  importChain,
  PROJECT_ROOT,
  sdkBytes,
  sdkClients,
  staticPackages,
  VARIANT_LABEL,
  type BuiltBundle,
  type BundleTarget,
  type Variant,
} from './aws/bundles.js';
import { measureInitInterleaved, median, type InitResult } from './aws/init-time.js';
import { measureIssuances, memoryOf, startIssuanceServers, type IssuanceMeasurement } from './aws/issuance.js';
import { planningBenchmark, type PlanningRunFigures } from './aws/planning.js';
import { certbotPeerCost, costOf, lambdaInvocationCost, PRICES, usd, type CostBreakdown } from './aws/pricing.js';
import { profileColdStart } from './aws/profile.js';
import { costYearSection, issuanceCountsOf } from './aws/cost-year-report.js';
import type { IssuanceCounts, SweepCounts } from './aws/cost-year.js';

// ---------------------------------------------------------------------------------------------
// Options and output

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} needs a number, got ${process.argv[i + 1]}`);
  return value;
}
const LINEAGES = option('lineages', 10_000);
const ISSUANCES = Math.max(1, option('issuances', 3));
const INIT_RUNS = Math.max(1, option('init-runs', 5));
const ARI_LATENCY_MS = option('ari-latency', 50);
const PROFILE = process.argv.includes('--profile');
const WRITE = !process.argv.includes('--no-write');
const ALL_SECTIONS = [1, 2, 3, 4, 5] as const;
const SECTIONS: ReadonlySet<number> = (() => {
  const i = process.argv.indexOf('--sections');
  if (i < 0) return new Set<number>(ALL_SECTIONS);
  const chosen = (process.argv[i + 1] ?? '').split(',').map(Number);
  if (chosen.length === 0 || chosen.some((n) => !ALL_SECTIONS.includes(n as 1))) throw new Error(`--sections takes a list of ${ALL_SECTIONS.join(', ')}, got ${process.argv[i + 1]}`);
  return new Set(chosen);
})();

const TARGET_BUNDLE_BYTES = 1024 * 1024;
const TARGET_INIT_MS = 250;
const TARGET_PLAN_MS = 30_000;
const TARGET_PLAN_MEMORY_MB = 512;
const TARGET_COST = 0.001;
/** Lambda gives a function one vCPU at 1,769 MB, and CPU in proportion below that. */

const report: string[] = [];
function say(line = ''): void {
  report.push(line);
  console.log(line);
}
const kb = (bytes: number) => (bytes / 1024).toFixed(0);
const ms = (value: number) => value.toFixed(0);
const s = (valueMs: number) => (valueMs / 1000).toFixed(1);
const ok = (met: boolean) => (met ? 'yes' : '**no**');
const table = (header: string[], rows: (string | number)[][]) => {
  say(`| ${header.join(' | ')} |`);
  say(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) say(`| ${row.join(' | ')} |`);
};

const started = performance.now();
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanup(): Promise<void> {
  while (cleanups.length > 0) await cleanups.pop()!().catch((error: unknown) => console.error('cleanup:', error));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
const loadAtStart = os.loadavg();
const date = new Date().toISOString();
say('# acmeflow on AWS — deployment benchmark');
say();
say(`- date: ${date}`);
say(`- machine: ${os.cpus().length} CPUs (nproc ${execFileSync('nproc').toString().trim()}, ${cpuModel}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${os.type()} ${os.release()}`);
say(`- Node ${process.version} (${process.execPath.replace(PROJECT_ROOT + path.sep, '')}), esbuild ${esbuild.version}`);
say(`- load average at start: ${loadAtStart.map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min; other processes on the machine skew wall times, CPU times less)`);
say(`- command: npx tsx bench/aws-deployment.ts ${process.argv.slice(2).join(' ')}`.trimEnd());

const workDir = await mkdtemp(path.join(os.tmpdir(), 'acmeflow-bench-aws-'));
cleanups.push(() => rm(workDir, { recursive: true, force: true }));

// Results the later sections and the Targets table read.
const VARIANTS: Variant[] = ['sdk-external', 'no-alias'];
let built: BuiltBundle[] = [];
let probe: BuiltBundle | undefined;
let driftWarning = '';
let variantTargets: BundleTarget[] = [];
const variantBuilt = new Map<string, BuiltBundle>();
const inits = new Map<string, InitResult>();
let probeInit: InitResult | undefined;
const targetRows: (string | number)[][] = [];
// Section 5 (the cost per certificate-year) reads the counts of sections 3 and 4 when they ran.
let measuredIssuance: IssuanceCounts | undefined;
let measuredSweep: SweepCounts | undefined;

try {
  // -------------------------------------------------------------------------------------------
  // 1. Bundle sizes
  if (SECTIONS.has(1) || SECTIONS.has(2)) {
    const drift = await constructDrift();
    const targets = bundleTargets();
    built = await buildAll(targets, 'construct', workDir);
    probe = await buildBundle({ name: 'deps-probe', entry: 'bench/aws/deps-probe.ts', kind: 'probe' }, 'construct', workDir);
    if (drift.length > 0) driftWarning = `\n> WARNING: the construct changed since this benchmark was written: ${drift.join('; ')}`;
  }
  const steps = built.filter((b) => b.target.kind === 'step');
  const memoryOfFolder = (folder: string): string => {
    const step = (Object.entries(LAMBDA_STEPS) as [LambdaStep, string][]).find(([, f]) => f === folder)?.[0];
    return String(step ? (STEP_MEMORY_MB[step] ?? DEFAULT_MEMORY_MB) : DEFAULT_MEMORY_MB);
  };
  const HEAVY = ['zod', 'jose', '@peculiar/x509', 'dns-packet', '@aws-lambda-powertools/logger', '@aws-sdk/client-s3', '@aws-sdk/client-secrets-manager', '@aws-sdk/client-eventbridge', '@aws-sdk/client-route-53', '@aws-sdk/client-sts', '@aws-sdk/client-acm', '@aws-sdk/client-sfn'];
  const short = (pkg: string) => pkg.replace('@aws-sdk/client-', '').replace('@aws-lambda-powertools/logger', 'powertools').replace('@peculiar/x509', 'x509');
  if (SECTIONS.has(1)) {
    say();
    say('## 1. Bundle size per function');
    say();
    say(
      "Every function is its own esbuild bundle (infra/lambda/acmeflow-function.ts), from its own entry (`functions/<step>/handler.ts`; the extra functions' handlers), built here with the construct's own options (`LAMBDA_BUNDLE` in infra/lambda/bundle-options.ts): minify, ESM, target node22, platform node, the `createRequire` banner, main fields `module,main`, keep-names, `bundleAwsSDK: true` (nothing external), the `@smithy/credential-provider-imds` alias. " +
        "A handler imports its step's core module directly (not the `shared/workflow` barrel); its AWS adapters are in `functions/<step>/aws-deps.ts` (the step's STEP_ACCESS only), behind a dynamic import that esbuild keeps in the same file but evaluates only on the first invocation.",
    );
    if (driftWarning) say(driftWarning);
    say();
    const staticOf = new Map(built.map((b) => [b.target.name, new Set(staticPackages(b))] as const));
    table(
      ['function', 'memory MB', 'bytes', 'KB', 'gzip KB', 'evaluated at import', 'loaded on first invocation', 'under 1 MB'],
      built.map((b) => {
        const inBundle = HEAVY.filter((p) => b.groups.some((g) => g.name === p));
        const atImport = inBundle.filter((p) => staticOf.get(b.target.name)!.has(p));
        const later = inBundle.filter((p) => !atImport.includes(p));
        return [
          b.target.kind === 'extra' ? `${b.target.name} (extra)` : b.target.name,
          memoryOfFolder(b.target.name),
          b.bytes,
          kb(b.bytes),
          kb(b.gzipBytes),
          atImport.map(short).join(', ') || '—',
          later.map(short).join(', ') || '—',
          ok(b.bytes < TARGET_BUNDLE_BYTES),
        ];
      }),
    );
    say();
    say('"evaluated at import" and "loaded on first invocation" list the heavy packages in each bundle (zod, jose, @peculiar/x509, dns-packet, Powertools, the SDK clients) by whether the static import graph reaches them; 1 MB = 1,048,576 bytes.');
    const largest = [...built].sort((a, b) => b.bytes - a.bytes)[0]!;
    const smallest = [...steps].sort((a, b) => a.bytes - b.bytes)[0]!;
    say();
    say(`Top contributors to the largest bundle (${largest.target.name}, ${kb(largest.bytes)} KB) and to the smallest step bundle (${smallest.target.name}, ${kb(smallest.bytes)} KB), bytes in the output:`);
    say();
    const groupNames = [...new Set([...largest.groups.slice(0, 14), ...smallest.groups.slice(0, 14)].map((g) => g.name))];
    table(
      ['input (package or folder)', `${largest.target.name} KB`, `${smallest.target.name} KB`],
      groupNames
        .map((name) => [name, largest.groups.find((g) => g.name === name)?.bytes ?? 0, smallest.groups.find((g) => g.name === name)?.bytes ?? 0] as const)
        .sort((a, b) => b[1] - a[1])
        .map(([name, a, b]) => [name, kb(a), kb(b)]),
    );
    say();
    say(
      `In ${smallest.target.name}: AWS SDK (@aws-sdk/*, @smithy/*) ${kb(sdkBytes(smallest))} KB, zod ${kb(smallest.groups.find((g) => g.name === 'zod')?.bytes ?? 0)} KB. ` +
        `For comparison, \`functions/runtime/aws-deps.ts\` \`awsDepsFromEnv\` (every adapter: what every function carried before the per-step deps) bundles to ${kb(probe!.bytes)} KB alone (SDK ${kb(sdkBytes(probe!))} KB; clients ${sdkClients(probe!).join(', ')}).`,
    );
    say();
    say('Why a package is in a bundle (import chains; "(dynamic)" marks the lazy edge to the step\'s aws-deps.ts, evaluated on the first invocation):');
    say();
    const byName = (name: string) => built.find((b) => b.target.name === name);
    for (const [fn, label, match] of [
      ['emit-issued', 'zod (every step: the issuance state schema)', 'node_modules/zod/'],
      ['emit-issued', 'S3 client', '@aws-sdk/client-s3/'],
      ['emit-issued', 'EventBridge client', '@aws-sdk/client-eventbridge/'],
      ['finalize-order', '@peculiar/x509 (the CSR)', '@peculiar/x509/'],
      ['respond-challenges', 'jose (JWS of the ACME requests)', 'node_modules/jose/'],
      ['publish-records', 'Route 53 client (DNS providers)', '@aws-sdk/client-route-53/'],
    ] as const) {
      const b = byName(fn);
      const chain = b ? importChain(b, match, { dynamic: true }) : undefined;
      say(`- ${label}, in ${fn}: ${chain ? chain.map((c) => `\`${c}\``).join(' → ') : 'not in the bundle'}`);
    }
    const absent = (pkg: string) => steps.filter((b) => !b.groups.some((g) => g.name === pkg)).length;
    say(
      `- Not in the bundle at all: @peculiar/x509 in ${absent('@peculiar/x509')} of ${steps.length} steps, the Route 53 client in ${absent('@aws-sdk/client-route-53')}, the EventBridge client in ${absent('@aws-sdk/client-eventbridge')}, the Secrets Manager client in ${absent('@aws-sdk/client-secrets-manager')}; the ACM client in every step (ACM import is the deploy hook's job).`,
    );

    // Variants, measured on the largest and smallest bundles.
    variantTargets = [largest.target, smallest.target];
    for (const variant of VARIANTS) for (const b of await buildAll(variantTargets, variant, workDir)) variantBuilt.set(`${variant}:${b.target.name}`, b);
    say();
    say('Variants, measured here and NOT applied (bytes, minified):');
    say();
    table(
      ['bundle', VARIANT_LABEL.construct, ...VARIANTS.map((v) => VARIANT_LABEL[v])],
      variantTargets.map((t) => [t.name, `${kb(built.find((b) => b.target === t)!.bytes)} KB`, ...VARIANTS.map((v) => `${kb(variantBuilt.get(`${v}:${t.name}`)!.bytes)} KB`)]),
    );
  }

  // -------------------------------------------------------------------------------------------
  // 2. Cold init
  if (SECTIONS.has(2)) {
    say();
    say('## 2. Cold start per function: module init, and the first invocation\'s deps');
    say();
    say(`(load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')})`);
    say();
    say(
      `A fresh \`node\` (${process.version}) per sample runs \`performance.now()\` around \`await import(index.mjs)\` (**import** = module init, the target's measure), then \`await loadAwsDeps()\`: the handler's export that its first invocation calls, which evaluates the step's adapter modules (the SDK clients, Powertools; bundled in the same file) and builds the clients, no AWS call (**deps**). ` +
        `import + deps is the whole module-loading cost of a cold start. Medians of ${INIT_RUNS} rounds, every function measured once per round in turn so that load from elsewhere on the machine hits all alike; CPU = user + system time of the process. The extra functions have no \`loadAwsDeps\` (their deps load inside the handler): import only.`,
    );
    const stepFiles = built.filter((b) => b.target.kind === 'step');
    const extraFiles = built.filter((b) => b.target.kind !== 'step');
    const stepInits = await measureInitInterleaved(stepFiles.map((b) => b.file), INIT_RUNS, { buildDeps: true });
    const extraInits = await measureInitInterleaved(extraFiles.map((b) => b.file), INIT_RUNS);
    stepFiles.forEach((b, i) => {
      inits.set(b.target.name, stepInits[i]!);
    });
    extraFiles.forEach((b, i) => {
      inits.set(b.target.name, extraInits[i]!);
    });
    probeInit = (await measureInitInterleaved([probe!.file], INIT_RUNS, { buildDeps: true }))[0]!;
    say();
    table(
      ['function', 'import median ms', 'min–max ms', 'import CPU ms', 'deps median ms (CPU)', 'import + deps ms', 'import under 250 ms', 'import + deps under 250 ms'],
      built.map((b) => {
        const r = inits.get(b.target.name)!;
        return [
          b.target.kind === 'extra' ? `${b.target.name} (extra)` : b.target.name,
          ms(r.medianMs),
          `${ms(r.minMs)}–${ms(r.maxMs)}`,
          ms(r.cpuMedianMs),
          r.depsMedianMs === undefined ? '—' : `${ms(r.depsMedianMs)} (${ms(r.depsCpuMedianMs ?? 0)})`,
          r.totalMedianMs === undefined ? '—' : ms(r.totalMedianMs),
          ok(r.medianMs < TARGET_INIT_MS),
          r.totalMedianMs === undefined ? '—' : ok(r.totalMedianMs < TARGET_INIT_MS),
        ];
      }),
    );
    say();
    say(
      `Before the per-step deps, the first invocation loaded \`awsDepsFromEnv\` with every adapter: that module alone, bundled the same way (${kb(probe!.bytes)} KB), imports in ${ms(probeInit.medianMs)} ms and builds its clients in ${ms(probeInit.depsMedianMs ?? 0)} ms (${ms(probeInit.totalMedianMs ?? 0)} ms together).`,
    );

    // What each dependency costs alone: one-line bundles, cold.
    const snippets = await Promise.all(DEPENDENCY_SNIPPETS.map((snippet) => buildSnippet(snippet, workDir)));
    const snippetInits = await measureInitInterleaved(snippets.map((sn) => sn.file), INIT_RUNS);
    say();
    say(`What each dependency costs alone (a one-line bundle built the same way, cold import; median of ${INIT_RUNS} rounds, interleaved). The first line is the floor: node starting its ES module loader.`);
    say();
    table(
      ['bundle', 'KB', 'import median ms', 'CPU ms'],
      snippets.map((sn, i) => [sn.label, kb(sn.bytes), ms(snippetInits[i]!.medianMs), ms(snippetInits[i]!.cpuMedianMs)]),
    );

    // The variants against the construct's bundle, interleaved, import + deps.
    if (variantTargets.length > 0) {
      const abRows: (string | number)[][] = [];
      for (const t of variantTargets) {
        const files = [built.find((b) => b.target === t)!.file, ...VARIANTS.map((v) => variantBuilt.get(`${v}:${t.name}`)!.file)];
        const results = await measureInitInterleaved(files, INIT_RUNS * 2, { buildDeps: t.kind === 'step' });
        abRows.push([t.name, ...results.map((r) => `${ms(r.medianMs)} / ${ms(r.totalMedianMs ?? r.medianMs)} / ${ms(r.cpuMedianMs + (r.depsCpuMedianMs ?? 0))}`)]);
      }
      say();
      say(
        `Init of the variants, interleaved A/B (${INIT_RUNS * 2} cold processes each; import ms / import + deps ms / CPU ms of both). \`sdk-external\` loads the SDK file by file from node_modules, as Lambda would from the runtime's /var/runtime/node_modules:`,
      );
      say();
      table(['bundle', VARIANT_LABEL.construct, ...VARIANTS.map((v) => VARIANT_LABEL[v])], abRows);
    }

    if (PROFILE) {
      const target = [...steps].sort((a, b) => b.bytes - a.bytes)[0]!.target;
      const plain = await buildBundle(target, 'construct', workDir, { minify: false });
      const summary = await profileColdStart(plain.file, path.join(workDir, 'init-profile'), { buildDeps: true, top: 16 });
      say();
      say(`CPU profile of one cold start of ${target.name} (import + first invocation's deps; \`--cpu-prof\`, unminified bundle; ${ms(summary.totalMs)} ms of samples not idle, the profiler's own overhead included), by whose code ran:`);
      say();
      table(['code', 'CPU ms', 'share'], summary.groups.map((g) => [g.name, ms(g.ms), `${(g.share * 100).toFixed(0)} %`]));
      say();
      say('`(bundle runtime helpers)` is mostly esbuild\'s `__esm`/`__commonJS` wrappers running, and V8 compiling on first call, the lazily initialised modules (the SDK behind the dynamic import); `node:internal/deps/undici/undici` is what an ES module import of `node:http` costs (nodejs/node#59686), which the imds alias keeps out of the bundle.');
    }
  }

  // -------------------------------------------------------------------------------------------
  // 3. One issuance
  if (SECTIONS.has(3)) {
    say();
    say('## 3. One issuance: state transitions, handler time, cost per certificate');
    say();
    say(
      `The committed \`shared/workflow/machines/asl/issuance.asl.json\` run by aws-local-stepfunctions, every Task bound to its real handler (\`makeHandler(() => awsDepsFromEnv(env, { clientConfig, transport }))\`; the ACME requests over the functions' own node:https transport) against Pebble (EAB; harness defaults: no VA sleep, no nonce rejection) validating on BIND 9 (rfc2136 + TSIG secret), s3rver, the Secrets Manager and EventBridge fakes; real Wait lengths. ` +
        `${ISSUANCES} issuances of new lineages (2 names: \`bench<n>.example.test\` + wildcard, ECDSA P-256, deploy delay 1 s). Run 1 registers the ACME account and is every function's first invocation (deps built, as in a cold container); the last run is the steady state.`,
    );
    const servers = await startIssuanceServers();
    cleanups.push(() => servers.stop());
    const runs = await measureIssuances(servers, ISSUANCES);
    await servers.stop();
    const first = runs[0]!;
    const steady = runs.at(-1)!;
    say();
    for (const r of runs) {
      say(
        `- ${r.lineage}: ${r.status}, wall ${s(r.wallMs)} s, **${r.transitions} state transitions** (${r.statesEntered.length} states entered + ${r.retries} retries), ${r.invocations.length} Lambda invocations, handler time ${ms(r.invocations.reduce((a, i) => a + i.ms, 0))} ms`,
      );
    }
    say();
    say(`States entered (steady run): ${steady.statesEntered.map((st) => `${st.name} (${st.type})`).join(' → ')}`);
    say();
    const stateRows = [...new Set([...first.invocations, ...steady.invocations].map((i) => i.state))];
    table(
      ['Task state', 'memory MB', 'run 1 ms', 'steady ms', 'steady billed GB-s', 'S3 req', 'SM calls', 'ACME req'],
      stateRows.map((state) => {
        const a = first.invocations.filter((i) => i.state === state);
        const b = steady.invocations.filter((i) => i.state === state);
        const memory = (b[0] ?? a[0])!.memoryMb;
        const gbS = b.reduce((x, i) => x + (Math.ceil(i.ms) / 1000) * (i.memoryMb / 1024), 0);
        return [
          state + (b.length > 1 ? ` ×${b.length}` : ''),
          memory,
          a.map((i) => ms(i.ms)).join(' + ') || '—',
          b.map((i) => ms(i.ms)).join(' + ') || '—',
          gbS.toFixed(4),
          b.reduce((x, i) => x + i.s3Requests, 0),
          b.reduce((x, i) => x + i.secretsCalls, 0),
          b.reduce((x, i) => x + i.acmeRequests, 0),
        ];
      }),
    );
    const kmsOf = (r: IssuanceMeasurement) => (r.secrets['GetSecretValue'] ?? 0) + (r.secrets['PutSecretValue'] ?? 0) + (r.secrets['CreateSecret'] ?? 0);
    const costs = (r: IssuanceMeasurement): CostBreakdown =>
      costOf({
        transitions: r.transitions,
        invocations: r.invocations.map((i) => ({ ms: i.ms, memoryMb: i.memoryMb })),
        s3: r.s3,
        secretsCalls: Object.values(r.secrets).reduce((a, b) => a + b, 0),
        events: r.eventBridgeEntries,
        kmsRequests: kmsOf(r),
      });
    const c1 = costs(first);
    const cN = costs(steady);
    measuredIssuance = issuanceCountsOf(steady, kmsOf(steady));
    // Lambda bills INIT for on-demand functions on managed runtimes since 1 August 2025: each cold
    // function adds its init (its bundle's import + the first invocation's deps, section 2) at its memory.
    const coldFunctions = [...new Set(steady.invocations.map((i) => i.step))];
    const coldMsOf = (step: LambdaStep) => {
      const r = inits.get(LAMBDA_STEPS[step]);
      return r ? (r.totalMedianMs ?? r.medianMs) : undefined;
    };
    const coldKnown = coldFunctions.every((step) => coldMsOf(step) !== undefined);
    const coldInitCost = coldKnown ? coldFunctions.reduce((a, step) => a + lambdaInvocationCost(coldMsOf(step)!, memoryOf(step)) - PRICES.lambdaRequest, 0) : undefined;
    const coldMs = coldKnown ? coldFunctions.map((step) => coldMsOf(step)!) : [];
    say();
    say('Requests per issuance (run 1 / steady):');
    say(`- S3 (s3rver received): ${['GET', 'HEAD', 'PUT', 'LIST', 'DELETE'].map((k) => `${k} ${first.s3[k as 'GET']}/${steady.s3[k as 'GET']}`).join(', ')}`);
    say(`- Secrets Manager: ${Object.keys({ ...first.secrets, ...steady.secrets }).map((k) => `${k} ${first.secrets[k] ?? 0}/${steady.secrets[k] ?? 0}`).join(', ')}`);
    say(`- EventBridge: ${first.eventBridgeEntries}/${steady.eventBridgeEntries} events in ${first.eventBridgeCalls}/${steady.eventBridgeCalls} PutEvents calls`);
    say(`- KMS (derived): ${kmsOf(first)}/${kmsOf(steady)} — one Decrypt per GetSecretValue, one GenerateDataKey per CreateSecret/PutSecretValue (secrets under the issuer's key); S3 adds ~0 (bucket keys on). Without bucket keys: +${first.s3.GET + first.s3.PUT}/${steady.s3.GET + steady.s3.PUT}.`);
    say(`- ACME (Pebble): ${first.acmeRequests}/${steady.acmeRequests} — steady: ${Object.entries(steady.acmeByKind).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    say();
    say('Cost per certificate at list prices (us-east-1, no free tier; Lambda arm64 at each function\'s memory, billed ms rounded up):');
    say();
    const costRow = (label: string, key: keyof CostBreakdown, note = '') => [label, usd(c1[key]), usd(cN[key]), note];
    table(
      ['component', 'run 1 (account registered)', 'steady state', 'how'],
      [
        costRow('Step Functions Standard', 'stepFunctions', `${steady.transitions} transitions × $0.025/1,000 (Wait states: one transition each; the waiting is free)`),
        costRow('Lambda compute', 'lambdaCompute', `${ms(steady.invocations.reduce((a, i) => a + i.ms, 0))} ms summed, × $0.0000133334/GB-s at 512/1024 MB`),
        costRow('Lambda requests', 'lambdaRequests', `${steady.invocations.length} × $0.20/1M`),
        costRow('S3 requests', 's3', 'PUT/LIST $0.005/1,000, GET/HEAD $0.0004/1,000'),
        costRow('Secrets Manager API', 'secretsManager', '$0.05/10,000 calls'),
        costRow('EventBridge', 'eventBridge', '$1.00/1M events'),
        costRow('KMS', 'kms', '$0.03/10,000 requests'),
        ['**total**', `**${usd(c1.total)}**`, `**${usd(cN.total)}**`, `target < $0.001: ${ok(cN.total < TARGET_COST)} (run 1: ${ok(c1.total < TARGET_COST)})`],
      ],
    );
    const share = (x: number) => `${((x / cN.total) * 100).toFixed(0)} %`;
    say();
    say(
      `Where the steady-state money goes: Step Functions ${share(cN.stepFunctions)}, Secrets Manager + KMS ${share(cN.secretsManager + cN.kms)}, S3 ${share(cN.s3)}, Lambda ${share(cN.lambdaCompute + cN.lambdaRequests)}, EventBridge ${share(cN.eventBridge)}.`,
    );
    const tenX = costOf({
      transitions: 0,
      invocations: steady.invocations.map((i) => ({ ms: i.ms * 10, memoryMb: i.memoryMb })),
      s3: { GET: 0, HEAD: 0, PUT: 0, POST: 0, LIST: 0, DELETE: 0 },
      secretsCalls: 0,
      events: 0,
      kmsRequests: 0,
    }).lambdaCompute;
    say(
      coldInitCost === undefined
        ? '- Cold start cost: run with section 2 (`--sections 2,3`) for the per-function init figures it is computed from.'
        : `- If every function also starts cold: + ${usd(coldInitCost)} (INIT is billed since 1 Aug 2025: ${coldFunctions.length} functions, each its own bundle's import + first invocation's deps, ${ms(Math.min(...coldMs))}–${ms(Math.max(...coldMs))} ms, measured in section 2) → ${usd(cN.total + coldInitCost)}.`,
    );
    say(`- Handler time here is loopback time on a full core; on Lambda (a third of a vCPU at 512 MB, real network to the CA and AWS) it is longer. At 10× the measured durations Lambda compute would be ${usd(tenX)} instead of ${usd(cN.lambdaCompute)}: the transitions dominate either way.`);
    const pollStates = ['PollAuthorizations', 'CheckPropagation', 'PollOrder'];
    const pollMs = median(steady.invocations.filter((i) => pollStates.includes(i.state)).map((i) => i.ms));
    const pollSm = median(steady.invocations.filter((i) => pollStates.includes(i.state)).map((i) => i.secretsCalls));
    const perPoll = 3 * PRICES.sfnTransition + lambdaInvocationCost(pollMs, DEFAULT_MEMORY_MB) + pollSm * (PRICES.secretsCall + PRICES.kmsRequest) + PRICES.s3GetTier;
    const headroom = Math.floor((TARGET_COST - cN.total) / perPoll);
    say(
      `- Each extra poll round (Task + Choice + Wait = 3 transitions, one ${ms(pollMs)} ms invocation, ${pollSm} Secrets Manager read(s) with its KMS Decrypt, one S3 GET) costs ${usd(perPoll)}; ` +
        `this run needed the minimum. ${headroom >= 0 ? `${headroom} more poll round(s) fit under $0.001` : 'the steady state is already over $0.001'}` +
        ` (a Route 53 change takes tens of seconds to reach INSYNC: with the 1-2-4-8-16-32 s backoff that is ~5-6 CheckPropagation rounds).`,
    );
    const peer60 = certbotPeerCost(60, 1024);
    const peer75 = certbotPeerCost(75, 1024);
    const peer60x86 = certbotPeerCost(60, 1024, PRICES.lambdaX86GbSecond);
    say(
      `- certbot-in-Lambda peer (1 GB, sleeps 60 s for propagation): arm64 ${usd(peer60)} for exactly 60 s, ${usd(peer75)} for a realistic 75 s (sleep + ACME + key generation); x86_64 ${usd(peer60x86)} for 60 s. ` +
        `acmeflow steady state: ${usd(cN.total)} = ${(cN.total / peer60).toFixed(2)}× the 60-s arm64 peer. (At arm64 prices 60 s at 1 GB is $0.000800, not ≥ $0.001; the peer reaches $0.001 after 75 s, or on x86.)`,
    );
    say(
      `- Not per issuance but per certificate: with the default key store (\`keyStore: 's3'\`) the key is an S3 object with no monthly price beyond storage; a certificate kept with \`keyStore: 'secretsManager'\` pays $${PRICES.secretMonth.toFixed(2)}/month for its key secret (≈ $${(PRICES.secretMonth * 2).toFixed(2)} per 60-day renewal cycle), 1,000× the issuance. The whole cost per certificate-year is section 5.`,
    );

    targetRows.push([
      'under $0.001 per certificate',
      `${usd(cN.total)} steady, ${usd(c1.total)} first${coldInitCost === undefined ? '' : `; ${usd(cN.total + coldInitCost)} with every function cold`}`,
      ok(cN.total < TARGET_COST),
    ]);
  }

  // -------------------------------------------------------------------------------------------
  // 4. Planning 10,000 lineages (bench/aws/planning.ts: seeded s3rver, the bundled PlanRenewals
  // alone in a child process per scenario, first sweep without the planning index and later ones with it)
  if (SECTIONS.has(4)) {
    say();
    say(`## 4. The sweep's planning over ${LINEAGES.toLocaleString('en-US')} lineages`);
    say();
    const planning = await planningBenchmark({ lineages: LINEAGES, ariLatencyMs: ARI_LATENCY_MS, memoryMb: 512, ...(PROFILE ? { profile: 'warm-B' } : {}) });
    for (const line of planning.lines) say(line);
    const warm = planning.runs.filter((r) => r.scenario.startsWith('warm'));
    const cold = planning.runs.filter((r) => r.scenario.startsWith('cold'));
    const worst = (runs: readonly PlanningRunFigures[]) => Math.max(...runs.map((r) => Math.max(r.wallMs, r.atMemoryMs)));
    const peak = Math.max(...planning.runs.map((r) => r.maxRssMb));
    const stale = planning.runs.find((r) => r.scenario === 'warm-B' || r.scenario.startsWith('warm B'));
    if (stale) measuredSweep = { planMsPer10k: (stale.atMemoryMs * 10_000) / LINEAGES, planS3Per10k: stale.s3 };
    targetRows.push([
      `planning ${LINEAGES.toLocaleString('en-US')} lineages under 30 s in one 512 MB function`,
      planning.runs.map((r) => `${r.scenario} ${s(r.wallMs)} s (CPU-bound at 512 MB ${s(r.atMemoryMs)} s)`).join('; ') + `; peak RSS ${peak.toFixed(0)} MB`,
      `${ok(worst(warm) < TARGET_PLAN_MS)} for later sweeps, ${ok(worst(cold) < TARGET_PLAN_MS)} for the first after deploy (time) / ${ok(peak < TARGET_PLAN_MEMORY_MB)} (memory)`,
    ]);
  }

  // -------------------------------------------------------------------------------------------
  // 5. The cost per certificate-year (bench/aws/cost-year.ts: a model fed by sections 3 and 4)
  if (SECTIONS.has(5)) {
    const section = costYearSection({ ...(measuredIssuance ? { issuance: measuredIssuance } : {}), ...(measuredSweep ? { sweep: measuredSweep } : {}) });
    say();
    for (const line of section.lines) say(line);
    targetRows.push(section.targetRow);
    // The one line a script reads.
    console.log(section.summaryLine);
  }

  // -------------------------------------------------------------------------------------------
  // Targets (each section ran above added its rows; the rows of the sections not run are kept from the file)
  if (SECTIONS.has(1) || SECTIONS.has(2)) {
    const stepBytes = steps.map((b) => b.bytes);
    const largest = [...built].sort((a, b) => b.bytes - a.bytes)[0]!;
    targetRows.unshift(
      ...(SECTIONS.has(1)
        ? [
            [
              'each bundle under 1 MB',
              `one bundle per function: steps ${kb(Math.min(...stepBytes))}–${kb(Math.max(...stepBytes))} KB; largest ${largest.target.name} ${largest.bytes.toLocaleString('en-US')} bytes (${((largest.bytes / TARGET_BUNDLE_BYTES) * 100).toFixed(1)} % of 1 MB)`,
              ok(built.every((b) => b.bytes < TARGET_BUNDLE_BYTES)),
            ],
          ]
        : []),
      ...(SECTIONS.has(2)
        ? (() => {
            const all = [...inits.values()];
            const imports = all.map((r) => r.medianMs);
            const totals = all.flatMap((r) => (r.totalMedianMs === undefined ? [] : [r.totalMedianMs]));
            const over = built.filter((b) => (inits.get(b.target.name)?.totalMedianMs ?? 0) >= TARGET_INIT_MS).map((b) => b.target.name);
            return [
              [
                'cold module init under 250 ms',
                `import ${ms(Math.min(...imports))}–${ms(Math.max(...imports))} ms (median of ${INIT_RUNS}); import + first invocation's deps ${ms(Math.min(...totals))}–${ms(Math.max(...totals))} ms${over.length > 0 ? ` (≥ 250 ms: ${over.join(', ')})` : ''}`,
                `${ok(Math.max(...imports) < TARGET_INIT_MS)} (import) / ${ok(Math.max(...totals) < TARGET_INIT_MS)} (with deps)`,
              ],
            ];
          })()
        : []),
    );
  }
  const ROW_ORDER = ['each bundle', 'cold module', 'planning', 'under $0.001', 'at most $0.05'];
  const rank = (row: (string | number)[]) => ROW_ORDER.findIndex((start) => String(row[0]).startsWith(start));
  say();
  say('## Targets');
  say();
  table(['target', 'measured', 'met'], [...targetRows].sort((a, b) => rank(a) - rank(b)));
  say();
  say(`Total benchmark time ${s(performance.now() - started)} s; load average at end ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}.`);

  if (WRITE) {
    const file = path.join(PROJECT_ROOT, 'bench/AWS-RESULTS.md');
    const text = SECTIONS.size === ALL_SECTIONS.length ? `${report.join('\n')}\n` : mergeReport(await readFile(file, 'utf8'), report, SECTIONS);
    await writeFile(file, text);
    console.log(`\n(written to ${path.relative(process.cwd(), file)})`);
  }
} finally {
  await cleanup();
}

/**
 * The report of a partial run merged into the existing file: the sections run replace theirs, the
 * others are kept as they are, and so are the Targets rows of the sections not run (matched by the
 * start of the target's text). The header says which sections were regenerated when.
 */
function mergeReport(existing: string, fresh: readonly string[], sections: ReadonlySet<number>): string {
  const trimEnd = (ls: readonly string[]) => {
    const out = [...ls];
    while (out.length > 0 && out.at(-1)!.trim() === '') out.pop();
    return out;
  };
  const split = (text: string) => {
    const parts = new Map<string, string[]>();
    let key = 'header';
    for (const line of text.split('\n')) {
      // Numbered sections, the Targets, and any other section (the ARI drill's, written by bench/ari-drill.ts) by its title.
      const heading = /^## (\d+)\.|^## (Targets)|^## (.+)/.exec(line);
      if (heading) key = heading[1] ?? heading[2] ?? heading[3]!;
      parts.set(key, [...(parts.get(key) ?? []), line]);
    }
    return parts;
  };
  const old = split(existing.trimEnd());
  const now = split(fresh.join('\n'));
  const ROW_OF_SECTION: Record<string, number> = { 'each bundle under 1 MB': 1, 'cold module init under 250 ms': 2, 'under $0.001 per certificate': 3, planning: 4, 'at most $0.05': 5 };
  const sectionOfRow = (row: string) => Object.entries(ROW_OF_SECTION).find(([start]) => row.startsWith(`| ${start}`))?.[1];
  const freshRows = (now.get('Targets') ?? []).filter((l) => l.startsWith('| ') && sectionOfRow(l) !== undefined);
  const targets = (old.get('Targets') ?? []).flatMap((line) => {
    const section = line.startsWith('| ') ? sectionOfRow(line) : undefined;
    if (section === undefined || !sections.has(section)) return [line];
    return freshRows.filter((r) => sectionOfRow(r) === section);
  });
  // A section run for the first time: its rows join the table.
  const hadRow = new Set((old.get('Targets') ?? []).map((l) => (l.startsWith('| ') ? sectionOfRow(l) : undefined)));
  const lastRow = targets.findLastIndex((l) => l.startsWith('| '));
  targets.splice(lastRow + 1, 0, ...freshRows.filter((r) => !hadRow.has(sectionOfRow(r))));
  const headerNote = `- sections ${[...sections].join(', ')} regenerated ${new Date().toISOString()}: \`${(now.get('header') ?? []).find((l) => l.startsWith('- command:'))?.slice('- command: '.length) ?? ''}\` (load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' / ')})`;
  const header = [...trimEnd((old.get('header') ?? []).filter((l) => !l.startsWith(`- sections ${[...sections].join(', ')} regenerated`))), headerNote, ''];
  const order = (k: string) => (/^\d+$/.test(k) ? Number(k) : Number.MAX_SAFE_INTEGER);
  const keys = [...new Set([...old.keys(), ...now.keys()])].filter((k) => k !== 'header' && k !== 'Targets').sort((a, b) => order(a) - order(b));
  const trim = (ls: readonly string[]) => [...trimEnd(ls), ''];
  return `${[...header, ...keys.flatMap((k) => trim(sections.has(Number(k)) ? (now.get(k) ?? []) : (old.get(k) ?? []))), ...targets].join('\n').trimEnd()}\n`;
}
