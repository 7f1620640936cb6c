import type { FailureState, LineageState } from '../store/index.js';
import { instantOf, iso } from './instants.js';
import { RENEWAL_POLICY } from './renewal-policy.js';

/** What {@link nextFailureState} needs of a failed attempt. An `AcmeProblemError` maps as `{ name, message, problemType: type, retryAfterSeconds }`. */
export interface FailedAttempt {
  /** The error's literal name (`AcmeRateLimitedError`, `DnsPropagationTimeoutError`, ...). */
  readonly name: string;
  readonly message: string;
  /** The ACME problem type (`urn:ietf:params:acme:error:rateLimited` or its short form), when the CA answered with one. */
  readonly problemType?: string;
  /**
   * Seconds the CA asked us to wait (`Retry-After` on `rateLimited`, RFC 8555 §6.6, or on a 503).
   * Honoured when longer than the computed backoff, up to {@link RENEWAL_POLICY}`.caRetryAfterMaxSeconds`.
   */
  readonly retryAfterSeconds?: number;
}

/** Longest message kept in the lineage state; the full error goes to the failure event, not to S3. */
const MAX_MESSAGE_LENGTH = 1_000;

/**
 * The exponential backoff after `count` consecutive failures: 1 h, 2 h, 4 h, 8 h, 16 h, then 32 h
 * for every further failure.
 *
 * @example
 * [1, 2, 3, 6, 7].map(backoffSeconds) // → [3600, 7200, 14400, 115200, 115200]
 */
export function backoffSeconds(count: number): number {
  const n = Number.isFinite(count) ? Math.max(1, Math.floor(count)) : 1;
  return Math.min(RENEWAL_POLICY.backoffMaxSeconds, RENEWAL_POLICY.backoffBaseSeconds * 2 ** Math.min(n - 1, 30));
}

/**
 * The lineage's failure state after one more failed attempt: the count goes up, and the lineage
 * may not be tried again before `now + backoff` (or the CA's `Retry-After`, when that is later).
 * `decideRenewal` reads it back and answers `backoff` until then (RFC 9773 §4.2: "renewal attempts
 * are subject to the client's existing error backoff").
 *
 * A success ends the streak: the workflow stores the state without `failures`
 * ({@link clearedFailures}), so the next failure starts again at 1 h.
 *
 * @example
 * const first = nextFailureState(undefined, { name: 'DnsPropagationTimeoutError', message: 'TXT not visible' }, new Date('2026-01-01T00:00:00Z'));
 * first.retryNotBefore // → '2026-01-01T01:00:00.000Z'
 * nextFailureState(first, { name: 'AcmeRateLimitedError', message: 'too many certificates',
 *   problemType: 'urn:ietf:params:acme:error:rateLimited', retryAfterSeconds: 86_400 }, new Date('2026-01-01T01:00:00Z')).retryNotBefore
 * // → '2026-01-02T01:00:00.000Z' (the CA's day beats the 2 h backoff)
 */
export function nextFailureState(previous: FailureState | undefined, error: FailedAttempt, now: Date): FailureState {
  const nowMs = instantOf(now, 'now');
  const previousCount = previous && Number.isInteger(previous.count) && previous.count > 0 ? previous.count : 0;
  const count = previousCount + 1;
  const caSeconds =
    typeof error.retryAfterSeconds === 'number' && Number.isFinite(error.retryAfterSeconds) && error.retryAfterSeconds > 0
      ? Math.min(Math.ceil(error.retryAfterSeconds), RENEWAL_POLICY.caRetryAfterMaxSeconds)
      : 0;
  const waitSeconds = Math.max(backoffSeconds(count), caSeconds);
  const message = error.message.length > MAX_MESSAGE_LENGTH ? `${error.message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : error.message;
  return {
    count,
    lastFailureAt: iso(nowMs),
    retryNotBefore: iso(nowMs + waitSeconds * 1000),
    lastError: { name: error.name, message, ...(error.problemType ? { problemType: error.problemType } : {}) },
  };
}

/**
 * The lineage state after a successful issuance or renewal: `failures` removed, so backoff starts
 * over at 1 h with the next failure. Everything else is kept as it is (the workflow sets the new
 * `current`, and should drop `ari`, which described the replaced certificate).
 *
 * @example
 * clearedFailures({ currentVersion: 3, failures: { count: 2, ... } }) // → { currentVersion: 3 }
 */
export function clearedFailures<S extends LineageState>(state: S): Omit<S, 'failures'> {
  const { failures: _dropped, ...rest } = state;
  return rest;
}
