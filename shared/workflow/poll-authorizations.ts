import { getAuthorization } from '../acme/authorization.js';
import type { AcmeProblem } from '../acme/errors.js';
import { loadAccount } from './account.js';
import { DEFAULT_LIMITS, type WorkflowDeps, type WorkflowLimits } from './deps.js';
import { AcmePollTimeoutError, AcmeValidationFailedError } from './errors.js';
import { nextPoll, pollElapsedSeconds } from './poll.js';
import { requireLineage } from './require-lineage.js';
import type { IssuanceState } from './state.js';

/**
 * Step 5, in a loop with a Wait state: one poll of every authorization not yet valid (RFC 8555
 * §7.5.1). All valid → done. Any invalid → `AcmeValidationFailedError` with one subproblem per
 * failed name (the whole order fails, as the operator manual says). Otherwise wait the CA's
 * Retry-After. Past the deadline, `AcmePollTimeoutError`.
 */
export async function pollAuthorizations(state: IssuanceState, deps: WorkflowDeps, limits: WorkflowLimits = DEFAULT_LIMITS): Promise<IssuanceState> {
  const now = deps.now();
  if (state.skipped) return { ...state, poll: nextPoll(undefined, true, now) };
  const ctx = deps.acme(state.directoryUrl);
  const account = await loadAccount(deps, state.accountId, state.accountUrl);
  let retryAfter: number | undefined;
  const failures: { identifier: string; problem?: AcmeProblem }[] = [];
  const authorizations = [];
  for (const authz of state.authorizations) {
    if (authz.status === 'valid') {
      authorizations.push(authz);
      continue;
    }
    const polled = await getAuthorization(ctx, account, authz.url);
    const status = polled.resource.status;
    if (status === 'invalid' || status === 'deactivated' || status === 'expired' || status === 'revoked') {
      const challenge = polled.resource.challenges.find((c) => c.type === 'dns-01');
      failures.push({ identifier: authz.identifier, ...(challenge?.error ? { problem: challenge.error } : {}) });
    }
    if (polled.retryAfterSeconds !== undefined) retryAfter = Math.max(retryAfter ?? 0, polled.retryAfterSeconds);
    authorizations.push({ ...authz, status });
  }
  if (failures.length > 0) throw new AcmeValidationFailedError(failures, { url: state.order.url, signedZones: await signedZonesOf(failures, state, deps) });
  const done = authorizations.every((a) => a.status === 'valid');
  const poll = nextPoll(state.poll, done, now, retryAfter);
  if (!done && pollElapsedSeconds(poll, now) >= limits.validationTimeoutSeconds) {
    throw new AcmePollTimeoutError('validation', state.order.url, limits.validationTimeoutSeconds);
  }
  return { ...state, authorizations, poll };
}

/**
 * The DNSSEC-signed zones among the failed names' zones, through the lineage's resolvers: a hint for
 * the error, so a lookup that fails (or a store that cannot be read) only leaves the hint out.
 */
async function signedZonesOf(
  failures: readonly { identifier: string }[],
  state: IssuanceState,
  deps: WorkflowDeps,
): Promise<{ zone: string; identifiers: string[] }[]> {
  const lookup = deps.zoneSigning?.bind(deps);
  if (!lookup) return [];
  try {
    const { spec } = await requireLineage(state.lineage, deps);
    const zones = new Map<string, string[]>();
    const found = await Promise.all(failures.map(async (f) => ({ identifier: f.identifier, signing: await lookup(f.identifier, spec.dns.resolvers).catch(() => undefined) })));
    for (const { identifier, signing } of found) {
      if (!signing || !(signing.dnskey || signing.ds)) continue;
      zones.set(signing.zone, [...(zones.get(signing.zone) ?? []), identifier]);
    }
    return [...zones].map(([zone, identifiers]) => ({ zone, identifiers }));
  } catch (err) {
    deps.log.warn('Could not look up whether the zones of the failed names are DNSSEC-signed.', { lineage: state.lineage, error: (err as Error).message });
    return [];
  }
}
