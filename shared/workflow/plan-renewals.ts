import { getRenewalInfo, supportsRenewalInfo, type RenewalInfo } from '../acme/index.js';
import { decideRenewal, type RenewalReason } from '../renewal/index.js';
import type { Lineage } from '../store/index.js';
import type { WorkflowDeps } from './deps.js';

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
}

/** Lineages decided at once: a page of 1,000 does not open 1,000 connections to the CA. */
const CONCURRENCY = 16;

/**
 * The sweep's planning step: reads lineages page by page, asks the CA for renewal information
 * where it offers it and the stored answer is stale (RFC 9773 §4.3), and decides each lineage with
 * the pure renewal policy. The ARI choice (a random moment in the window) is stored back on the
 * lineage so the next sweep keeps it.
 */
export async function planRenewals(input: PlanRenewalsInput, deps: WorkflowDeps): Promise<RenewalPlan> {
  let names: string[];
  let cursor: string | undefined;
  if (input.lineages) {
    names = [...input.lineages];
  } else {
    const page = await deps.store.listLineages({ ...(input.cursor ? { cursor: input.cursor } : {}), limit: input.pageSize ?? 1000 });
    names = page.names;
    cursor = page.cursor;
  }
  const due: PlannedRenewal[] = [];
  const notDue: RenewalPlan['notDue'] = [];
  let earliest: number | undefined;
  let checked = 0;
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++] as string;
      const stored = await deps.store.getLineage(name);
      if (!stored) {
        deps.log.warn('A lineage listed for renewal does not exist; skipping it.', { lineage: name });
        continue;
      }
      const { lineage, etag } = stored;
      checked++;
      const current = lineage.state.current;
      if (current && lineage.state.revoked?.serialHex !== current.serialHex) {
        const notAfter = Date.parse(current.notAfter);
        if (!Number.isNaN(notAfter) && (earliest === undefined || notAfter < earliest)) earliest = notAfter;
      }
      const ari = await freshRenewalInfo(lineage, deps);
      const decision = decideRenewal({
        spec: lineage.spec,
        state: lineage.state,
        ...(ari ? { ari } : {}),
        now: deps.now(),
        force: input.force ?? false,
        random: () => deps.random(),
        ...(input.nextRunAt ? { nextRunAt: new Date(input.nextRunAt) } : {}),
      });
      if (JSON.stringify(decision.ariState) !== JSON.stringify(lineage.state.ari)) {
        const { ari: _old, ...rest } = lineage.state;
        await deps.store
          .putLineage({ spec: lineage.spec, state: { ...rest, ...(decision.ariState ? { ari: decision.ariState } : {}) } }, { expectedEtag: etag })
          .catch((err: Error) => deps.log.warn('Could not store renewal information; it is fetched again next time.', { lineage: name, error: err.message }));
      }
      if (decision.due) due.push({ lineage: name, expectedVersion: lineage.state.currentVersion, reason: decision.reason });
      else notDue.push({ lineage: name, reason: decision.reason, ...(decision.renewAt ? { renewAt: decision.renewAt } : {}) });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, names.length) }, worker));
  due.sort((a, b) => a.lineage.localeCompare(b.lineage));
  notDue.sort((a, b) => a.lineage.localeCompare(b.lineage));
  return {
    due,
    notDue,
    checked,
    ...(earliest === undefined ? {} : { earliestNotAfter: new Date(earliest).toISOString() }),
    ...(cursor ? { cursor } : {}),
  };
}

/** Renewal info when the CA offers it and the stored answer is missing or past its Retry-After. */
async function freshRenewalInfo(lineage: Lineage, deps: WorkflowDeps): Promise<RenewalInfo | undefined> {
  const certId = lineage.state.current?.ariCertificateId;
  if (!certId || lineage.state.revoked) return undefined;
  const now = deps.now();
  if (lineage.state.ari && Date.parse(lineage.state.ari.nextCheckAt) > now.getTime()) return undefined;
  if (lineage.state.current && Date.parse(lineage.state.current.notAfter) <= now.getTime()) return undefined;
  try {
    const ctx = deps.acme(lineage.spec.ca.directoryUrl);
    if (!(await supportsRenewalInfo(ctx))) return undefined;
    return await getRenewalInfo(ctx, certId);
  } catch (err) {
    // ARI is advice: without it the lineage renews by its expiry thresholds.
    deps.log.warn('Could not read renewal information; deciding by expiry.', { lineage: lineage.spec.name, error: (err as Error).message });
    return undefined;
  }
}

/** The sweep's last step: `Renewal Sweep Completed`, only when something was attempted (certbot's post-hook rule). */
export async function completeSweep(
  input: { results: readonly { lineage: string; failed?: boolean; skipped?: boolean }[]; skipped: number; dryRun?: boolean },
  deps: WorkflowDeps,
): Promise<{ attempted: number; renewed: string[]; failed: string[]; skipped: number }> {
  const attemptedResults = input.results.filter((r) => !r.skipped);
  const renewed = attemptedResults.filter((r) => !r.failed).map((r) => r.lineage).sort();
  const failed = attemptedResults.filter((r) => r.failed).map((r) => r.lineage).sort();
  const skipped = input.skipped + input.results.length - attemptedResults.length;
  const summary = { attempted: attemptedResults.length, renewed, failed, skipped };
  if (summary.attempted > 0) {
    await deps.events.publish([{ detailType: 'Renewal Sweep Completed', detail: { ...summary, dryRun: input.dryRun ?? false } }]);
  }
  return summary;
}
