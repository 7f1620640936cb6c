import type { LineageEtagPage } from '../store/index.js';
import type { WorkflowDeps } from './deps.js';
import { completeSweep, planRenewals, PlanningSession, UNREADABLE_NAMED, type RenewalPlan, type SweepSummary, type UnreadableLineage } from './plan-renewals.js';
import type { SweepItem, SweepItemResult, SweepResultsRef, SweepStore } from '../store/sweep-store.js';

/** What starts a sweep (the scheduler's or `cdk deploy`'s execution input). */
export interface SweepInput {
  /** Renew everything considered, due or not (certbot's --force-renewal). @default false */
  readonly force?: boolean;
  /** Only these lineages (certbot's --cert-name); all when absent. */
  readonly lineages?: readonly string[];
  /** Issue against the staging CA and store nothing (certbot's --dry-run). @default false */
  readonly dryRun?: boolean;
  /** When the next sweep runs (ISO): an ARI moment before then is taken now (RFC 9773 §4.2). */
  readonly nextRunAt?: string;
  /** Lineages read per page of the store. @default 1000 */
  readonly pageSize?: number;
}

/**
 * The sweep's execution state after PlanRenewals. The Choice state reads `due`, the Distributed Map
 * reads the plan at `planKey`, and the map's ResultWriter details arrive in `results`.
 */
export interface SweepState {
  /** Where the plan is (absent when nothing is due: no plan is written). */
  readonly planKey?: string;
  /** Lineages in the plan. */
  readonly due: number;
  /** Lineages looked at and not due now. */
  readonly skipped: number;
  readonly dryRun: boolean;
  readonly force: boolean;
  /** Set by the map (ResultPath `$.results`): its ResultWriter details, or the items inline locally. */
  readonly results?: SweepResultsRef;
  /** After a full, real sweep: days left on the certificate that expires first (the expiry alarm's metric). */
  readonly expiry?: { readonly daysToExpiryMin: number; readonly lineagesChecked: number };
  /**
   * Lineages not due that still carry the `inflight` marker of an abandoned run (see
   * {@link RenewalPlan.abandoned}); absent when none. Their names are in the step's log.
   */
  readonly abandonedRuns?: number;
  /**
   * Lineages that exist but could not be read, when any: how many, and the first
   * {@link UNREADABLE_NAMED} with the store's message. They are skipped; the rest of the fleet renews,
   * and CompleteSweep reports them (event, failure metric).
   */
  readonly unreadableCount?: number;
  readonly unreadable?: UnreadableLineage[];
}

/** A sweep step ran with deps that have no `sweeps` store (the Lambda shell and the local engine both set one). */
export class SweepStoreMissingError extends Error {
  constructor() {
    super('The renewal sweep needs a sweep store (WorkflowDeps.sweeps) to keep its plan and results; none was configured.');
    this.name = 'SweepStoreMissingError';
  }
}

/** CompleteSweep found due lineages but no map results: the map did not hand its ResultWriter details on. */
export class SweepResultsMissingError extends Error {
  readonly due: number;
  constructor(due: number) {
    super(`The sweep planned ${due} renewal(s) but its state has no "results" (the map's ResultWriterDetails, or { items } locally).`);
    this.name = 'SweepResultsMissingError';
    this.due = due;
  }
}

function sweepsOf(deps: WorkflowDeps): SweepStore {
  if (!deps.sweeps) throw new SweepStoreMissingError();
  return deps.sweeps;
}

/**
 * PlanRenewals of the sweep state machine: runs {@link planRenewals} over every page of lineages
 * (following its cursor), writes the due ones as the plan the Distributed Map reads, and returns
 * the counts for the Choice state. A retried step overwrites its own plan (the plan is named after
 * the sweep, i.e. the execution). Nothing due → no plan written, `planKey` absent.
 *
 * When the ports keep a planning index ({@link PlanningSession}: the certificate store lists ETags,
 * the sweep store keeps the index), a lineage unchanged since the last sweep is decided from the
 * index without a GetObject, the next page is listed while this one is decided, and the index is
 * written back once at the end. The first sweep (no index yet) reads every lineage, as before.
 *
 * @example
 * ```ts
 * const state = await planSweep({ input: { force: false }, sweepId: 'sweep-2026-01-01T00-00' }, deps);
 * // { planKey: 'sweeps/sweep-2026-01-01T00-00/plan.json', due: 3, skipped: 120, dryRun: false, force: false }
 * ```
 */
