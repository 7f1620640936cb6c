import { DnsPropagationTimeoutError, type CnameChains } from '../dns/errors.js';
import type { PropagationMiss } from '../dns/propagation.js';
import { certainPropagationFailure, describeMissing } from '../dns/propagation-verdict.js';
import { DEFAULT_LIMITS, type WorkflowDeps, type WorkflowLimits } from './deps.js';
import { AuthorizationWindowClosingError } from './errors.js';
import { nextPoll, pollElapsedSeconds } from './poll.js';
import { requireLineage } from './require-lineage.js';
import type { IssuanceState } from './state.js';

/** Time the CA needs after the records are visible: responding, validating, polling the authorizations. */
export const AUTHORIZATION_MARGIN_SECONDS = 120;

/** The CNAME chain of each delegated record, keyed by the name the value is published at. */
function chainsOf(state: IssuanceState): CnameChains {
  const chains: Record<string, string[]> = {};
  for (const a of state.authorizations) {
    if (a.recordName && a.effectiveName && a.cnameChain && a.cnameChain.length > 0) chains[a.effectiveName] = [a.recordName, ...a.cnameChain];
  }
  return chains;
}

/**
 * Step 3, in a loop with a Wait state: are the records on every authoritative server? Asks the
 * provider's change status first where it has one (Route 53 `GetChange` → INSYNC), then the
 * nameservers themselves (or the lineage's `resolvers`). Never sleeps.
 *
 * It ends the wait early when waiting cannot help: every server asked refuses or is not
 * authoritative (`DnsNotAuthoritativeError`), or none has answered for a minute
 * (`DnsServersUnreachableError`). Past this run's `deps.propagationTimeoutSeconds`, else the lineage's
 * `dns.propagationTimeoutSeconds` (else the limit's), it fails with `DnsPropagationTimeoutError` naming what is still missing where. Errors
 * name the CNAME chain of a delegated record. When the order's authorizations would expire before
 * the CA could validate (`authorizationDeadline` less {@link AUTHORIZATION_MARGIN_SECONDS}), it
 * stops with `AuthorizationWindowClosingError` instead of waiting past them. Each round that is not ready logs what it still
 * waits for (`fields.propagation`), which the command shows as progress.
 */
export async function checkPropagation(state: IssuanceState, deps: WorkflowDeps, limits: WorkflowLimits = DEFAULT_LIMITS): Promise<IssuanceState> {
  const now = deps.now();
  if (state.skipped || state.records.length === 0) return { ...state, poll: nextPoll(undefined, true, now) };
  const { spec } = await requireLineage(state.lineage, deps);
  const chains = chainsOf(state);
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
  const poll = nextPoll(state.poll, false, now);
  const elapsed = pollElapsedSeconds(poll, now);
  if (ready) {
    const report = await deps.checkPropagation(state.records, spec.dns.resolvers.length > 0 ? { resolvers: spec.dns.resolvers } : {});
    ready = report.ready;
    missing = [...report.missing];
    const certain = ready ? undefined : certainPropagationFailure(report, elapsed, chains);
    if (certain) throw certain;
  }
  const timeoutSeconds = deps.propagationTimeoutSeconds ?? spec.dns.propagationTimeoutSeconds ?? limits.propagationTimeoutSeconds;
  if (!ready && elapsed >= timeoutSeconds) throw new DnsPropagationTimeoutError(missing, { timeoutSeconds, chains });
  const deadline = state.authorizationDeadline === undefined ? Number.NaN : Date.parse(state.authorizationDeadline);
  if (!ready && now.getTime() + AUTHORIZATION_MARGIN_SECONDS * 1000 >= deadline) {
    // Validation still needs its own time after the records are visible: stop while the
    // authorizations are pending, not after they expired unanswered.
    throw new AuthorizationWindowClosingError(state.authorizationDeadline as string, (now.getTime() - Date.parse(state.startedAt)) / 1000, describeMissing(missing, chains));
  }
  if (!ready) {
    deps.log.info(`Waiting for DNS: ${describeMissing(missing, chains)}`, {
      lineage: state.lineage,
      propagation: { elapsedSeconds: Math.round(elapsed), timeoutSeconds, missing: missing.length },
    });
  }
  return { ...state, poll: nextPoll(state.poll, ready, now) };
}
