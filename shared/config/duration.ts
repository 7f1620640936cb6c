import { ConfigError } from './errors.js';

const UNITS: Record<string, number> = {
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: 86400, day: 86400, days: 86400,
  w: 604800, week: 604800, weeks: 604800,
};

/**
 * Parses a duration into seconds. Accepts certbot's `renew_before_expiry` form (`30 days`,
 * `91 days`, `12 hours`, combinations like `1 day 6 hours`), short forms (`30d`, `12h`), a bare
 * number of days (certbot reads `30` as days), and ISO 8601 (`P30D`, `PT12H`).
 *
 * @example
 * parseDuration('91 days') // → 7862400
 */
export function parseDuration(input: string | number, field = 'duration'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new ConfigError(`${field} must be a non-negative number of seconds.`, { field });
    return input;
  }
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
  if (matched === '' || matched.replace(/\s/g, '') !== text.replace(/\s/g, '')) {
    throw new ConfigError(`${field}: "${input}" is not a duration. Write it like "30 days", "12h" or "P30D".`, { field });
  }
  return Math.round(total);
}
