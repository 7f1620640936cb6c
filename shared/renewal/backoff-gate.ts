import type { FailureState } from '../store/index.js';
import { backoffSeconds } from './failure-backoff.js';
import { iso, parseStoredInstant } from './instants.js';
import { RENEWAL_POLICY } from './renewal-policy.js';

/** When a lineage with failures may be tried again. Internal to shared/renewal. */
export interface BackoffGate {
  /** Ordinary renewals (ARI window, thresholds) wait until this. */
  readonly notBefore?: number;
  /** Urgent renewals (no certificate, revoked, emergency) wait until this, never later than `notBefore`. */
  readonly urgentNotBefore?: number;
}

/** `rateLimited` in either the full URN or the short form (RFC 8555 §6.7). */
function isRateLimited(problemType: string | undefined): boolean {
  return problemType !== undefined && /(^|:)rateLimited$/.test(problemType);
}

/**
 * Reads the stored failure state.
 *
 * Urgent renewals skip the exponential backoff but keep a floor of one hour after the last failure.
 * When the wait came from the CA itself they honour all of it: the CA would refuse earlier
 * attempts anyway, and hammering a CA that said "rate limited" only prolongs the limit. A wait is
 * known to be the CA's when the problem was `rateLimited`, or when `retryNotBefore` lies beyond
 * what the backoff alone gives for that failure count.
 */
export function backoffGate(failures: FailureState | undefined, notes: string[]): BackoffGate {
  if (!failures) return {};
  const lastFailureAt = parseStoredInstant(failures.lastFailureAt);
  const count = Number.isInteger(failures.count) && failures.count > 0 ? failures.count : 1;
  let notBefore = parseStoredInstant(failures.retryNotBefore);
  if (notBefore === undefined && lastFailureAt !== undefined) {
    notBefore = lastFailureAt + backoffSeconds(count) * 1000;
    notes.push(`stored retryNotBefore "${failures.retryNotBefore}" is unreadable; backing off from the last failure instead (until ${iso(notBefore)}).`);
  }
  if (notBefore === undefined) {
    notes.push('stored failure state has no readable time; ignoring it.');
    return {};
  }
  if (lastFailureAt === undefined) return { notBefore };
  const fromCa = isRateLimited(failures.lastError?.problemType) || notBefore > lastFailureAt + backoffSeconds(count) * 1000;
  const urgentNotBefore = fromCa ? notBefore : Math.min(notBefore, lastFailureAt + RENEWAL_POLICY.urgentMinBackoffSeconds * 1000);
  return { notBefore, urgentNotBefore };
}
