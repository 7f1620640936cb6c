import { getRenewalInfo, supportsRenewalInfo } from '../acme/renewal-info.js';
import type { RenewalInfo } from '../acme/types.js';
import { decideRenewal, type RenewalReason } from '../renewal/index.js';
import { LineageUnreadableError, type AriState, type Lineage, type LineageEtagPage } from '../store/index.js';
import type { WorkflowDeps } from './deps.js';
import { owedAnnouncement } from './owed-announcement.js';
import { PLANNING_INDEX_FORMAT, planningFactsOf, type PlanningFacts, type PlanningIndexEntry } from '../store/sweep-store.js';
import { LINEAGE_EXPIRY_MESSAGE, lineageExpiryFields } from './lineage-expiry-log.js';

export interface PlanRenewalsInput {
  /** Renew everything considered, due or not (certbot's --force-renewal). */
  readonly force?: boolean;
  /** Only these lineages (certbot's --cert-name); all when absent. */
  readonly lineages?: readonly string[];
  /** A page of a large fleet: the cursor from the previous page. */
  readonly cursor?: string;
  /** Lineages read per page. @default 1000 */
  readonly pageSize?: number;
  /** When the next sweep runs (ISO): an ARI moment before then is taken now (RFC 9773 §4.2). */
  readonly nextRunAt?: string;
}

export interface PlannedRenewal {
  readonly lineage: string;
  /** The version seen when planning; the issuance skips if it changed (check, lock, check again). */
  readonly expectedVersion: number;
  readonly reason: RenewalReason;
  /** The CA's page about the renewal window that made the lineage due, when it named one (RFC 9773 §4.2 `explanationURL`). */
  readonly ariExplanationURL?: string;
}

export interface RenewalPlan {
  readonly due: PlannedRenewal[];
  /** Lineages looked at and not due now, with when they will be. */
  readonly notDue: { lineage: string; reason: RenewalReason; renewAt?: string }[];
  /** More lineages remain: call again with this cursor. */
  readonly cursor?: string;
  /** The earliest expiry among this page's current, unrevoked certificates (for the expiry alarm). */
  readonly earliestNotAfter?: string;
  /** Lineages read on this page. */
  readonly checked: number;
  /**
   * Not-due lineages still marked with the `inflight` issuance of a run: a run killed after storing
   * its certificate (or one alive right now). Its TXT values and pending key are removed by a
   * cleanup-only issuance, which skips at once when that run is alive and holds the lock. Absent when there are none.
   */
  readonly abandoned?: string[];
  /** The same lineages with the version planned against, for the sweep's cleanup-only items. */
  readonly abandonedRuns?: { readonly lineage: string; readonly expectedVersion: number }[];
  /** Lineages that exist but could not be read (a damaged conf or object), with why; skipped, not renewed. Absent when none. */
  readonly unreadable?: UnreadableLineage[];
  /**
   * Not-due lineages whose current version was stored and not announced (the outbox,
   * `owedAnnouncement`): the sweep's announce-only items publish what is owed. Absent when none.
   */
  readonly announcementsOwed?: { readonly lineage: string; readonly expectedVersion: number; readonly owed: 'issued' | 'deployable' }[];
}

/** A lineage planning skipped because its stored form could not be read. */
export interface UnreadableLineage {
  readonly lineage: string;
  /** The store's message: the file or object, the line when there is one, and the problem. */
  readonly error: string;
  readonly errorName: string;
}

/** An error message kept in the sweep's state and event: long enough for a path, line and problem. */
const UNREADABLE_MESSAGE_LIMIT = 500;

/** Extra inputs of {@link planRenewals} when the sweep drives it (shared/workflow/sweep.ts). */
export interface PlanRenewalsContext {
  /** The sweep's planning index: lineages unchanged since it was written are not read. */
  readonly index?: PlanningSession;
  /** This page, listed already with its ETags (the sweep lists the next page while this one is decided). */
  readonly listed?: LineageEtagPage;
}

/**
 * Lineages decided at once. Bounded, so a page of 1,000 does not open 1,000 connections to S3 or
 * the CA; 32 keeps a CA answering in 50 ms at ~600 ARI requests a second, and stays under the SDK's
 * 50 sockets.
 */
const CONCURRENCY = 32;

/**
 * An unchanged index is still rewritten once it is this old, so the bucket's expiry of `sweeps/`
 * objects (30 days by default, infra/acme-issuer.ts) never takes it from a quiet fleet: losing it
 * costs the next sweep a read of every lineage and every ARI answer.
 */
const INDEX_REFRESH_MS = 7 * 86_400_000;

