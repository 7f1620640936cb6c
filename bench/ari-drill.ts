/**
 * The ARI drill (issue 17): 10,000 lineages on a CA that, at one moment, moves every renewal window
 * into the past (as Let's Encrypt did to three million certificates in March 2026). How long until
 * every lineage holds a new certificate, how many sweeps, how many new orders per 3 hours per
 * account, and what it costs.
 *
 *   npx tsx bench/ari-drill.ts [--lineages N] [--sweep-hours H] [--slots N] [--order-seconds S] [--no-write]
 *
 * Simulated time, no real waiting: the **real planning and decision code** (`planRenewals` with
 * `decideRenewal`, the ARI cache and its Retry-After, `nextRunAt`) runs each sweep against an
 * in-memory fleet and an in-process CA whose renewal-info answers the drill controls (Retry-After 6 h,
 * as Let's Encrypt sends). The issuances are modelled: each takes `--order-seconds` (75 s: Route 53
 * INSYNC in ~45 s with the check's backoff, validation, finalize) and holds one of the issuer's
 * `--slots` order slots (the cap shared by every sweep, `sweepConcurrency`); an item whose lineage
 * another sweep holds or renewed meanwhile is skipped, not failed. The change happens one minute
 * after a sweep (the worst moment: every lineage has just cached its old window for 6 hours).
 *
 * Prints exactly one line a script reads:
 *   ari drill: 10000 lineages renewed in H hours, N sweeps, at most M new orders per 3 hours per account
 * and writes its details into bench/AWS-RESULTS.md (section "ARI drill"), with the same drill on the
 * construct's defaults beside it: 45-day certificates (Let's Encrypt's `tlsserver`), the sweep schedule
 * `sweepSchedule` gives them, and `DEFAULT_SWEEP_CONCURRENCY` slots.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAcmeContext } from '../shared/acme/context.js';
import { resolveLineageSpec, type LineageSpec } from '../shared/config/index.js';
import type { CertificateStore, Lineage, LineageState, StoredLineage } from '../shared/store/index.js';
import type { WorkflowDeps } from '../shared/workflow/deps.js';
import { DEFAULT_SWEEP_CONCURRENCY } from '../shared/workflow/machines/sweep.js';
import { planRenewals } from '../shared/workflow/plan-renewals.js';
import { sweepSchedule } from '../shared/renewal/sweep-schedule.js';
import { yearCost } from './aws/cost-year.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number, got ${process.argv[i + 1]}`);
  return value;
}

const LINEAGES = option('lineages', 10_000);
const SWEEP_HOURS = option('sweep-hours', 6);
const SLOTS = option('slots', DEFAULT_SWEEP_CONCURRENCY);
const ORDER_SECONDS = option('order-seconds', 75);
const WRITE = !process.argv.includes('--no-write');
const LIFETIME_DAYS = 90;
/** The construct's defaults: 45-day certificates, swept as `sweepSchedule` decides, with the default slots. */
const DEFAULTS_LIFETIME_DAYS = 45;
const DEFAULTS_SWEEP_HOURS = sweepSchedule([DEFAULTS_LIFETIME_DAYS * 86_400]).intervalMinutes / 60;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Let's Encrypt: 300 new orders per account per 3 hours; ARI-replacing renewals are exempt. */
const LE_ORDERS_PER_3H = 300;

/** A deterministic uniform [0, 1) generator, so every run of the drill decides the same way. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The fleet in memory: the planning's view of a store (lineages only, ETags, conditional writes). */
class FleetStore implements Pick<CertificateStore, 'getLineage' | 'putLineage' | 'listLineages'> {
  readonly lineages = new Map<string, StoredLineage>();
  readonly names: string[] = [];
  #etag = 0;

  async getLineage(name: string): Promise<StoredLineage | undefined> {
    return this.lineages.get(name);
  }