export async function planSweep(event: { input: SweepInput; sweepId: string }, deps: WorkflowDeps): Promise<SweepState> {
  const { input, sweepId } = event;
  const force = input.force ?? false;
  const dryRun = input.dryRun ?? false;
  const sweeps = sweepsOf(deps);
  const index = await PlanningSession.open(deps);
  const items: SweepItem[] = [];
  const abandoned: string[] = [];
  const unreadable: UnreadableLineage[] = [];
  let skipped = 0;
  let checked = 0;
  let earliest: number | undefined;
  const pageInput = {
    force,
    ...(input.lineages ? { lineages: input.lineages } : {}),
    ...(input.nextRunAt ? { nextRunAt: input.nextRunAt } : {}),
  };
  const take = (page: RenewalPlan) => {
    for (const due of page.due) {
      items.push({ lineage: due.lineage, expectedVersion: due.expectedVersion, force, dryRun, ...(due.ariExplanationURL ? { ariExplanationURL: due.ariExplanationURL } : {}) });
    }
    // A cleanup-only item's lineage counts as skipped through its result, not here as well.
    skipped += page.notDue.length - (dryRun ? 0 : (page.abandonedRuns?.length ?? 0) + (page.announcementsOwed?.length ?? 0));
    checked += page.checked;
    abandoned.push(...(page.abandoned ?? []));
    unreadable.push(...(page.unreadable ?? []));
    // Not due, but a dead run's records and pending key are waiting: a cleanup-only issuance removes
    // them now rather than at the lineage's next renewal (PrepareOrder, under the lock). A dry run cleans nothing.
    if (!dryRun) for (const a of page.abandonedRuns ?? []) items.push({ lineage: a.lineage, expectedVersion: a.expectedVersion, force: false, dryRun, cleanupOnly: true });
    // Not due, but stored and not announced (the outbox): an announce-only issuance publishes what is owed, no order.
    if (!dryRun) for (const a of page.announcementsOwed ?? []) items.push({ lineage: a.lineage, expectedVersion: a.expectedVersion, force: false, dryRun, announceOnly: true });
    if (page.earliestNotAfter) {
      const at = Date.parse(page.earliestNotAfter);
      if (earliest === undefined || at < earliest) earliest = at;
    }
  };
  const listEtags = deps.store.listLineageEtags?.bind(deps.store);
  if (index && listEtags && !input.lineages) {
    const limit = input.pageSize ?? 1000;
    const list = (cursor?: string): Promise<LineageEtagPage> => {
      const listing = listEtags({ limit, ...(cursor ? { cursor } : {}) });
      // Awaited below; until then a failure must not count as unhandled.
      listing.catch(() => undefined);
      return listing;
    };
    let listing: Promise<LineageEtagPage> | undefined = list();
    while (listing !== undefined) {
      const listed: LineageEtagPage = await listing;
      // The next page is listed while this one is decided.
      listing = listed.cursor ? list(listed.cursor) : undefined;
      take(await planRenewals(pageInput, deps, { index, listed }));
    }
  } else {
    let cursor: string | undefined;
    do {
      const page = await planRenewals({ ...pageInput, ...(cursor ? { cursor } : {}), ...(input.pageSize ? { pageSize: input.pageSize } : {}) }, deps, index ? { index } : {});
      take(page);
      cursor = page.cursor;
    } while (cursor);
  }
  await index?.save(deps, { full: !input.lineages });
  const planKey = items.length > 0 ? await sweeps.putPlan(sweepId, items) : undefined;
  deps.log.info('Renewal sweep planned.', {
    sweepId,
    due: items.length,
    skipped,
    dryRun,
    force,
    ...(index ? { planningIndex: { entries: index.size, ...index.stats } } : { planningIndex: 'none' }),
  });
  if (abandoned.length > 0) {
    deps.log.warn('Lineages not due still carry the in-flight marker of another run: a cleanup-only issuance removes what it left, unless that run is alive and holds the lock.', {
      count: abandoned.length,
      lineages: abandoned.slice(0, 50),
    });
  }
  // A full, real sweep knows the fleet's earliest expiry: the shell publishes it for the alarm.
  const expiry =
    !input.lineages && !dryRun && earliest !== undefined
      ? { daysToExpiryMin: Math.round(((earliest - deps.now().getTime()) / 86_400_000) * 100) / 100, lineagesChecked: checked }
      : undefined;
  return {
    ...(planKey ? { planKey } : {}),
    due: items.length,
    skipped,
    dryRun,
    force,
    ...(expiry ? { expiry } : {}),
    ...(abandoned.length > 0 ? { abandonedRuns: abandoned.length } : {}),
    ...(unreadable.length > 0 ? { unreadableCount: unreadable.length, unreadable: unreadable.slice(0, UNREADABLE_NAMED) } : {}),
  };
}

/**
 * CompleteSweep: reads the map's results (none when nothing was due) and emits
 * `Renewal Sweep Completed` through {@link completeSweep} when anything was attempted.
 *
 * @example
 * ```ts
 * await finishSweep({ planKey, due: 2, skipped: 5, dryRun: false, force: false, results: { ResultWriterDetails: { Bucket, Key } } }, deps);
 * // { attempted: 2, renewed: ['a.example'], failed: ['b.example'], skipped: 5 }
 * ```
 */
export async function finishSweep(state: SweepState, deps: WorkflowDeps): Promise<SweepSummary> {
  let results: readonly SweepItemResult[] = [];
  if (state.due > 0) {
    if (!state.results) throw new SweepResultsMissingError(state.due);
    results = await sweepsOf(deps).readResults(state.results);
  }
  return completeSweep(
    {
      results,
      skipped: state.skipped,
      dryRun: state.dryRun,
      ...(state.unreadableCount ? { unreadableCount: state.unreadableCount, unreadable: state.unreadable ?? [] } : {}),
    },
    deps,
  );
}
