// A namespace import lets esbuild drop zod's locales from the Lambda bundle (about 360 KB).
import * as z from 'zod';
import { ConfigError } from './errors.js';

/**
 * Durations as people write them (certbot's `renew_before_expiry`, construct props, the config file)
 * and as acmeflow writes them back into a renewal conf. Parsing and formatting live together so that
 * what {@link formatDuration} writes is always what {@link parseDuration} reads back.
 */

const UNITS: Record<string, number> = {
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: 86400, day: 86400, days: 86400,
  w: 604800, week: 604800, weeks: 604800,
};

/** The units {@link formatDuration} writes, largest first; each is one certbot's parsedatetime reads. */
const FORMAT_UNITS: readonly (readonly [seconds: number, singular: string])[] = [
  [86_400, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** What is wrong with a duration, without the field name: every path that checks one says the same. */
function durationProblem(input: string | number): string | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? undefined : 'must be a non-negative number of seconds.';
  return toSeconds(input) === undefined ? `"${input}" is not a duration. Write it like "30 days", "12h" or "P30D".` : undefined;
}

function toSeconds(input: string): number | undefined {
  const text = input.trim().toLowerCase();
  if (/^\d+$/.test(text)) return Number(text) * 86400;
  const iso = /^p(?:(\d+)w)?(?:(\d+)d)?(?:t(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?)?$/.exec(text);
  if (iso && text !== 'p' && text !== 'pt') {
    const [, w, d, h, m, s] = iso.map((x) => Number(x ?? 0));
    return (w as number) * 604800 + (d as number) * 86400 + (h as number) * 3600 + (m as number) * 60 + (s as number);
  }
  let total = 0;
  let matched = '';
  for (const part of text.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)\s*/g)) {
    const unit = UNITS[part[2] as string];
    if (unit === undefined) break;
    total += Number(part[1]) * unit;
    matched += part[0];
  }
  if (matched === '' || matched.replace(/\s/g, '') !== text.replace(/\s/g, '')) return undefined;
  return Math.round(total);
}

/**
 * Parses a duration into seconds. Accepts certbot's `renew_before_expiry` form (`30 days`,
 * `91 days`, `12 hours`, combinations like `1 day 6 hours`), short forms (`30d`, `12h`), a bare
 * number of days (certbot reads `30` as days), and ISO 8601 (`P30D`, `PT12H`). A number is seconds.
 *
 * @throws ConfigError naming `field`, with the same wording as {@link durationSchema}'s issue.
 *
 * @example
 * parseDuration('91 days') // → 7862400
 */
export function parseDuration(input: string | number, field = 'duration'): number {
  const problem = durationProblem(input);
  if (problem !== undefined) throw new ConfigError(`${field}: ${problem}`, { field });
  return typeof input === 'number' ? input : (toSeconds(input) as number);
}

/**
 * A duration field in a zod schema: text or seconds in, seconds out. Its issue message is the one
 * {@link parseDuration} throws, so a bad `renewBeforeExpiry` reads the same in construct props, the
 * config file and a renewal conf.
 *
 * @example
 * durationSchema.parse('30 days') // → 2592000
 */
export const durationSchema = z.union([z.string(), z.number()]).transform((input, ctx) => {
  const problem = durationProblem(input);
  if (problem === undefined) return typeof input === 'number' ? input : (toSeconds(input) as number);
  ctx.addIssue({ code: 'custom', message: problem, input });
  return z.NEVER;
});

/**
 * Writes a number of seconds the way certbot's renewal confs spell durations (`30 days`,
 * `12 hours`), in the largest unit that divides it exactly, so that {@link parseDuration} (and
 * certbot's parsedatetime) read back the same number.
 *
 * @example
 * formatDuration(7_862_400) // → '91 days'
 * formatDuration(5400) // → '90 minutes'
 */
export function formatDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw new RangeError(`a duration must be a whole number of seconds, got ${seconds}`);
  const [unit, singular] = FORMAT_UNITS.find(([size]) => seconds % size === 0) as (typeof FORMAT_UNITS)[number];
  const count = seconds / unit;
  return `${count} ${singular}${count === 1 ? '' : 's'}`;
}
