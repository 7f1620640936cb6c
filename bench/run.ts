/**
 * `npm run bench`: acmeflow against certbot and lego on the same local CA and DNS.
 *
 * Starts Pebble (EAB required, no VA sleep, no rejected nonces, no authorization reuse) and BIND 9
 * with a TSIG key on loopback, installs the peers from Debian when missing, and measures:
 *
 * 1. single issuance — N two-name RSA-2048 certificates each with acmeflow (the real CLI, local
 *    engine), certbot and lego: wall time, CPU time and peak memory per certificate;
 * 2. renewal at scale — L lineages renewed by one `renew --force-renewal` (acmeflow's sweep with
 *    its concurrency; certbot's `renew`; lego in a loop);
 * 3. acmeflow's HTTP requests per issuance against the RFC 8555 minimum, and where its time goes;
 * 4. the AWS cost per certificate from a local run of the state machines on the AWS handlers.
 *
 * Writes bench/RESULTS.md and bench/results-chart.png, stops the servers and removes its files.
 * Nothing leaves loopback: the CA, DNS and every client talk to 127.0.0.1 only.
 *
 *   npm run bench [-- --n 5 --lineages 20]
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { readdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startBind, type BindHandle } from '../harness/bind.js';
import { startPebble, type PebbleHandle } from '../harness/pebble.js';
import { onTestProcessExit } from '../harness/processes.js';
import { writeRfc2136Credentials } from '../harness/workflow-deps.js';
import { measureAwsCost } from './lib/aws-cost.js';
import { acmeflowClient, certbotClient, legoClient, ROOT, type BenchSite, type Client, type Measured } from './lib/clients.js';
import { cliInProcess, engineIssuances, rfcMinimumRequests } from './lib/in-process.js';
import { cleanupMeasure, runMeasured, type Measurement } from './lib/measure.js';
import { debianVersions, ensurePackages } from './lib/packages.js';
import { SINGLE_ISSUANCE_TARGET, writeResults } from './lib/report.js';
import type { BenchResults, RenewalResult, SingleResult, TargetResult } from './lib/results.js';
import { median, spread } from './lib/stats.js';

const { values: flags } = parseArgs({
  options: { n: { type: 'string', default: '5' }, lineages: { type: 'string', default: '20' }, 'cost-sweep': { type: 'string', default: '5' } },
});
const N = Number(flags.n);
const LINEAGES = Number(flags.lineages);
const COST_SWEEP = Number(flags['cost-sweep']);
for (const [name, value] of [['--n', N], ['--lineages', LINEAGES], ['--cost-sweep', COST_SWEEP]] as const) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
}
const ZONE = 'bench.test';
const RESULTS_MD = join(ROOT, 'bench', 'RESULTS.md');
const RESULTS_PNG = join(ROOT, 'bench', 'results-chart.png');

const started = performance.now();
const log = (message: string): void => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
const names = (prefix: string, i: number): readonly [string, string] => [`${prefix}${i}.${ZONE}`, `www.${prefix}${i}.${ZONE}`];
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function versions(): Record<string, string> {
  const deb = debianVersions(['pebble', 'bind9', 'certbot', 'python3-certbot-dns-rfc2136', 'lego']);
  const commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  return {
    acmeflow: `0.1.0 (${commit} + working tree)`,
    node: process.version,
    certbot: deb.certbot ?? '?',
    'certbot-dns-rfc2136': deb['python3-certbot-dns-rfc2136'] ?? '?',
    lego: deb.lego ?? '?',
    pebble: deb.pebble ?? '?',
    bind9: deb.bind9 ?? '?',
  };
}

function osName(): string {
  try {
    const text = execFileSync('cat', ['/etc/os-release'], { encoding: 'utf8' });
    return /^PRETTY_NAME="?([^"\n]+)"?/m.exec(text)?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

/** How many lineages under `configDir/archive` hold a certificate of version 2 or later (renewed). */
async function renewedCount(configDir: string, lineages: readonly string[]): Promise<number> {
  let renewed = 0;
  for (const name of lineages) {
    const files = await readdir(join(configDir, 'archive', name)).catch(() => [] as string[]);
    if (files.some((f) => /^cert([2-9]|\d{2,})\.pem$/.test(f))) renewed += 1;
  }
  return renewed;
}

