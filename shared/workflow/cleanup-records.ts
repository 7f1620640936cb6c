import { finishKeyStoreMove, LineageConflictError } from '../store/index.js';
import type { WorkflowDeps } from './deps.js';
import { requireLineage } from './require-lineage.js';
import type { IssuanceState } from './state.js';

/**
 * Step 9, on success and on failure alike: remove our TXT values (only ours; already gone is
 * fine) and release the lineage lock and the order slot. A pending key left by a failed order is dropped here: it
 * never became a certificate's key. Never throws for one record: it tries every record, then
 * reports what it could not remove, so the failure path still reaches its event. The lineage's
 * in-flight marker is cleared only when every record is gone; otherwise it stays, naming the
 * records, and the next run of the lineage removes them (PrepareOrder's recovery of an abandoned run).
 * Under the lock it also ends a key store move whose removal is due (`finishKeyStoreMove`).
 */
export async function cleanupRecords(state: IssuanceState, deps: WorkflowDeps): Promise<IssuanceState & { cleanupErrors: string[] }> {
  const recordErrors: string[] = [];
  const otherErrors: string[] = [];
  if (!state.skipped && state.records.length > 0) {
    try {
      const { spec } = await requireLineage(state.lineage, deps);
      const provider = await deps.dnsProvider(spec.dns);
      const results = await Promise.allSettled(state.records.map((record) => provider.deleteTxt(record)));
      results.forEach((r, i) => {
        if (r.status === 'rejected') recordErrors.push(`${state.records[i]?.name}: ${(r.reason as Error).message}`);
      });
    } catch (err) {
      recordErrors.push((err as Error).message);
    }
  }
  if (!state.result && state.keyToken) {
    await deps.keys.discardPendingCertificateKey(state.lineage, state.keyToken).catch((err: Error) => otherErrors.push(err.message));
  }
  if (state.lock) {
    // Forget the in-flight marker before letting go of the lock, once the records are gone. A record
    // that could not be removed keeps the marker: the lineage's next run (PrepareOrder) removes it.
    if (recordErrors.length === 0) await clearInflight(state, deps).catch((err: Error) => otherErrors.push(err.message));
    // A lineage moved to the other key store: its old copies go once a later version was delivered.
    await finishKeyStoreMove(deps, state.lineage).catch((err: Error) => otherErrors.push(err.message));
    await deps.lock.release({ ...state.lock }).catch((err: Error) => otherErrors.push(err.message));
  }
  if (state.orderSlot) await deps.orderSlots?.release({ ...state.orderSlot }).catch((err: Error) => otherErrors.push(err.message));
  if (recordErrors.length > 0) logRecordErrors(state, deps, recordErrors);
  if (otherErrors.length > 0) deps.log.warn(`Cleanup of ${state.lineage} could not finish: ${otherErrors.join('; ')}`, { lineage: state.lineage, errors: otherErrors });
  const { lock: _released, orderSlot: _slotReleased, ...rest } = state;
  // Always present (empty when all went well), so the state machine can select it.
  return { ...rest, cleanupErrors: [...recordErrors, ...otherErrors] };
}

/**
 * Says what a failed removal means. When PublishRecords itself failed, it had already removed what
 * it wrote, so this run left no record: the removal failing too (the same wrong key, the same zone
 * nobody serves) is no news, and saying "records remain" would send people hunting for records that
 * were never published. The in-flight marker stays either way, so the next run checks again.
 */
function logRecordErrors(state: IssuanceState, deps: WorkflowDeps, errors: readonly string[]): void {
  const names = state.records.map((r) => r.name).join(', ');
  if ((state as { failedStep?: unknown }).failedStep === 'PublishRecords') {
    deps.log.info(`Publishing failed, so this run left no challenge record; checking for one left by an earlier attempt failed too (${names}). The next run of ${state.lineage} checks again.`, {
      lineage: state.lineage,
      errors,
    });
    return;
  }
  deps.log.warn(`Could not remove the challenge records ${names}; the next run of ${state.lineage} removes them.`, { lineage: state.lineage, errors });
}

/** Tries of the marker's read-modify-write: another writer (a losing run's RecordFailure) can come between our read and write. */
const CLEAR_INFLIGHT_TRIES = 4;

async function clearInflight(state: IssuanceState, deps: WorkflowDeps): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const stored = await deps.store.getLineage(state.lineage);
    if (!stored || stored.lineage.state.inflight?.orderUrl !== state.order.url) return;
    const { inflight: _done, ...rest } = stored.lineage.state;
    try {
      await deps.store.putLineage({ spec: stored.lineage.spec, state: rest }, { expectedEtag: stored.etag });
      return;
    } catch (err) {
      // We hold the lock, so the other write changed something else (a failure recorded by a run that
      // found the lock held): read again and clear the marker on top of it.
      if (!(err instanceof LineageConflictError) || attempt >= CLEAR_INFLIGHT_TRIES) throw err;
    }
  }
}
