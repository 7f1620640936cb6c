/**
 * Crashes: `acmeflow renew --force-renewal --cert-name NAME -v` runs as a real process and is killed
 * with SIGKILL the moment its progress line says a state was entered — after every step of the
 * issuance in turn — and, several times, a few milliseconds into StoreCertificate. Then the same
 * command runs again. Invariants:
 *
 * - right after the kill, `live/` serves a complete version whose key matches: the old one, or the
 *   new one if the kill came after it was stored — never a half-written one;
 * - the rerun takes over the dead process's lock (its pid is gone), removes what the crashed run
 *   published (the lineage's in-flight marker names it) and ends with exactly one new good version;
 * - afterwards no TXT record, pending key, lock, in-flight marker or half-written version is left.
 */
import 'reflect-metadata';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEngine } from '../../cli/engine/index.js';
import { main } from '../../cli/main.js';
import { startBind, type BindHandle } from '../support/bind.js';
import { startPebble, type PebbleHandle } from '../support/pebble.js';
import { writeRfc2136Credentials, type LogLine } from '../support/workflow-deps.js';
import { runCliProcess, type CliProcessResult } from './support/cli-process.js';
import { createLineage, keepingLogger, LONG, writeEabFile } from './support/harness.js';
import { inspectLineage, leftovers, leftoverTxt, liveOnIncomplete, liveProblems, type LineageOnDisk } from './support/lineage-check.js';
import { ReportSection } from './support/report.js';
import { reportHygiene, SecretLedger } from './support/secret-scan.js';

const report = new ReportSection('crashes');
const hygiene = new SecretLedger();

/** Every state the verbose output announces, in execution order: a kill on entering each is a kill right after the step before it. */
const KILL_POINTS = [
  'PrepareOrder',
  'PublishRecords',
  'CheckPropagation',
  'RespondChallenges',
  'PollAuthorizations',
  'FinalizeOrder',
  'PollOrder',
  'StoreCertificate',
  'CleanupRecords',
  'Wait deploy delay',
] as const;
/**
 * Kills inside StoreCertificate, the moment its n-th write shows on disk (inotify): it downloads the
 * certificate, writes the archive version (cert, chain, fullchain, then meta: complete), stores the
 * key (privkey<N>.pem, live/privkey.pem), switches the other live/ links, then updates the conf.
 */
const ALL_STORE_KILLS: readonly { readonly what: string; readonly where: 'archive' | 'live'; readonly file: (version: number) => RegExp; readonly short?: boolean }[] = [
  { what: 'while the new archive files are written', where: 'archive', file: (v) => new RegExp(`^\\.?(cert|chain|fullchain)${v}\\.pem`), short: true },
  { what: 'right after meta<N>.json completed the version', where: 'archive', file: (v) => new RegExp(`^meta${v}\\.json$`), short: true },
  { what: 'right after privkey<N>.pem was stored', where: 'archive', file: (v) => new RegExp(`^privkey${v}\\.pem$`) },
  { what: 'while live/ links are switched (privkey.pem moved)', where: 'live', file: () => /^privkey\.pem$/, short: true },
  { what: 'after live/fullchain.pem moved, before the conf', where: 'live', file: () => /^fullchain\.pem$/ },
];
/** The default run kills at three points inside the step; the long variant at all five. */
const STORE_KILLS = ALL_STORE_KILLS.filter((k) => LONG || k.short);
/** More kills inside StoreCertificate at fixed delays after it was entered (the long variant only). */
const STORE_DELAYS = LONG ? [0, 5, 10, 20, 30, 45, 60, 80, 100, 150, 200, 300] : [];
/** Killed processes run this many at a time (each on its own lineage); the reruns, two at a time. */
const PARALLEL_KILLS = 4;
const PARALLEL_RERUNS = 2;

let bind: BindHandle;
let pebble: PebbleHandle;
let work: string;
let configDir: string;
let credentials: string;
const logs: LogLine[] = [];
const outputs: string[] = [];
const engines: LocalEngine[] = [];
/** Kills that left live/ links on mixed versions (each complete), until the rerun. */
const windowSeen: string[] = [];

