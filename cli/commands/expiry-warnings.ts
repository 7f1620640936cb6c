import type { RenewResult } from '../backend/backend.js';

/** How close an expiry must be for a lineage that could not be renewed to be warned about (the CA sends no mail any more). */
export const EXPIRY_WARNING_DAYS = 7;

/**
 * The warnings `renew` prints for lineages it could not renew whose certificate expires within
 * {@link EXPIRY_WARNING_DAYS} (or has expired): with no expiry mail from the CA, this line in a
 * cron job's output may be the only notice before the outage. `now` is injected for tests.
 *
 * @example
 * expiryWarnings(outcome.results, Date.now())
 * // → ['Warning: example.com could not be renewed and its certificate expires on 2026-12-10 (in 2 days).']
 */
export function expiryWarnings(results: readonly RenewResult[], now: number): string[] {
  const warnings: string[] = [];
  for (const result of results) {
    if (result.status !== 'failed' || !result.notAfter) continue;
    const left = Date.parse(result.notAfter) - now;
    if (!(left <= EXPIRY_WARNING_DAYS * 86_400_000)) continue;
    const when = left <= 0 ? 'expired on' : `expires on`;
    const days = Math.floor(left / 86_400_000);
    const hours = Math.floor(left / 3_600_000);
    const inText = left <= 0 ? '' : days >= 1 ? ` (in ${days} day${days === 1 ? '' : 's'})` : ` (in ${hours} hour${hours === 1 ? '' : 's'})`;
    warnings.push(`Warning: ${result.lineage} could not be renewed and its certificate ${when} ${result.notAfter.slice(0, 10)}${inText}.`);
  }
  return warnings;
}