/**
 * Waits for every task, then rejects with the first failure: a rejection must not leave client
 * processes running while the servers stop and the temporary directory is removed.
 */
async function allSettledOrThrow(tasks: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(tasks)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** `work` over `items`, at most `limit` at once; after a failure no new item starts. */
async function mapLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failed = false;
  await allSettledOrThrow(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (!failed && next < items.length) {
        try {
          await work(items[next++]!);
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    }),
  );
}

async function main(): Promise<void> {
  ensurePackages();
  const loadAverage = loadavg();
  log(`Starting BIND 9 and Pebble on loopback (N=${N}, ${LINEAGES} lineages)...`);
  let bind: BindHandle | undefined;
  let pebble: PebbleHandle | undefined;
  const work = await mkdtemp(join(tmpdir(), 'acmeflow-bench-'));
  const forgetWork = onTestProcessExit(() => rmSync(work, { recursive: true, force: true }));
  try {
    bind = await startBind({ zones: [ZONE] });
    pebble = await startPebble({
      dnsServer: bind.server,
      eabRequired: true,
      env: { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
    });
    const credentials = join(work, 'rfc2136.ini');
    await writeRfc2136Credentials(credentials, bind);
    const site: BenchSite = { pebble, bind, work, credentials };
    // This process runs acmeflow too (in process): its DNS lookups go to BIND as well.
    process.env.ACMEFLOW_BENCH_DNS = bind.server;
    await import(pathToFileURL(join(ROOT, 'bench', 'lib', 'loopback-dns.mjs')).href);

    // The shipped command: bin/acmeflow.mjs runs its esbuild bundle (built by the untimed set-up's first run).
    const shipped = acmeflowClient(site, { label: 'acmeflow', entry: join(ROOT, 'bin', 'acmeflow.mjs'), configDir: join(work, 'acmeflow') });
    // For the breakdown only: the same command from its TypeScript sources through tsx, as it ran before the bundle.
    const fromSources = acmeflowClient(site, { label: 'acmeflow (sources, tsx)', entry: join(ROOT, 'bin', 'acmeflow.mjs'), configDir: join(work, 'acmeflow'), env: { ACMEFLOW_CLI_SOURCES: '1' } });
    const certbot = certbotClient(site, join(work, 'certbot'));
    const lego = legoClient(site, join(work, 'lego'));
    const clients: { client: Client; prefix: string }[] = [
      { client: shipped, prefix: 'a' },
      { client: certbot, prefix: 'c' },
      { client: lego, prefix: 'l' },
    ];

    // --- 1. single issuance -------------------------------------------------------------------
    log('Registering accounts and issuing one warm-up certificate per client (untimed)...');
    for (const { client, prefix } of clients) {
      const at = performance.now();
      await client.setup();
      await client.issue(names(prefix, 0));
      log(`  ${client.label} ready (${secs(performance.now() - at)})`);
    }
    const samples = new Map<string, Measurement[]>(clients.map(({ client }) => [client.label, []]));
    for (let i = 1; i <= N; i++) {
      // Rotate the order each round, so no client always runs right after another.
      const round = clients.map((_, k) => clients[(k + i - 1) % clients.length]!);
      for (const { client, prefix } of round) {
        const m = await client.issue(names(prefix, i));
        samples.get(client.label)!.push(m);
        log(`single issuance ${i}/${N} ${client.label}: ${secs(m.wallMs)} wall, ${secs(m.cpuMs)} CPU, ${(m.peakRssKb / 1024).toFixed(0)} MB`);
      }
    }
    const single: SingleResult[] = clients.map(({ client }) => {
      const list = samples.get(client.label)!;
      return {
        label: client.label,
        wallMs: spread(list.map((m) => m.wallMs)),
        cpuMs: spread(list.map((m) => m.cpuMs)),
        peakRssKb: spread(list.map((m) => m.peakRssKb)),
        samples: list.map(({ wallMs, cpuMs, peakRssKb }) => ({ wallMs, cpuMs, peakRssKb })),
      };
    });

    // --- 2. where acmeflow's time goes; requests per issuance ------------------------------------
    log('acmeflow process start alone (acmeflow --version), shipped (bundle) and from the sources (tsx)...');
    const startShipped: Measured[] = [];
    const startSources: Measured[] = [];
    const nodeStart: Measured[] = [];
    // The first start after a build fills Node's compile cache (bin/acmeflow.mjs); the figure is the warm one.
    await shipped.startOnly();
    for (let i = 0; i < Math.max(N, 5); i++) {
      startShipped.push(await shipped.startOnly());
      nodeStart.push(await runMeasured(process.execPath, ['-e', '0'], { env: process.env, cwd: ROOT, label: 'node -e 0' }));
    }
    for (let i = 0; i < Math.min(N, 3); i++) startSources.push(await fromSources.startOnly());
    const startShippedMedian = median(startShipped.map((m) => m.wallMs));
    const nodeStartMedian = median(nodeStart.map((m) => m.wallMs));
    log('acmeflow in process: certonly through cli/main.ts and LocalEngine.issue, counting requests...');
    const inProcessDir = join(work, 'acmeflow-in-process');
    const inProcessCerts = Array.from({ length: N }, (_, i) => names('p', i + 1));
    const cliCounts = await cliInProcess(site, inProcessDir, inProcessCerts);
    const engineRuns = await engineIssuances(site, inProcessDir, inProcessCerts.map(([first]) => first));
    const minimum = rfcMinimumRequests(2);
    const cliSorted = [...cliCounts].sort((a, b) => a.requests - b.requests);
    const engineByWall = [...engineRuns].sort((a, b) => a.wallMs - b.wallMs);
    const medianEngine = engineByWall[Math.floor(engineByWall.length / 2)]!;
    const byState = Object.fromEntries(Object.entries(medianEngine.summary.msByState).sort((a, b) => b[1] - a[1]));

    // --- 3. renewal at scale ---------------------------------------------------------------------
    log(`Creating ${LINEAGES} lineages for each client (untimed; the three set-ups run side by side)...`);
    const renewDir = join(work, 'acmeflow-renew');
    const renewalFlock = (prefix: string) => Array.from({ length: LINEAGES }, (_, i) => names(prefix, i + 1));
    const afLineages = renewalFlock('ra');
    const cbLineages = renewalFlock('rc');
    const lgLineages = renewalFlock('rl');
    const certbotRenew = certbotClient(site, join(work, 'certbot-renew'));
    const legoRenew = legoClient(site, join(work, 'lego-renew'));
    await allSettledOrThrow([
      cliInProcess(site, renewDir, afLineages),
      (async () => {
        await certbotRenew.setup();
        for (const d of cbLineages) await certbotRenew.issue(d);
      })(),
      (async () => {
        // The first run registers the account; after it, lego keeps one file set per certificate,
        // so the rest of its set-up can run a few at a time.
        await legoRenew.issue(lgLineages[0]!);
        await mapLimit(lgLineages.slice(1), 4, (d) => legoRenew.issue(d));
      })(),
    ]);
    const shippedRenew = acmeflowClient(site, { label: 'acmeflow', entry: join(ROOT, 'bin', 'acmeflow.mjs'), configDir: renewDir });
    const renewal: RenewalResult[] = [];
    const afNames = afLineages.map(([first]) => first);
    log(`Renewing ${LINEAGES} lineages: acmeflow renew --force-renewal...`);
    const afTotal = await shippedRenew.renewAll(afLineages);
    renewal.push({ label: 'acmeflow', command: 'acmeflow renew --force-renewal', total: afTotal, renewed: await renewedCount(renewDir, afNames) });
    log(`  ${secs(afTotal.wallMs)}; certbot renew --force-renewal...`);
    const cbTotal = await certbotRenew.renewAll(cbLineages);
    renewal.push({
      label: 'certbot',
      command: 'certbot renew --force-renewal --no-random-sleep-on-renew',
      total: cbTotal,
      renewed: await renewedCount(join(work, 'certbot-renew', 'config'), cbLineages.map(([first]) => first)),
    });
    log(`  ${secs(cbTotal.wallMs)}; lego renew in a loop...`);
    const lgTotal = await legoRenew.renewAll(lgLineages);
    renewal.push({ label: 'lego', command: `for each: lego renew --days 100000 --no-random-sleep`, total: lgTotal, renewed: undefined });
    log(`  ${secs(lgTotal.wallMs)}.`);
    for (const r of renewal) {
      if (r.renewed !== undefined && r.renewed !== LINEAGES) throw new Error(`${r.label} renewed ${r.renewed} of ${LINEAGES} lineages`);
    }

    // --- 4. AWS cost -----------------------------------------------------------------------------
    log(`AWS cost model: the state machines on the AWS handlers (s3rver and fakes), ${COST_SWEEP} certificates and one sweep...`);
    const cost = await measureAwsCost(site, COST_SWEEP);

    // --- results ---------------------------------------------------------------------------------
    const af = single.find((x) => x.label === 'acmeflow')!;
    const cb = single.find((x) => x.label === 'certbot')!;
    const singleRatio = af.wallMs.median / cb.wallMs.median;
    const renewSpeedup = cbTotal.wallMs / afTotal.wallMs;
    const cliMedian = median(cliCounts.map((c) => c.requests));
    const targets: TargetResult[] = [
      {
        name: 'single issuance',
        goal: `acmeflow wall ≤ ${SINGLE_ISSUANCE_TARGET} × certbot`,
        measured: `${(af.wallMs.median / 1000).toFixed(2)} s vs ${(cb.wallMs.median / 1000).toFixed(2)} s = ${singleRatio.toFixed(2)} ×`,
        met: singleRatio <= SINGLE_ISSUANCE_TARGET,
      },
      {
        // A cron line or a deploy script starts the command many times: start-up is paid on each.
        name: 'process start',
        goal: '`acmeflow --version` < 0.1 s (warm compile cache)',
        measured: `${(startShippedMedian / 1000).toFixed(3)} s (node itself: ${(nodeStartMedian / 1000).toFixed(3)} s)`,
        met: startShippedMedian < 100,
      },
      {
        name: `renewal of ${LINEAGES}`,
        goal: 'acmeflow ≥ 10 × faster than certbot renew',
        measured: `${(afTotal.wallMs / 1000).toFixed(1)} s vs ${(cbTotal.wallMs / 1000).toFixed(1)} s = ${renewSpeedup.toFixed(1)} × faster`,
        met: renewSpeedup >= 10,
      },
      {
        name: 'HTTP requests per issuance',
        goal: `≤ RFC minimum + 1 = ${minimum + 1}`,
        measured: `${cliMedian} (max ${Math.max(...cliCounts.map((c) => c.requests))}), minimum ${minimum}`,
        met: Math.max(...cliCounts.map((c) => c.requests)) <= minimum + 1,
      },
    ];
    const results: BenchResults = {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      machine: {
        cpu: cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU',
        cores: cpus().length,
        memoryGb: totalmem() / 1024 ** 3,
        kernel: release(),
        os: osName(),
        loadAverage,
      },
      versions: versions(),
      n: N,
      lineages: LINEAGES,
      single,
      renewal,
      requests: {
        minimum,
        cli: spread(cliCounts.map((c) => c.requests)),
        engine: spread(engineRuns.map((r) => r.requests)),
        byKind: cliSorted[Math.floor(cliSorted.length / 2)]!.byKind,
        offMinimum: [
          ...cliCounts.map((c) => ({ source: 'acmeflow certonly', ...c })),
          ...engineRuns.map(({ requests, byKind }) => ({ source: 'LocalEngine.issue', requests, byKind })),
        ].filter((c) => c.requests !== minimum),
      },
      breakdown: {
        startShippedMs: spread(startShipped.map((m) => m.wallMs)),
        startSourcesMs: spread(startSources.map((m) => m.wallMs)),
        engineMs: spread(engineRuns.map((r) => r.wallMs)),
        waitMs: spread(engineRuns.map((r) => r.summary.waitMs)),
        byState,
        transitions: spread(engineRuns.map((r) => r.summary.transitions)),
      },
      cost,
      targets,
      elapsedSeconds: (performance.now() - started) / 1000,
    };
    await writeResults(results, RESULTS_MD, RESULTS_PNG);
    log(`Wrote ${RESULTS_MD} and ${RESULTS_PNG}.\n`);
    console.log((await readFile(RESULTS_MD, 'utf8')).split('\n## AWS cost')[0]);
    for (const t of targets) console.log(`target ${t.name}: ${t.goal} — ${t.measured} — ${t.met ? 'met' : 'MISSED'}`);
  } finally {
    await pebble?.stop();
    await bind?.stop();
    await cleanupMeasure();
    await rm(work, { recursive: true, force: true });
    forgetWork();
    log('Stopped Pebble and BIND; removed the temporary files.');
  }
}

main().catch((err: unknown) => {
  console.error(`Benchmark failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
});