  async putLineage(lineage: Lineage, options: { expectedEtag?: string | null } = {}): Promise<{ etag: string }> {
    const current = this.lineages.get(lineage.spec.name);
    if (typeof options.expectedEtag === 'string' && current?.etag !== options.expectedEtag) throw Object.assign(new Error('conflict'), { name: 'LineageConflictError' });
    if (!current) this.names.push(lineage.spec.name);
    const etag = String(++this.#etag);
    this.lineages.set(lineage.spec.name, { lineage, etag });
    return { etag };
  }

  async listLineages(options: { cursor?: string; limit?: number } = {}): Promise<{ names: string[]; cursor?: string }> {
    const start = options.cursor ? Number(options.cursor) : 0;
    const end = start + (options.limit ?? 1000);
    return { names: this.names.slice(start, end), ...(end < this.names.length ? { cursor: String(end) } : {}) };
  }
}

const DIRECTORY_URL = 'https://drill-ca.test/dir';
const EXPLANATION_URL = 'https://drill-ca.test/incident/2026-03-drill';

/** The CA's renewal-info answers: a normal window (two days around two thirds of the lifetime) until the change, then one in the past. */
function caAnswer(certId: string, issuedAt: Map<string, number>, changeAt: number, now: number, lifetimeDays: number): { body: string; retryAfter: string } {
  const notBefore = issuedAt.get(certId) ?? 0;
  if (now >= changeAt && notBefore < changeAt) {
    return {
      body: JSON.stringify({
        suggestedWindow: { start: new Date(changeAt - 2 * HOUR).toISOString(), end: new Date(changeAt - HOUR).toISOString() },
        explanationURL: EXPLANATION_URL,
      }),
      retryAfter: '21600',
    };
  }
  const middle = notBefore + (lifetimeDays * DAY * 2) / 3;
  return { body: JSON.stringify({ suggestedWindow: { start: new Date(middle - DAY).toISOString(), end: new Date(middle + DAY).toISOString() } }), retryAfter: '21600' };
}

interface Outcome {
  readonly hours: number;
  readonly sweeps: number;
  readonly maxOrdersPer3h: number;
  readonly maxNonExemptPer3h: number;
  readonly orders: number;
  readonly skipped: number;
  readonly failures: number;
  readonly ariRequests: number;
  readonly slotWaitSeconds: number;
  readonly costUsd: number;
  readonly timeline: string[];
}

async function drill(config: { readonly sweepHours: number; readonly slots: number; readonly lifetimeDays: number }): Promise<Outcome> {
  const SWEEP_HOURS = config.sweepHours;
  const SLOTS = config.slots;
  const LIFETIME_DAYS = config.lifetimeDays;
  const random = mulberry32(2026);
  const store = new FleetStore();
  const issuedAt = new Map<string, number>();
  let now = 0;
  const changeAt = 10 * DAY + SWEEP_HOURS * HOUR + 60_000;
  const base: LineageSpec = resolveLineageSpec({
    name: 'drill-0',
    domains: ['drill-0.example.test'],
    keyType: 'ecdsa-p256',
    ca: { directoryUrl: DIRECTORY_URL, termsOfServiceAgreed: true },
    dns: { provider: 'route53', config: {} },
  });
  // A fleet in its steady state: certificates issued evenly over the two thirds of a lifetime before the drill starts.
  const certificate = (name: string, version: number, at: number): NonNullable<LineageState['current']> => {
    const id = `drill.${name}-${version}`;
    issuedAt.set(id, at);
    return {
      serialHex: Buffer.from(`${name}-${version}`).toString('hex'),
      notBefore: new Date(at).toISOString(),
      notAfter: new Date(at + LIFETIME_DAYS * DAY).toISOString(),
      domains: [`${name}.example.test`],
      ariCertificateId: id,
    };
  };
  for (let i = 0; i < LINEAGES; i++) {
    const name = `drill-${i}`;
    const at = now - (random() * LIFETIME_DAYS * 2 * DAY) / 3;
    await store.putLineage({ spec: { ...base, name, domains: [`${name}.example.test`] }, state: { currentVersion: 1, current: certificate(name, 1, at) } });
  }

  let ariRequests = 0;
  const fetchFake = async (input: string | URL | Request): Promise<Response> => {
    const url = String(input instanceof Request ? input.url : input);
    if (url === DIRECTORY_URL) {
      return new Response(
        JSON.stringify({
          newNonce: 'https://drill-ca.test/nonce',
          newAccount: 'https://drill-ca.test/acct',
          newOrder: 'https://drill-ca.test/order',
          renewalInfo: 'https://drill-ca.test/ari',
        }),
        {
          headers: { 'content-type': 'application/json' },
        },
      );
    }
    ariRequests++;
    const answer = caAnswer(url.slice('https://drill-ca.test/ari/'.length), issuedAt, changeAt, now, LIFETIME_DAYS);
    return new Response(answer.body, { headers: { 'content-type': 'application/json', 'retry-after': answer.retryAfter } });
  };
  const deps = {
    store,
    acme: (directoryUrl: string) => createAcmeContext({ directoryUrl, fetch: fetchFake as typeof fetch, now: () => new Date(now) }),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    now: () => new Date(now),
    random,
  } as unknown as WorkflowDeps;

  // The issuer's order slots, and the queue of planned items waiting for one (every sweep's, in order).
  interface Item {
    readonly lineage: string;
    readonly expectedVersion: number;
    readonly sweep: number;
  }
  const queue: Item[] = [];
  const running = new Map<string, { readonly until: number; readonly sweep: number }>();
  const orderStarts: number[] = [];
  let skipped = 0;
  // Item-time spent retrying for a slot: a sweep's Map starts at most SLOTS child executions, so an
  // item waits inside its Map for free; it retries (PrepareOrder, OrderSlotsBusyError) only while it
  // has an execution and another sweep's items hold the slots.
  let slotWaitMs = 0;
  const retrying = () => {
    const pending = new Map<number, number>();
    for (const item of queue) pending.set(item.sweep, (pending.get(item.sweep) ?? 0) + 1);
    for (const run of running.values()) pending.set(run.sweep, (pending.get(run.sweep) ?? 0) + 1);
    let started = 0;
    for (const count of pending.values()) started += Math.min(SLOTS, count);
    return Math.max(0, started - running.size);
  };
  let sweeps = 0;
  let sweepsAfterChange = 0;
  let doneAt: number | undefined;
  let ariAfterChange = 0;
  const timeline: string[] = [];
  const renewedSinceChange = () => [...store.lineages.values()].filter((s) => Date.parse(s.lineage.state.current?.notBefore ?? '') >= changeAt).length;

  /** Runs the slots until `until`: each free slot takes the next queued item at once. */
  const runUntil = async (until: number) => {
    for (;;) {
      // Start what fits now.
      while (running.size < SLOTS && queue.length > 0) {
        const item = queue.shift() as Item;
        const stored = (await store.getLineage(item.lineage)) as StoredLineage;
        // Check, lock, check again: held by another sweep's run, or renewed since planning: skipped.
        if (running.has(item.lineage) || stored.lineage.state.currentVersion !== item.expectedVersion) {
          skipped++;
          continue;
        }
        running.set(item.lineage, { until: now + ORDER_SECONDS * 1000, sweep: item.sweep });
        orderStarts.push(now);
      }
      const next = Math.min(...[...running.values()].map((r) => r.until));
      if (running.size === 0 || next > until) break;
      slotWaitMs += retrying() * (next - now);
      now = next;
      for (const [lineage, run] of [...running]) {
        if (run.until > now) continue;
        running.delete(lineage);
        const stored = (await store.getLineage(lineage)) as StoredLineage;
        const version = stored.lineage.state.currentVersion + 1;
        await store.putLineage({ spec: stored.lineage.spec, state: { currentVersion: version, current: certificate(lineage, version, now) } });
      }
      if (doneAt === undefined && now >= changeAt && renewedSinceChange() === LINEAGES) doneAt = now;
    }
    now = Math.max(now, until);
  };

  for (let sweepAt = 0; doneAt === undefined && sweepAt < changeAt + 7 * DAY; sweepAt += SWEEP_HOURS * HOUR) {
    await runUntil(sweepAt);
    if (doneAt !== undefined) break;
    sweeps++;
    if (sweepAt >= changeAt) sweepsAfterChange++;
    const before = ariRequests;
    let cursor: string | undefined;
    let due = 0;
    do {
      const page = await planRenewals({ ...(cursor ? { cursor } : {}), nextRunAt: new Date(sweepAt + SWEEP_HOURS * HOUR).toISOString() }, deps);
      for (const d of page.due) queue.push({ lineage: d.lineage, expectedVersion: d.expectedVersion, sweep: sweeps });
      due += page.due.length;
      cursor = page.cursor;
    } while (cursor);
    if (sweepAt >= changeAt - SWEEP_HOURS * HOUR) {
      if (sweepAt >= changeAt) ariAfterChange += ariRequests - before;
      timeline.push(
        `- sweep at ${((sweepAt - changeAt) / HOUR).toFixed(2)} h from the change: ${ariRequests - before} ARI requests, ${due} due, ${queue.length} waiting for a slot, ${renewedSinceChange()} of ${LINEAGES} renewed since the change`,
      );
    }
  }
  await runUntil(Number.POSITIVE_INFINITY);
  if (doneAt === undefined && renewedSinceChange() === LINEAGES) doneAt = now;

  // The most orders in any 3-hour window (sliding), from the change on; all of them replace an
  // ARI-flagged certificate, which Let's Encrypt exempts from its new-orders limit.
  const after = orderStarts.filter((t) => t >= changeAt).sort((a, b) => a - b);
  let maxOrders = 0;
  for (let i = 0, j = 0; j < after.length; j++) {
    while ((after[j] as number) - (after[i] as number) >= 3 * HOUR) i++;
    maxOrders = Math.max(maxOrders, j - i + 1);
  }
  const c = yearCost({ lineages: LINEAGES, lifetimeDays: LIFETIME_DAYS });
  // What the drill's renewals cost: one issuance each (the model's per-issuance figure), plus the
  // slot waits (a PrepareOrder retry every ~30 s: one transition, one invocation, one S3 LIST).
  const perIssuance = (c.stepFunctions + c.lambda + c.s3Requests + c.logs + c.xray + c.eventsAndScheduler) / c.renewals;
  const waitCost = (slotWaitMs / 30_000) * (0.000025 + 0.0000002 + 0.000005);
  return {
    hours: ((doneAt ?? now) - changeAt) / HOUR,
    sweeps: sweepsAfterChange,
    maxOrdersPer3h: maxOrders,
    maxNonExemptPer3h: 0,
    orders: after.length,
    skipped,
    failures: 0,
    ariRequests: ariAfterChange,
    slotWaitSeconds: slotWaitMs / 1000,
    costUsd: after.length * perIssuance + waitCost,
    timeline,
  };
}

const outcome = await drill({ sweepHours: SWEEP_HOURS, slots: SLOTS, lifetimeDays: LIFETIME_DAYS });
const defaults = WRITE ? await drill({ sweepHours: DEFAULTS_SWEEP_HOURS, slots: DEFAULT_SWEEP_CONCURRENCY, lifetimeDays: DEFAULTS_LIFETIME_DAYS }) : undefined;
const line = `ari drill: ${LINEAGES} lineages renewed in ${outcome.hours.toFixed(1)} hours, ${outcome.sweeps} sweeps, at most ${outcome.maxOrdersPer3h} new orders per 3 hours per account`;
console.log(line);

if (WRITE) {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'AWS-RESULTS.md');
  const section = [
    '## ARI drill (`npm run bench:drill`)',
    '',
    `${LINEAGES.toLocaleString('en-US')} lineages of ${LIFETIME_DAYS}-day certificates issued evenly over 60 days; one minute after a sweep the CA moves every renewal window into the past (and names an \`explanationURL\`), answering ARI with \`Retry-After: 21600\`. Simulated time: the real \`planRenewals\` and \`decideRenewal\` decide each sweep against an in-memory fleet and an in-process CA; each issuance is modelled as ${ORDER_SECONDS} s holding one of the issuer's ${SLOTS} order slots (shared by every sweep); sweeps every ${SWEEP_HOURS} h. bench/ari-drill.ts.`,
    '',
    `- **${line}**`,
    `- ${outcome.orders.toLocaleString('en-US')} orders after the change, every one replacing an ARI-flagged certificate (\`replaces\`, RFC 9773 §5): Let's Encrypt exempts them from its ${LE_ORDERS_PER_3H} new orders per 3 hours per account, so ${outcome.maxNonExemptPer3h} counted against it. A CA without that exemption would need ${Math.ceil(LINEAGES / LE_ORDERS_PER_3H) * 3} hours at ${LE_ORDERS_PER_3H} per 3 hours.`,
    `- ${outcome.skipped} planned items skipped because another sweep held or had renewed the lineage (sweeps that met); failed issuances: ${outcome.failures}, so no failure alarm. ${outcome.ariRequests.toLocaleString('en-US')} ARI requests from the change on (every lineage once per sweep: its cached answer's Retry-After of 6 hours has passed at each); ${(outcome.slotWaitSeconds / 3600).toFixed(0)} item-hours retrying for a slot while another sweep held them.`,
    `- Cost of the drill's renewals: about $${outcome.costUsd.toFixed(2)} (the per-issuance figure of section 5, plus a slot-wait retry every ~30 s).`,
    `- With the construct's defaults for ${DEFAULTS_LIFETIME_DAYS}-day certificates (sweeps every ${DEFAULTS_SWEEP_HOURS} hours as \`sweepSchedule\` gives them, \`sweepConcurrency\` ${DEFAULT_SWEEP_CONCURRENCY}, \`DEFAULT_SWEEP_CONCURRENCY\`): renewed in ${defaults?.hours.toFixed(1)} hours, ${defaults?.sweeps} sweeps, at most ${defaults?.maxOrdersPer3h} orders per 3 hours, ${defaults !== undefined && defaults.hours <= 12 ? 'within' : '**over**'} the 12-hour target. ${DEFAULT_SWEEP_CONCURRENCY} slots of ${ORDER_SECONDS} s issue ${Math.round((DEFAULT_SWEEP_CONCURRENCY * 3600) / ORDER_SECONDS)} certificates an hour; 12 hours at ${DEFAULTS_SWEEP_HOURS}-hourly sweeps needs at least ${Math.ceil((LINEAGES * ORDER_SECONDS) / (DEFAULTS_SWEEP_HOURS * 3600))} for ${LINEAGES.toLocaleString('en-US')} lineages. Issuers of 90-day certificates only sweep every 12 hours, so a change can wait up to 12 hours to be seen: set \`renewalSchedule\` to 6-hourly sweeps (the CA's 6-hour Retry-After) to meet the target there.`,
    '',
    ...outcome.timeline,
    '',
  ];
  const existing = await readFile(file, 'utf8');
  const start = existing.indexOf('## ARI drill');
  const targets = existing.indexOf('## Targets');
  const text =
    start >= 0
      ? `${existing.slice(0, start)}${section.join('\n')}\n${existing.slice(existing.indexOf('\n## ', start + 1) + 1 || existing.length)}`
      : `${existing.slice(0, targets)}${section.join('\n')}\n${existing.slice(targets)}`;
  await writeFile(file, text);
}
