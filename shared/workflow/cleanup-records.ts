import { LineageConflictError } from '../store/index.js';
import type { WorkflowDeps } from './deps.js';
import { requireLineage } from './require-lineage.js';
import type { IssuanceState } from './state.js';

/**
 * Step 9, on success and on failure alike: remove our TXT values (only ours; already gone is
 * fine) and release the lineage lock. A pending key left by a failed order is dropped here: it
 * never became a certificate's key. Never throws for one record: it tries every record, then
 * reports what it could not remove, so the failure path still reaches its event. The lineage's
 * in-flight marker is cleared only when every record is gone; otherwise it stays, naming the
 * records, and the next run of the lineage removes them (PrepareOrder's recovery of an abandoned run).
 */
export async function cleanupRecords(state: IssuanceState, deps: WorkflowDeps): Promise<IssuanceState & { cleanupErrors: string[] }> {
  const errors: string[] = [];
  if (!state.skipped && state.records.length > 0) {
    try {
      const { spec } = await requireLineage(state.lineage, deps);
      const provider = await deps.dnsProvider(spec.dns);
      const results = await Promise.allSettled(state.records.map((record) => provider.deleteTxt(record)));
      results.forEach((r, i) => {
        if (r.status === 'rejected') errors.push(`${state.records[i]?.name}: ${(r.reason as Error).message}`);
      });
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (!state.result && state.keyToken) {
    await deps.keys.discardPendingCertificateKey(state.lineage, state.keyToken).catch((err: Error) => errors.push(err.message));
  }
  if (state.lock) {
    // Forget the in-flight marker before letting go of the lock, once the records are gone. A record
    // that could not be removed keeps the marker: the lineage's next run (PrepareOrder) removes it.
    if (errors.length === 0) await clearInflight(state, deps).catch((err: Error) => errors.push(err.message));
    await deps.lock.release({ ...state.lock }).catch((err: Error) => errors.push(err.message));
  }
  if (errors.length > 0) {
    deps.log.warn('Cleanup could not finish; the records named remain, and the next run of the lineage removes them.', { lineage: state.lineage, errors });
  }
  const { lock: _released, ...rest } = state;
  // Always present (empty when all went well), so the state machine can select it.
  return { ...rest, cleanupErrors: errors };
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
