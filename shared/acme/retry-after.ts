/**
 * `Retry-After` (RFC 9110 §10.2.3) comes as delay-seconds or as an HTTP date. ACME servers use it on
 * polled resources (RFC 8555 §7.4.1, §8.2), on `rateLimited` (§6.6) and on renewal info (RFC 9773 §4.3).
 */

export interface RetryAfterBounds {
  /** Smallest value returned, in seconds. @default 1 */
  readonly min?: number;
  /** Largest value returned, in seconds: a hostile or broken header must not park a workflow for a year. @default 86400 */
  readonly max?: number;
}

/**
 * Parses a `Retry-After` header into whole seconds from `now`, clamped to `[min, max]`.
 * Returns undefined when the header is absent or unparseable.
 *
 * @example
 * parseRetryAfter('120', new Date()) // → 120
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', new Date('2015-10-21T07:27:00Z')) // → 60
 */
export function parseRetryAfter(header: string | null | undefined, now: Date, bounds: RetryAfterBounds = {}): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  let seconds: number;
  if (/^\d+$/.test(value)) {
    seconds = Number(value);
  } else {
    // An HTTP-date always names its month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse alone would
    // also take "-5" or "2015" as dates.
    if (!/[A-Za-z]{3}/.test(value)) return undefined;
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    seconds = Math.ceil((at - now.getTime()) / 1000);
  }
  const min = bounds.min ?? 1;
  const max = bounds.max ?? 86_400;
  return Math.min(max, Math.max(min, seconds));
}
