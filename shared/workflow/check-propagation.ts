import { DnsPropagationTimeoutError } from '../dns/errors.js';
import type { PropagationMiss } from '../dns/propagation.js';
import { DEFAULT_LIMITS, type WorkflowDeps, type WorkflowLimits } from './deps.js';
import { nextPoll, pollElapsedSeconds } from './poll.js';
import { requireLineage } from './require-lineage.js';
import type { IssuanceState } from './state.js';

/**
 * Step 3, in a loop with a Wait state: are the records on every authoritative server? Asks the
 * provider's change status first where it has one (Route 53 `GetChange` → INSYNC), then the
 * nameservers themselves (or the lineage's `resolvers`). Never sleeps; past the deadline it fails
 * with `DnsPropagationTimeoutError` naming what is still missing where.
 */
export async function checkPropagation(state: IssuanceState, deps: WorkflowDeps, limits: WorkflowLimits = DEFAULT_LIMITS): Promise<IssuanceState> {
  const now = deps.now();
  if (state.skipped || state.records.length === 0) return { ...state, poll: nextPoll(undefined, true, now) };
  const { spec } = await requireLineage(state.lineage, deps);
  let ready = true;
  let missing: PropagationMiss[] = [];
  const provider = await deps.dnsProvider(spec.dns);
  if (provider.changeStatus) {
    const statuses = await Promise.all(state.changes.filter((c) => c.id).map((c) => provider.changeStatus!(c)));
    if (statuses.some((s) => s !== 'insync')) {
      ready = false;
      missing = state.records.map((r) => ({ name: r.name, server: provider.code, reason: 'absent' as const, detail: 'the provider reports the change as still pending' }));
    }
  }
  if (ready) {
    const report = await deps.checkPropagation(state.records, spec.dns.resolvers.length > 0 ? { resolvers: spec.dns.resolvers } : {});
    ready = report.ready;
    missing = [...report.missing];
  }
  const poll = nextPoll(state.poll, ready, now);
  if (!ready && pollElapsedSeconds(poll, now) >= limits.propagationTimeoutSeconds) {
    throw new DnsPropagationTimeoutError(missing);
  }
  return { ...state, poll };
}
