/**
 * Instants as epoch milliseconds: the renewal policy compares times, and numbers cannot be
 * mutated or confused with the clock. Internal to shared/renewal.
 */

/** RFC 3339 §5.6 `date-time` (what RFC 9773 §4.2 requires of `suggestedWindow`). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses a timestamp a CA sent. Only RFC 3339 is accepted: `Date.parse` alone would also take
 * `"2026"` or `"March 7"` and turn a broken window into a plausible one.
 */
export function parseRfc3339(value: unknown): number | undefined {
  if (typeof value !== 'string' || !RFC3339.test(value)) return undefined;
  const ms = Date.parse(value.toUpperCase().replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : undefined;
}

/** Parses a timestamp acmeflow stored itself (ISO 8601 from `toISOString`, but be lenient). */
export function parseStoredInstant(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The epoch milliseconds of an injected `Date`; a programming error when it is invalid. */
export function instantOf(date: Date, field: string): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`${field} must be a valid Date.`);
  return ms;
}

/** ISO 8601 / RFC 3339 in UTC, the form stored in lineage state. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A duration for notes: `91 days`, `36 hours`, `90 s`. */
export function describeSeconds(seconds: number): string {
  if (seconds !== 0 && seconds % 86_400 === 0) return `${seconds / 86_400} days`;
  if (seconds !== 0 && seconds % 3_600 === 0) return `${seconds / 3_600} hours`;
  if (seconds >= 86_400) return `${(seconds / 86_400).toFixed(2)} days`;
  return `${seconds} s`;
}
