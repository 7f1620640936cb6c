const UNITS: readonly (readonly [seconds: number, singular: string])[] = [
  [86_400, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/**
 * Writes a number of seconds the way certbot's renewal confs spell durations (`30 days`,
 * `12 hours`), in the largest unit that divides it exactly, so that `parseDuration` (and certbot's
 * parsedatetime) read back the same number.
 *
 * @example
 * formatDuration(7_862_400) // → '91 days'
 * formatDuration(5400) // → '90 minutes'
 */
export function formatDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw new RangeError(`a duration must be a whole number of seconds, got ${seconds}`);
  const [unit, singular] = UNITS.find(([size]) => seconds % size === 0) as (typeof UNITS)[number];
  const count = seconds / unit;
  return `${count} ${singular}${count === 1 ? '' : 's'}`;
}