beforeAll(async () => {
  bind = await startBind({ zones: ['example.test'] });
  pebble = await startPebble({ dnsServer: bind.server });
  work = await mkdtemp(join(tmpdir(), 'acmeflow-crashes-'));
  configDir = join(work, 'config');
  credentials = join(work, 'rfc2136.ini');
  await writeRfc2136Credentials(credentials, bind);
  const eab = join(work, 'eab.json');
  await writeEabFile(eab, pebble.eab);
  hygiene.secret('EAB HMAC key', pebble.eab.hmacKey);
  hygiene.secret('TSIG secret', bind.tsig.secret);
  hygiene.secretFile(credentials);
  hygiene.secretFile(eab);
  hygiene.dir(work);
  // One lineage per kill scenario, each with version 1 live, issued in one sweep.
  const names = [...KILL_POINTS.map((_, i) => `kill-${i}`), ...STORE_KILLS.map((_, i) => `store-${i}`), ...STORE_DELAYS.map((_, i) => `delay-${i}`)];
  for (const name of names) {
    await createLineage(configDir, {
      name,
      domains: [`${name}.example.test`, `*.${name}.example.test`],
      keyType: 'ecdsa-p256',
      ca: { directoryUrl: pebble.directoryUrl, eabRef: eab, termsOfServiceAgreed: true },
      dns: { provider: 'rfc2136', credentialsRef: credentials, resolvers: [bind.server] },
      deployDelay: 0,
    });
  }
  const engine = new LocalEngine({ configDir, fetch: pebble.fetch, log: keepingLogger(logs), waitScale: 0.01 });
  engines.push(engine);
  const first = await engine.sweep({ force: true });
  expect(first.failed).toEqual([]);
  expect(first.renewed).toHaveLength(names.length);
}, 120_000);

afterAll(async () => {
  report.note('Fixed on the way: (a) a kill inside the conf\u2019s read-compare-replace left `locks/NAME.conf.guard`, which a rerun waited out for 10 s against a 5 s timeout and failed with GuardTimeoutError; a guard of a dead process of this host is now removed at once (guard-file.ts). (b) A kill between archiving version N and promoting its key left N without its key, and the rerun discarded the key; the rerun now finishes that version first (prepare-order.ts recoverAbandonedRun). (c) A kill while a key was written left a copy in `.privkeyN.pem.<uuid>.tmp` forever; the key store now removes such copies (filesystem-key-store.ts). Unit tests: regressions.test.ts §3–5.');
  report.note('Known limitation, not fixed: the key store points `live/privkey.pem` at the new key before the certificate store switches cert, chain and fullchain, one link at a time as certbot does; a kill in those few milliseconds leaves `live/` pairing keys and certificates of two versions (each complete) until the next run finishes the switch.');
  report.write();
  await pebble?.stop();
  await bind?.stop();
});

/** The same command again, in process (the test's fetch trusts Pebble; waits shortened). */
async function rerun(name: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['renew', '--force-renewal', '--cert-name', name, '--config-dir', configDir], {
    env: { LANG: 'C', HOME: work },
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    waitScale: 0.02,
    fetch: pebble.fetch,
  });
  outputs.push(out, err);
  return { code, out, err };
}

interface Killed {
  readonly name: string;
  readonly domains: string[];
  readonly before: LineageOnDisk;
  readonly killed: CliProcessResult;
  readonly atKill: LineageOnDisk;
  readonly txtAtKill: Record<string, string[]>;
}

interface KillResult extends Killed {
  readonly problems: string[];
  /** What the kill left on disk, for the report. */
  readonly found: string;
}

/** Phase 1: the command as a process, killed when `state` is entered (`delayMs` later, or at a file change). */
async function kill(name: string, state: string, options: { delayMs?: number; watch?: { where: 'archive' | 'live'; file: (version: number) => RegExp } } = {}): Promise<Killed> {
  const domains = [`${name}.example.test`, `*.${name}.example.test`];
  const before = await inspectLineage(configDir, name);
  const next = (before.complete.at(-1) ?? 0) + 1;
  const killed = await runCliProcess(['renew', '--force-renewal', '--cert-name', name, '--config-dir', configDir, '-v'], {
    env: { ...process.env, ...pebble.env, LANG: 'C', HOME: work },
    killOn: {
      state,
      ...(options.delayMs === undefined ? {} : { delayMs: options.delayMs }),
      ...(options.watch ? { watch: { dir: join(configDir, options.watch.where, name), file: options.watch.file(next) } } : {}),
    },
  });
  outputs.push(killed.stdout, killed.stderr);
  const atKill = await inspectLineage(configDir, name);
  const txtAtKill = await leftoverTxt(domains, (n) => bind.queryTxt(n));
  return { name, domains, before, killed, atKill, txtAtKill };
}

