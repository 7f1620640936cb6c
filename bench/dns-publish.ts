/**
 * DNS publish benchmark: how long the PublishRecords step plus the CheckPropagation rounds take for
 * four TXT records, from the first write until every value is visible on the authoritative server.
 *
 * - rfc2136: BIND 9 (`named`) on loopback with a TSIG key; the rfc2136 provider, built by the
 *   registry, upserts the four records in parallel (as PublishRecords does), then `checkPropagation`
 *   asks BIND directly, again at once while not ready (no sleeps; rounds are counted), then the
 *   records are deleted (untimed) and checked gone.
 * - route53 (FAKE): the same against the wire-level Route 53 fake with `pendingPolls: 0`: one round is
 *   GetChange for every change, then the fake's DNS face. It measures our code and the SDK on
 *   loopback, not Route 53 (whose changes take seconds to reach INSYNC).
 *
 * One warm-up run per target is left out of the figures (zone discovery, SDK and JIT warm-up).
 *
 *   npx tsx bench/dns-publish.ts [RUNS]        (default 20)
 */
import { randomBytes, createHash } from 'node:crypto';
import { checkPropagation, type ChangeRef, type DnsProvider, type TxtRecord } from '../shared/dns/index.js';
import { createProvider } from '../shared/dns/providers/index.js';
import { startBind } from '../harness/bind.js';
import { startRoute53Fake } from '../harness/route53-fake.js';

const runs = Number(process.argv[2] ?? 20);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`RUNS must be a positive integer, got ${process.argv[2]}`);
const ZONE = 'bench.test';
const RECORDS = 4;
const TARGET_MS = 100;
/** A run that needs more check rounds than this is a failure, not a slow run. */
const MAX_ROUNDS = 10_000;

interface Sample {
  readonly publishMs: number;
  readonly propagationMs: number;
  readonly totalMs: number;
  readonly rounds: number;
}

interface Target {
  readonly label: string;
  readonly provider: DnsProvider;
  /** `host:port` of the authoritative server to check. */
  readonly server: string;
  /** Whether the provider's change status is part of each round (Route 53 GetChange). */
  readonly askChangeStatus: boolean;
  /** The TXT values the server answers at `name` now, for the untimed cleanup check. */
  readonly txtAt: (name: string) => Promise<string[]>;
}

/** A fresh dns-01-shaped value: base64url SHA-256, 43 characters (RFC 8555 §8.4). */
const newValue = (): string => createHash('sha256').update(randomBytes(32)).digest('base64url');

async function oneRun(target: Target): Promise<Sample> {
  const records: TxtRecord[] = Array.from({ length: RECORDS }, (_, i) => ({ name: `_acme-challenge.host${i}.${ZONE}`, values: [newValue()] }));
  const started = performance.now();
  const refs: ChangeRef[] = await Promise.all(records.map((record) => target.provider.upsertTxt(record)));
  const published = performance.now();
  let rounds = 0;
  for (;;) {
    rounds += 1;
    // One CheckPropagation step: the provider's change status first (where it has one), then the server.
    const statuses = target.askChangeStatus ? await Promise.all(refs.map((ref) => target.provider.changeStatus!(ref))) : [];
    if (statuses.every((status) => status === 'insync')) {
      const report = await checkPropagation(records, { resolvers: [target.server] });
      if (report.ready) break;
      if (rounds >= MAX_ROUNDS) throw new Error(`${target.label}: not ready after ${rounds} rounds: ${JSON.stringify(report.missing)}`);
    } else if (rounds >= MAX_ROUNDS) {
      throw new Error(`${target.label}: changes still pending after ${rounds} rounds`);
    }
  }
  const ready = performance.now();

  await Promise.all(records.map((record) => target.provider.deleteTxt(record)));
  for (const record of records) {
    const left = await target.txtAt(record.name);
    if (left.length > 0) throw new Error(`${target.label}: ${record.name} still holds ${JSON.stringify(left)} after deleteTxt`);
  }
  return { publishMs: published - started, propagationMs: ready - published, totalMs: ready - started, rounds };
}

async function measure(target: Target): Promise<{ warmUp: Sample; samples: Sample[] }> {
  const warmUp = await oneRun(target);
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await oneRun(target));
  return { warmUp, samples };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const ms = (value: number): string => `${value.toFixed(1)} ms`;

function report(label: string, { warmUp, samples }: { warmUp: Sample; samples: Sample[] }, withTarget: boolean): void {
  const totals = samples.map((s) => s.totalMs);
  const rounds = samples.map((s) => s.rounds);
  const med = median(totals);
  console.log(`\n${label}: publish + propagation of ${RECORDS} TXT records, ${samples.length} runs (+1 warm-up, ${ms(warmUp.totalMs)}, left out)`);
  console.log(
    `  wall time: median ${ms(med)}, min ${ms(Math.min(...totals))}, max ${ms(Math.max(...totals))}` +
      (withTarget ? `  (target < ${TARGET_MS} ms: ${med < TARGET_MS ? 'met' : 'MISSED'} at the median, ${totals.filter((t) => t >= TARGET_MS).length}/${totals.length} runs over)` : ''),
  );
  console.log(`  of which publish (4 upserts in parallel): median ${ms(median(samples.map((s) => s.publishMs)))}; propagation checks: median ${ms(median(samples.map((s) => s.propagationMs)))}`);
  console.log(`  check rounds until ready: median ${median(rounds)}, min ${Math.min(...rounds)}, max ${Math.max(...rounds)}`);
  console.log(`  per run (total/rounds): ${samples.map((s) => `${s.totalMs.toFixed(0)}/${s.rounds}`).join(' ')}`);
}

const bind = await startBind({ zones: [ZONE], tsig: { name: 'acmeflow-bench.', algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') } });
try {
  const provider = createProvider('rfc2136', { server: bind.host, port: bind.port, tsig: bind.tsig });
  report(`rfc2136 → BIND 9 on ${bind.server} (TSIG ${bind.tsig.algorithm})`, await measure({
    label: 'rfc2136',
    provider,
    server: bind.server,
    askChangeStatus: false,
    txtAt: (name) => bind.queryTxt(name),
  }), true);
} finally {
  await bind.stop();
}

const fake = await startRoute53Fake({ zones: [{ name: ZONE }], pendingPolls: 0 });
try {
  const provider = createProvider('route53', {}, {
    clientConfig: { endpoint: fake.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'not-a-secret' } },
  });
  report('route53 → Route 53 FAKE on loopback (pendingPolls 0; not a Route 53 figure)', await measure({
    label: 'route53 fake',
    provider,
    server: fake.dnsServer,
    askChangeStatus: true,
    txtAt: async (name) => fake.txt(name),
  }), false);
} finally {
  await fake.stop();
}