/** What one sweep's planning did, for its log line and the benchmark. */
export interface PlanningStats {
  /** Lineages decided from the planning index (unchanged ETag), not read. */
  indexHits: number;
  /** Lineages read from the store. */
  lineageReads: number;
  /** Renewal information requests sent to CAs (RFC 9773 §4.2). */
  ariRequests: number;
  /** Lineages written back (only without an index: the ARI choice is then kept on the lineage). */
  lineageWrites: number;
}

/**
 * One sweep's use of the planning index (the {@link SweepStore}'s optional `getPlanningIndex` /
 * `putPlanningIndex`): the entries the last sweep wrote, looked up by lineage ETag, and the entries
 * this sweep builds, written back once at the end. Without an index in both ports (a store that
 * cannot list ETags, or a sweep store that keeps nothing between sweeps, as the local engine's)
 * {@link PlanningSession.open} gives `undefined` and planning reads every lineage.
 *
 * @example
 * ```ts
 * const index = await PlanningSession.open(deps);
 * let cursor: string | undefined;
 * do {
 *   const page = await planRenewals({ ...(cursor ? { cursor } : {}) }, deps, index ? { index } : {});
 *   cursor = page.cursor;
 * } while (cursor);
 * await index?.save(deps, { full: true }); // every lineage was listed: the index holds exactly these
 * ```
 */
export class PlanningSession {
  readonly stats: PlanningStats = { indexHits: 0, lineageReads: 0, ariRequests: 0, lineageWrites: 0 };
  readonly #previous: Readonly<Record<string, PlanningIndexEntry>>;
  readonly #expectedEtag: string | null;
  readonly #writtenAt: number;
  readonly #next = new Map<string, PlanningIndexEntry>();
  #changed: boolean;

  private constructor(previous: Readonly<Record<string, PlanningIndexEntry>>, expectedEtag: string | null, replace = false, writtenAt = Number.NaN) {
    this.#previous = previous;
    this.#expectedEtag = expectedEtag;
    this.#writtenAt = writtenAt;
    // No index yet, or an unreadable one: written at the end even when the fleet is empty.
    this.#changed = replace || expectedEtag === null;
  }

  /** The session of a sweep, or undefined when the ports keep no index. A failed read starts cold. */
  static async open(deps: WorkflowDeps): Promise<PlanningSession | undefined> {
    const sweeps = deps.sweeps;
    if (!sweeps?.getPlanningIndex || !sweeps.putPlanningIndex || !deps.store.listLineageEtags) return undefined;
    try {
      const stored = await sweeps.getPlanningIndex();
      return new PlanningSession(stored?.index.lineages ?? {}, stored?.etag ?? null, false, Date.parse(stored?.index.writtenAt ?? ''));
    } catch (err) {
      const etag = (err as { etag?: unknown }).etag;
      deps.log.warn('The planning index could not be read; this sweep reads every lineage and writes a new index.', {
        error: (err as Error).message,
        errorName: (err as Error).name,
      });
      // An unreadable index is replaced (conditionally, on the ETag it has); after another failure
      // the write only succeeds where there is none, and a present index is left to the next sweep.
      return new PlanningSession({}, typeof etag === 'string' ? etag : null, true);
    }
  }