/**
 * Phase 2: the invariants at the kill, then the same command again and the invariants after it.
 * `mixedLive`: the kill may have landed while live/ links were being switched one by one; then each
 * link must still point at a complete version, and the mix is reported (certbot switches its links
 * the same way).
 */
async function rerunAndCheck(k: Killed, options: { mixedLive?: boolean } = {}): Promise<KillResult> {
  const { name, domains, before, atKill, txtAtKill } = k;
  const problems: string[] = [];
  // Right after the kill: live/ serves a complete version with its key, the old one or a stored new one.
  const mixed = liveProblems(atKill);
  if (options.mixedLive && liveOnIncomplete(atKill).length === 0) {
    if (mixed.length > 0) windowSeen.push(`${name}: ${JSON.stringify(atKill.links)}`);
  } else problems.push(...mixed.map((p) => `at the kill: ${p}`));
  const lastBefore = before.complete.at(-1) ?? 0;
  if (atKill.links.cert !== lastBefore && atKill.links.cert !== lastBefore + 1) problems.push(`at the kill: live/ serves ${atKill.links.cert}, expected ${lastBefore} or ${lastBefore + 1}`);
  const storedByKilled = atKill.complete.length - before.complete.length;
  if (storedByKilled > 1) problems.push(`the killed run stored ${storedByKilled} versions`);

  const again = await rerun(name);
  if (again.code !== 0) problems.push(`the rerun exited ${again.code}: ${again.err.trim()}`);
  const after = await inspectLineage(configDir, name);
  problems.push(...liveProblems(after), ...leftovers(after));
  const txt = await leftoverTxt(domains, (n) => bind.queryTxt(n));
  if (Object.keys(txt).length > 0) problems.push(`TXT left after the rerun: ${JSON.stringify(txt)}`);
  // Exactly one new good version on top of the newest certificate stored at the kill (a version the killed
  // run archived is finished by the rerun), served, every version whole and numbered without gaps.
  const expected = Math.max(...atKill.certified, 0) + 1;
  if (after.links.cert !== expected || after.stateVersion !== expected) problems.push(`expected version ${expected} live and in the conf, got live ${after.links.cert}, conf ${after.stateVersion}`);
  if (after.complete.join() !== Array.from({ length: expected }, (_, i) => i + 1).join()) problems.push(`versions on disk ${after.complete.join(',')} (expected 1..${expected})`);

  const linkVersions = new Set(Object.values(atKill.links));
  const found = [
    linkVersions.size > 1
      ? `live/ links mid-switch (cert v${atKill.links.cert}, chain v${atKill.links.chain}, fullchain v${atKill.links.fullchain}, privkey v${atKill.links.privkey})`
      : atKill.links.cert === lastBefore
        ? `old v${lastBefore} live`
        : `new v${atKill.links.cert} live`,
    ...atKill.archived.filter((v) => !atKill.complete.includes(v)).map((v) => (atKill.certified.includes(v) ? `v${v} archived without its key yet` : `v${v} partly written`)),
    ...(atKill.stateVersion !== atKill.links.cert ? [`conf on v${atKill.stateVersion}`] : []),
    ...(Object.keys(txtAtKill).length > 0 ? ['TXT published'] : []),
    ...(atKill.pendingKeys.length > 0 ? ['pending key'] : []),
    ...(atKill.lockFile ? ['lock of the dead pid'] : []),
    ...(atKill.inflight ? ['in-flight marker'] : []),
  ].join(', ');
  return { ...k, problems, found };
}

/** Runs `work` over the items, `parallel` at a time. */
async function inParallel<T, R>(items: readonly T[], parallel: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T, index);
      }
    }),
  );
  return results;
}

