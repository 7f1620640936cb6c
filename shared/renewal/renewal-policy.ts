/**
 * The numbers of acmeflow's renewal policy, in one place so the sweep, the docs and the tests
 * agree. Seconds unless the name says otherwise.
 */
export const RENEWAL_POLICY = {
  /**
   * Renew whatever the ARI window or threshold says once at most this fraction of the lifetime is
   * left (4.5 days of a 90-day certificate, 18 days of a 365-day one).
   */
  emergencyFraction: 1 / 20,
  /** Renew at one third of the lifetime left (today's practice for 90-day certificates). */
  defaultFraction: 1 / 3,
  /** Renew at half of the lifetime left for short-lived certificates ... */
  shortLivedFraction: 1 / 2,
  /** ... whose lifetime is at most this (10 days). */
  shortLivedMaxLifetimeSeconds: 10 * 86_400,
  /** First backoff after a failed attempt; it doubles with each further failure ... */
  backoffBaseSeconds: 3_600,
  /** ... up to this (1, 2, 4, 8, 16, 32, 32, ... hours). */
  backoffMaxSeconds: 32 * 3_600,
  /**
   * Urgent renewals (no certificate, revoked, emergency) skip the exponential backoff but still wait
   * this long after the last failure, so a broken lineage is not retried on every sweep tick.
   */
  urgentMinBackoffSeconds: 3_600,
  /** A CA's `Retry-After` on a failure is honoured up to this (a broken header must not park a lineage for a year). */
  caRetryAfterMaxSeconds: 7 * 86_400,
  /** RFC 9773 §4.3.2: `Retry-After` of renewal info under one minute is treated as one minute ... */
  ariRetryAfterMinSeconds: 60,
  /** ... and over one day as one day. */
  ariRetryAfterMaxSeconds: 86_400,
  /** RFC 9773 §4.3.3: after a long-term error (an invalid window, say), ask again in six hours. */
  ariRetryAfterDefaultSeconds: 6 * 3_600,
} as const;
