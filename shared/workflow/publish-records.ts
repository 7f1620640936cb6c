import type { WorkflowDeps } from './deps.js';
import { requireLineage } from './require-lineage.js';
import type { IssuanceState } from './state.js';

/**
 * Step 2: publish the TXT records through the lineage's DNS provider. Upserts merge with values
 * already there and are idempotent, so a retry converges. Does not wait: propagation is the next
 * step's question, asked from a Wait loop. If one record fails, the ones already written are
 * removed before the error is rethrown, so a failed publish leaves no partial records.
 */
export async function publishRecords(state: IssuanceState, deps: WorkflowDeps): Promise<IssuanceState> {
  if (state.skipped || state.records.length === 0) return { ...state, changes: [], poll: undefined };
  const { spec } = await requireLineage(state.lineage, deps);
  const provider = await deps.dnsProvider(spec.dns);
  const results = await Promise.allSettled(state.records.map((record) => provider.upsertTxt(record)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(state.records.map((record, i) => (results[i]?.status === 'fulfilled' ? provider.deleteTxt(record) : undefined)));
    throw failed.reason;
  }
  const changes = results.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof provider.upsertTxt>>>).value);
  deps.log.info('Published challenge records.', { lineage: state.lineage, records: state.records.map((r) => r.name) });
  return { ...state, changes: changes.map((c) => ({ ...c })), poll: undefined };
}