describe('killed between every pair of steps, then run again', () => {
  it('keeps live/ on a complete version and converges to one good new version with nothing left behind', async () => {
    // The kills first, while this process does nothing else (a kill lands milliseconds after the line), then the reruns.
    const killed = await inParallel(KILL_POINTS, PARALLEL_KILLS, (state, i) => kill(`kill-${i}`, state));
    const results = await inParallel(killed, PARALLEL_RERUNS, (k) => rerunAndCheck(k));
    const problems: string[] = [];
    for (const [i, result] of results.entries()) {
      const state = KILL_POINTS[i] as string;
      const reached = result.killed.killedIn === state;
      const where = reached ? `killed on entering ${state}` : `${state} never entered (${result.killed.code === 0 ? 'the run finished' : `exit ${result.killed.code}`})`;
      const last = result.killed.entered.at(-1);
      const inProgress = reached && last !== state ? ` (the process had reached ${last})` : '';
      problems.push(...result.problems.map((p) => `${state}: ${p}`));
      report.add({
        fault: `SIGKILL on entering ${state}`,
        runs: 1,
        outcome: `${where}${inProgress}; at the kill: ${result.found}; rerun: version ${Math.max(...result.atKill.certified) + 1} live`,
        lost: result.problems.length === 0 ? 'nothing' : result.problems.join('; '),
      });
      // Every state but PollOrder (skipped when the order is valid at finalize) is entered on every run.
      if (state !== 'PollOrder') expect(reached, `${state}: ${result.killed.stderr.slice(-2000)}`).toBe(true);
    }
    expect(problems).toEqual([]);
  }, 300_000);
});

describe('killed inside StoreCertificate', () => {
  it('never lets live/ point at an incomplete version', async () => {
    const plans = [
      ...STORE_KILLS.map((k, i) => ({ label: k.what, name: `store-${i}`, options: { watch: { where: k.where, file: k.file } } })),
      ...STORE_DELAYS.map((d, i) => ({ label: `${d} ms after it was entered`, name: `delay-${i}`, options: { delayMs: d } })),
    ];
    const killed = await inParallel(plans, PARALLEL_KILLS, (plan) => kill(plan.name, 'StoreCertificate', plan.options));
    const results = await inParallel(killed, PARALLEL_RERUNS, (k) => rerunAndCheck(k, { mixedLive: true }));
    for (const [i, result] of results.entries()) {
      const plan = plans[i]!;
      const landed = result.killed.killedIn ? `killed ${plan.label}` : `${plan.label}: the run finished before the kill`;
      report.add({
        fault: `SIGKILL inside StoreCertificate, ${plan.label}`,
        runs: 1,
        outcome: `${landed}; at the kill: ${result.found}; rerun: version ${Math.max(...result.atKill.certified) + 1} live`,
        lost: result.problems.length > 0 ? result.problems.join('; ') : windowSeen.some((w) => w.startsWith(`${result.name}:`)) ? 'until the rerun, live/ paired a key and a certificate of different versions (each complete, nothing stored lost): the links switch one at a time, as certbot\u2019s do' : 'nothing',
      });
    }
    expect(results.flatMap((r) => r.problems.map((p) => `${r.name}: ${p}`))).toEqual([]);
    // The inotify-triggered kills land inside the step.
    expect(results.slice(0, STORE_KILLS.length).every((r) => r.killed.killedIn !== undefined)).toBe(true);
  }, 300_000);
});

describe('secret hygiene of this file', () => {
  it('kept key material, the EAB HMAC key and the TSIG secret out of the output, logs, events, execution state and files', async () => {
    for (const text of outputs) hygiene.text('command output', 'acmeflow output', text);
    for (const line of logs) hygiene.text('log lines', 'log', line);
    for (const engine of engines) {
      for (const event of engine.events) hygiene.text('events', 'event', event);
      for (const entry of engine.executionLog) hygiene.text('execution-log entries', 'execution log', entry);
    }
    const summary = await reportHygiene(hygiene, '3-crashes', 'the crash runs (killed processes’ output and files included)');
    report.note('The killed process runs `node bin/acmeflow.mjs renew --force-renewal --cert-name NAME -v` with real waits; the rerun is the same command in process.');
    expect(summary.findings).toEqual([]);
  });
});
