/**
 * Lifetimes from six days to a year (issue: the WebPKI of 2027): when each one renews, and how
 * often the sweep must run so that no lineage reaches the end of its CA's suggested window without
 * several sweeps inside it.
 */
import { describe, expect, it } from 'vitest';
import { expectedLifetimeSeconds, resolveLineageSpec } from '../../../shared/config/index.js';
import { ARI_WINDOW_FRACTION, decideRenewal, MIN_SWEEPS_PER_WINDOW, sweepSchedule } from '../../../shared/renewal/index.js';
import { DAY, HOUR, at, lineageState, noRandom } from './fixtures.js';

const LIFETIMES_DAYS = [6, 45, 64, 90, 200, 365] as const;
const letsencrypt = resolveLineageSpec({ domains: ['example.com'], keyType: 'ecdsa-p256', ca: { preset: 'letsencrypt' }, dns: { provider: 'route53' } });
const jprs = resolveLineageSpec({ domains: ['example.jp'], keyType: 'rsa-2048', ca: { preset: 'jprs', eabRef: 'x' }, dns: { provider: 'route53' } });

/** The first instant decideRenewal says "due", found by bisection over the lifetime (whole seconds). */
function firstDue(spec: typeof letsencrypt, lifetime: number, ari?: { start: number; end: number }): number {
  let lo = 0;
  let hi = lifetime;
  const due = (t: number) =>
    decideRenewal({
      spec,
      state: lineageState(lifetime),
      now: at(t),
      random: () => 0,
      ...(ari ? { ari: { suggestedWindow: { start: at(ari.start).toISOString(), end: at(ari.end).toISOString() }, retryAfterSeconds: 21_600 } } : {}),
    }).due;
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2);
    if (due(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

describe('renewal moment by lifetime', () => {
  it.each(LIFETIMES_DAYS)('%i days: at one third left, at half under 10 days', (days) => {
    const lifetime = days * DAY;
    const left = lifetime - firstDue(letsencrypt, lifetime);
    const fraction = days < 10 ? 1 / 2 : 1 / 3;
    expect(Math.abs(left - lifetime * fraction)).toBeLessThanOrEqual(1000);
    const reason = decideRenewal({ spec: letsencrypt, state: lineageState(lifetime), now: at(lifetime - left + 1000), random: noRandom }).reason;
    expect(reason).toBe('lifetime-fraction');
  });

  it.each(LIFETIMES_DAYS.filter((d) => d > 30))('%i days at JPRS: the preset\u2019s 30 days left decides', (days) => {
    const lifetime = days * DAY;
    expect(Math.abs(lifetime - firstDue(jprs, lifetime) - 30 * DAY)).toBeLessThanOrEqual(1000);
  });

  it.each(LIFETIMES_DAYS)('%i days: an ARI window decides over both thresholds', (days) => {
    const lifetime = days * DAY;
    // A window early in the life, before either threshold: random() = 0 picks its start.
    const start = Math.round(lifetime * 0.4);
    expect(firstDue(jprs, lifetime, { start, end: start + HOUR })).toBeLessThanOrEqual(start + 1000);
    expect(firstDue(letsencrypt, lifetime, { start, end: start + HOUR })).toBeLessThanOrEqual(start + 1000);
  });
});

describe('sweepSchedule', () => {
  const expected: Record<(typeof LIFETIMES_DAYS)[number], { interval: number; hour: string; minute: string }> = {
    6: { interval: 30, minute: '0,30', hour: '*' },
    45: { interval: 360, minute: '0', hour: '0,6,12,18' },
    64: { interval: 480, minute: '0', hour: '0,8,16' },
    90: { interval: 720, minute: '0', hour: '0,12' },
    200: { interval: 720, minute: '0', hour: '0,12' },
    365: { interval: 720, minute: '0', hour: '0,12' },
  };

  it.each(LIFETIMES_DAYS)('%i days: several sweeps inside the suggested window, counting the jitter', (days) => {
    const schedule = sweepSchedule([days * 86_400]);
    expect(schedule.intervalMinutes).toBe(expected[days].interval);
    expect(schedule.cron).toEqual({ minute: expected[days].minute, hour: expected[days].hour });
    // The worst gap between two sweeps is the interval plus the whole flexible window.
    const worstGapSeconds = (schedule.intervalMinutes + schedule.flexibleWindowMinutes) * 60;
    const windowSeconds = days * 86_400 * ARI_WINDOW_FRACTION;
    expect(Math.floor(windowSeconds / worstGapSeconds)).toBeGreaterThanOrEqual(MIN_SWEEPS_PER_WINDOW);
    expect(schedule.sweepsPerWindow).toBe(Math.floor(windowSeconds / worstGapSeconds));
    expect(schedule.flexibleWindowMinutes).toBeLessThan(schedule.intervalMinutes);
  });

  it('follows the shortest lifetime in the issuer, from the lineages\u2019 presets and profiles', () => {
    const spec = (ca: Record<string, unknown>) => resolveLineageSpec({ domains: ['example.net'], keyType: 'ecdsa-p256', ca, dns: { provider: 'route53' } });
    const lineages = [spec({ preset: 'letsencrypt' }), spec({ preset: 'jprs', eabRef: 'x' }), spec({ preset: 'letsencrypt', profile: 'tlsserver' })];
    expect(sweepSchedule(lineages.map(expectedLifetimeSeconds)).intervalMinutes).toBe(360);
    const withShortLived = [...lineages, spec({ preset: 'letsencrypt', requiredProfile: 'shortlived' })];
    const short = sweepSchedule(withShortLived.map(expectedLifetimeSeconds));
    expect(short.intervalMinutes).toBe(30);
    expect(short.description).toBe('every 30 minutes (shortest lifetime 6.7 days: 5 sweeps inside its 3.2-hour renewal window)');
  });

  it('takes 90 days for a CA it knows nothing of, twice a day with no lineage, and an override of the shortest lifetime', () => {
    expect(sweepSchedule([undefined]).intervalMinutes).toBe(720);
    expect(sweepSchedule([]).cron).toEqual({ minute: '0', hour: '0,12' });
    expect(sweepSchedule([undefined], { shortestLifetimeSeconds: 6 * 86_400 }).intervalMinutes).toBe(30);
    expect(sweepSchedule([90 * 86_400]).flexibleWindowMinutes).toBe(60);
    expect(() => sweepSchedule([0])).toThrow(RangeError);
  });
});