  /** Lineages in the index the last sweep wrote. */
  get size(): number {
    return Object.keys(this.#previous).length;
  }

  /** The entry of `name` when the lineage's current ETag is the one it was copied at. */
  lookup(name: string, etag: string | undefined): PlanningIndexEntry | undefined {
    const entry = Object.hasOwn(this.#previous, name) ? this.#previous[name] : undefined;
    return etag !== undefined && etag !== '' && entry?.etag === etag ? entry : undefined;
  }

  /**
   * The ARI state kept for the lineage's current certificate: `{ state }` (possibly without one)
   * when the index holds it for this serial; undefined when the index knows nothing of it (then the
   * lineage's own `state.ari` applies).
   */
  keptAri(name: string, facts: PlanningFacts): { readonly state?: AriState } | undefined {
    const kept = Object.hasOwn(this.#previous, name) ? this.#previous[name]?.ari : undefined;
    const serial = facts.state.current?.serialHex;
    return kept && serial !== undefined && kept.serialHex === serial ? kept : undefined;
  }

  /** Keeps `entry` for the index this sweep writes. */
  record(name: string, entry: PlanningIndexEntry): void {
    this.#next.set(name, entry);
    if (entry !== this.#previous[name]) this.#changed = true;
  }

  /**
   * Writes the index once, atomically, when anything changed: after a full sweep it holds exactly
   * the lineages listed (deleted ones drop out); after a sweep of named lineages, the previous
   * entries with these replaced. An unchanged index is rewritten only when it is a week old (or its
   * date unreadable), ahead of the `sweeps/` expiry. A failed write is logged and costs the next sweep its speed only.
   */
  async save(deps: WorkflowDeps, options: { readonly full: boolean }): Promise<void> {
    const previousNames = Object.keys(this.#previous);
    const dropped = options.full && previousNames.some((name) => !this.#next.has(name));
    const old = !(deps.now().getTime() - this.#writtenAt < INDEX_REFRESH_MS);
    if (!this.#changed && !dropped && !old) return;
    const merged = new Map<string, PlanningIndexEntry>(options.full ? [] : Object.entries(this.#previous));
    for (const [name, entry] of this.#next) merged.set(name, entry);
    const lineages: Record<string, PlanningIndexEntry> = {};
    for (const name of [...merged.keys()].sort()) lineages[name] = merged.get(name) as PlanningIndexEntry;
    try {
      await deps.sweeps?.putPlanningIndex?.(
        { format: PLANNING_INDEX_FORMAT, writtenAt: deps.now().toISOString(), lineages },
        { expectedEtag: this.#expectedEtag },
      );
    } catch (err) {
      deps.log.warn('The planning index was not written; the next sweep reads the lineages it lacks.', {
        error: (err as Error).message,
        errorName: (err as Error).name,
      });
    }
  }
}

/**
 * The sweep's planning step: reads lineages page by page, asks the CA for renewal information
 * where it offers it and the stored answer is stale (RFC 9773 §4.3), and decides each lineage with
 * the pure renewal policy.
 *
 * With a planning index (`context.index`, see {@link PlanningSession}) a lineage whose ETag is the
 * one in the index is decided from the index's facts without being read, and the ARI choice (the
 * random moment in the window, RFC 9773 §4.2) is kept in the index: a refreshed answer costs no
 * lineage write. Without one, every lineage is read and the ARI choice is stored back on the lineage
 * (the local engine, whose sweep store forgets between runs). Both decide the same facts the same way.
 *
 * @example
 * ```ts
 * const plan = await planRenewals({ pageSize: 500 }, deps);
 * // { due: [{ lineage: 'example.com', expectedVersion: 3, reason: 'ari-window' }], notDue: [...], checked: 500, cursor: '…' }
 * ```
 */
export async function planRenewals(input: PlanRenewalsInput, deps: WorkflowDeps, context: PlanRenewalsContext = {}): Promise<RenewalPlan> {
  const { index } = context;
  let listed: { readonly name: string; readonly etag?: string }[];
  let cursor: string | undefined;
  if (input.lineages) {
    listed = input.lineages.map((name) => ({ name }));
  } else if (context.listed) {
    listed = context.listed.lineages;
    cursor = context.listed.cursor;
  } else {
    const options = { ...(input.cursor ? { cursor: input.cursor } : {}), limit: input.pageSize ?? 1000 };
    if (index && deps.store.listLineageEtags) {
      const page = await deps.store.listLineageEtags(options);
      listed = page.lineages;
      cursor = page.cursor;
    } else {
      const page = await deps.store.listLineages(options);
      listed = page.names.map((name) => ({ name }));
      cursor = page.cursor;
    }
  }
  const stats = index?.stats ?? { indexHits: 0, lineageReads: 0, ariRequests: 0, lineageWrites: 0 };
  const ariSupport = new Map<string, Promise<boolean>>();
  const due: PlannedRenewal[] = [];
  const notDue: RenewalPlan['notDue'] = [];
  const abandoned: { lineage: string; expectedVersion: number }[] = [];
  const owedAnnouncements: NonNullable<RenewalPlan['announcementsOwed']>[number][] = [];
  const unreadable: UnreadableLineage[] = [];
  let earliest: number | undefined;
  let checked = 0;
  let next = 0;
  const worker = async () => {
    while (next < listed.length) {
      const item = listed[next++] as (typeof listed)[number];
      const name = item.name;
      const hit = index?.lookup(name, item.etag);
      let facts: PlanningFacts;
      let etag: string;
      let lineage: Lineage | undefined;
      if (hit) {
        stats.indexHits++;
        facts = hit.facts;
        etag = hit.etag;
      } else {
        stats.lineageReads++;
        let stored: Awaited<ReturnType<typeof deps.store.getLineage>>;
        try {
          stored = await deps.store.getLineage(name);
        } catch (err) {
          // One damaged lineage must not stop the renewal of all the others: it is named and counted.
          if (!(err instanceof LineageUnreadableError)) throw err;
          const error = err.message.slice(0, UNREADABLE_MESSAGE_LIMIT);
          deps.log.error('A lineage could not be read; skipping it.', { lineage: name, error, errorName: err.name });
          unreadable.push({ lineage: name, error, errorName: err.name });
          continue;
        }
        if (!stored) {
          deps.log.warn('A lineage listed for renewal does not exist; skipping it.', { lineage: name });
          continue;
        }
        lineage = stored.lineage;
        facts = planningFactsOf(stored.lineage);
        etag = stored.etag;
      }
      checked++;
      const { state } = facts;
      const current = state.current;
      if (current && state.revoked?.serialHex !== current.serialHex) {
        const notAfter = Date.parse(current.notAfter);
        if (!Number.isNaN(notAfter) && (earliest === undefined || notAfter < earliest)) earliest = notAfter;
        // A full sweep logs each lineage's expiry once: the dashboard lists the fewest days left from these lines.
        const expiry = input.lineages ? undefined : lineageExpiryFields(name, current.notAfter, deps.now());
        if (expiry) deps.log.info(LINEAGE_EXPIRY_MESSAGE, { ...expiry });
      }
      const kept = index?.keptAri(name, facts);
      const storedAri = kept ? kept.state : state.ari;
      const fresh = await freshRenewalInfo(facts, storedAri, deps, ariSupport, stats);
      const { ari: _lineageAri, ...rest } = state;
      const decision = decideRenewal({
        spec: facts,
        state: { ...rest, ...(storedAri ? { ari: storedAri } : {}) },
        ...(fresh ? { ari: fresh } : {}),
        now: deps.now(),
        force: input.force ?? false,
        random: () => deps.random(),
        ...(input.nextRunAt ? { nextRunAt: new Date(input.nextRunAt) } : {}),
      });
      const ariChanged = JSON.stringify(decision.ariState) !== JSON.stringify(storedAri);
      if (index) {
        // An entry read at the same ETag, with the same ARI state, is kept as it is (no rewrite of the index).
        const unchanged = hit !== undefined && (current ? kept !== undefined && !ariChanged : true);
        // The entry keeps the ARI state for the current serial; the lineage's own (older) copy is left out.
        index.record(
          name,
          unchanged
            ? hit
            : {
                etag,
                facts: { ...facts, state: rest },
                ...(current ? { ari: { serialHex: current.serialHex, ...(decision.ariState ? { state: decision.ariState } : {}) } } : {}),
              },
        );
      } else if (ariChanged && lineage) {
        const { ari: _old, ...others } = lineage.state;
        stats.lineageWrites++;
        await deps.store
          .putLineage({ spec: lineage.spec, state: { ...others, ...(decision.ariState ? { ari: decision.ariState } : {}) } }, { expectedEtag: etag })
          .catch((err: Error) => deps.log.warn('Could not store renewal information; it is fetched again next time.', { lineage: name, error: err.message }));
      }
      if (decision.due) {
        // Only an https URL of sane length travels on (it is the CA's text, shown to people and put in events).
        const told = decision.reason === 'ari-window' ? decision.ariState?.explanationURL : undefined;
        const explanationURL = told !== undefined && told.length <= 2048 && /^https:\/\/[^\s]+$/.test(told) ? told : undefined;
        due.push({ lineage: name, expectedVersion: state.currentVersion, reason: decision.reason, ...(explanationURL ? { ariExplanationURL: explanationURL } : {}) });
      }
      else {
        notDue.push({ lineage: name, reason: decision.reason, ...(decision.renewAt ? { renewAt: decision.renewAt } : {}) });
        const owed = owedAnnouncement({ state, now: deps.now() });
        if (state.inflight) abandoned.push({ lineage: name, expectedVersion: state.currentVersion });
        // A cleanup-only run goes first; what is owed then waits for the next sweep.
        else if (owed) owedAnnouncements.push({ lineage: name, expectedVersion: state.currentVersion, owed });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, listed.length) }, worker));
  due.sort((a, b) => a.lineage.localeCompare(b.lineage));
  notDue.sort((a, b) => a.lineage.localeCompare(b.lineage));
  abandoned.sort((a, b) => a.lineage.localeCompare(b.lineage));
  owedAnnouncements.sort((a, b) => a.lineage.localeCompare(b.lineage));
  unreadable.sort((a, b) => a.lineage.localeCompare(b.lineage));
  return {
    due,
    notDue,
    checked,
    ...(earliest === undefined ? {} : { earliestNotAfter: new Date(earliest).toISOString() }),
    ...(cursor ? { cursor } : {}),
    ...(abandoned.length > 0 ? { abandoned: abandoned.map((a) => a.lineage), abandonedRuns: abandoned } : {}),
    ...(unreadable.length > 0 ? { unreadable } : {}),
    ...(owedAnnouncements.length > 0 ? { announcementsOwed: owedAnnouncements } : {}),
  };
}

/**
 * Renewal info when the CA offers it and the stored answer (`stored`: the index's, else the
 * lineage's) is missing or past its Retry-After. Whether a CA offers ARI is asked once per
 * directory and planning page, so a page does not send one directory request per worker.
 */
async function freshRenewalInfo(
  facts: PlanningFacts,
  stored: AriState | undefined,
  deps: WorkflowDeps,
  ariSupport: Map<string, Promise<boolean>>,
  stats: PlanningStats,
): Promise<RenewalInfo | undefined> {
  const { state } = facts;
  const certId = state.current?.ariCertificateId;
  if (!certId || state.revoked) return undefined;
  const now = deps.now();
  if (stored && Date.parse(stored.nextCheckAt) > now.getTime()) return undefined;
  if (state.current && Date.parse(state.current.notAfter) <= now.getTime()) return undefined;
  try {
    const ctx = deps.acme(facts.directoryUrl);
    let supported = ariSupport.get(facts.directoryUrl);
    if (!supported) {
      supported = supportsRenewalInfo(ctx).catch((err: Error) => {
        deps.log.warn('Could not read the CA\'s directory; deciding its lineages by stored renewal information and expiry.', {
          directoryUrl: facts.directoryUrl,
          error: err.message,
        });
        return false;
      });
      ariSupport.set(facts.directoryUrl, supported);
    }
    if (!(await supported)) return undefined;
    stats.ariRequests++;
    return await getRenewalInfo(ctx, certId);
  } catch (err) {
    // ARI is advice: without it the lineage renews by its expiry thresholds.
    deps.log.warn('Could not read renewal information; deciding by expiry.', { lineage: facts.name, error: (err as Error).message });
    return undefined;
  }
}

/** What `Renewal Sweep Completed` reports and CompleteSweep returns. */
export interface SweepSummary {
  readonly attempted: number;
  readonly renewed: string[];
  readonly failed: string[];
  readonly skipped: number;
  /**
   * Of `skipped`, the due lineages whose issuance skipped them: another run (a sweep that met this
   * one) held the lineage, or renewed it since planning. Absent when none.
   */
  readonly skippedDue?: number;
  /** Lineages that could not be read, when any: how many, and the first {@link UNREADABLE_NAMED} with why. */
  readonly unreadableCount?: number;
  readonly unreadable?: UnreadableLineage[];
}

/** Unreadable lineages named in the sweep's state and event (Step Functions state is at most 256 KB); the log names every one. */
export const UNREADABLE_NAMED = 100;

/**
 * The sweep's last step: `Renewal Sweep Completed`, when something was attempted (certbot's
 * post-hook rule runs on `attempted` > 0), a due lineage was skipped because another run held it,
 * or a lineage could not be read (a failure someone must see).
 */
export async function completeSweep(
  input: {
    results: readonly { lineage: string; failed?: boolean; skipped?: boolean }[];
    skipped: number;
    dryRun?: boolean;
    unreadable?: readonly UnreadableLineage[];
    unreadableCount?: number;
  },
  deps: WorkflowDeps,
): Promise<SweepSummary> {
  const attemptedResults = input.results.filter((r) => !r.skipped);
  const renewed = attemptedResults.filter((r) => !r.failed).map((r) => r.lineage).sort();
  const failed = attemptedResults.filter((r) => r.failed).map((r) => r.lineage).sort();
  const skippedDue = input.results.length - attemptedResults.length;
  const skipped = input.skipped + skippedDue;
  const unreadable = (input.unreadable ?? []).slice(0, UNREADABLE_NAMED);
  const unreadableCount = Math.max(input.unreadableCount ?? 0, unreadable.length);
  const summary: SweepSummary = {
    attempted: attemptedResults.length,
    renewed,
    failed,
    skipped,
    ...(skippedDue > 0 ? { skippedDue } : {}),
    ...(unreadableCount > 0 ? { unreadableCount, unreadable } : {}),
  };
  // A sweep whose due lineages were all taken by another run still reports them (skipped, not failed).
  if (summary.attempted > 0 || skippedDue > 0 || unreadableCount > 0) {
    await deps.events.publish([{ detailType: 'Renewal Sweep Completed', detail: { ...summary, dryRun: input.dryRun ?? false } }]);
  }
  return summary;
}
