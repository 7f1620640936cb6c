/**
 * How often the renewal sweep runs, from the shortest certificate lifetime in the issuer. Pure: the
 * construct calls it at synth time with what the CA presets say of each lineage's lifetime.
 *
 * The constraint is the CA's suggested renewal window (RFC 9773 §4.2): Let's Encrypt's is about 2 %
 * of the lifetime (43 hours of a 90-day certificate, 3.2 hours of a 160-hour one). A lineage renews
 * at the first sweep after the random moment chosen in that window, so several sweeps must fall
 * inside it, or a lineage can reach the window's end (and the CA's deadline) between two sweeps.
 */

/** The suggested ARI window as a fraction of the lifetime (Let's Encrypt: about 2 %). */
export const ARI_WINDOW_FRACTION = 0.02;

/** Sweeps that must fall inside the shortest lineage's suggested window, counting the jitter. */
export const MIN_SWEEPS_PER_WINDOW = 3;

/** The lifetime assumed for a lineage whose CA acmeflow knows nothing of (90 days, today's common one). */
export const DEFAULT_LIFETIME_SECONDS = 90 * 86_400;

/**
 * The intervals a schedule may take, in minutes: divisors of a day, so sweeps fall at the same hours
 * every day. Twice a day at most apart: Let's Encrypt asks clients to check ARI at least that often.
 */
const SHORTEST_INTERVAL_MINUTES = 30;
const INTERVALS_MINUTES = [720, 480, 360, 240, 180, 120, 60, SHORTEST_INTERVAL_MINUTES] as const;

/** The longest jitter (the scheduler's flexible window), so a fleet of issuers does not hit the CA at once. */
const MAX_FLEXIBLE_WINDOW_MINUTES = 60;

export interface SweepSchedule {
  /** Minutes between sweeps. */
  readonly intervalMinutes: number;
  /** The scheduler's flexible window: a quarter of the interval, at most an hour. */
  readonly flexibleWindowMinutes: number;
  /** EventBridge Scheduler cron fields, in UTC. */
  readonly cron: { readonly minute: string; readonly hour: string };
  /** The lifetime the schedule was computed for (the shortest), in seconds. */
  readonly shortestLifetimeSeconds: number;
  /** The suggested window of that lifetime, in seconds. */
  readonly windowSeconds: number;
  /** Sweeps inside that window at worst (interval plus jitter apart). */
  readonly sweepsPerWindow: number;
  /** One line for the schedule's description. */
  readonly description: string;
}

function describeMinutes(minutes: number): string {
  return minutes < 60 ? `${minutes} minutes` : minutes === 60 ? 'hour' : `${minutes / 60} hours`;
}

function cronFor(intervalMinutes: number): SweepSchedule['cron'] {
  if (intervalMinutes < 60) return { minute: Array.from({ length: 60 / intervalMinutes }, (_, i) => i * intervalMinutes).join(','), hour: '*' };
  if (intervalMinutes === 60) return { minute: '0', hour: '*' };
  const step = intervalMinutes / 60;
  return { minute: '0', hour: Array.from({ length: 24 / step }, (_, i) => i * step).join(',') };
}

/**
 * The sweep schedule for lineages of these lifetimes (seconds; `undefined` for a CA without a
 * preset, taken as {@link DEFAULT_LIFETIME_SECONDS}): the longest interval of a day's divisors,
 * twelve hours at most and thirty minutes at least, that puts {@link MIN_SWEEPS_PER_WINDOW} sweeps
 * inside the shortest lifetime's suggested window, counting the jitter.
 *
 * @example
 * sweepSchedule([90 * 86400]).cron              // → { minute: '0', hour: '0,12' }: twice a day
 * sweepSchedule([90 * 86400, 45 * 86400]).cron  // → { minute: '0', hour: '0,6,12,18' }
 * sweepSchedule([160 * 3600]).intervalMinutes   // → 30: a 3.2-hour window
 */
export function sweepSchedule(lifetimesSeconds: readonly (number | undefined)[], options: { readonly shortestLifetimeSeconds?: number } = {}): SweepSchedule {
  const known = lifetimesSeconds.map((s) => s ?? DEFAULT_LIFETIME_SECONDS);
  const shortest = options.shortestLifetimeSeconds ?? (known.length > 0 ? Math.min(...known) : DEFAULT_LIFETIME_SECONDS);
  if (!(Number.isFinite(shortest) && shortest > 0)) throw new RangeError(`sweepSchedule: a lifetime must be a positive number of seconds, not ${shortest}`);
  const windowSeconds = shortest * ARI_WINDOW_FRACTION;
  const jitter = (interval: number) => Math.min(MAX_FLEXIBLE_WINDOW_MINUTES, interval / 4);
  const fits = (interval: number) => (interval + jitter(interval)) * 60 * MIN_SWEEPS_PER_WINDOW <= windowSeconds;
  const intervalMinutes: number = INTERVALS_MINUTES.find(fits) ?? SHORTEST_INTERVAL_MINUTES;
  const flexibleWindowMinutes = Math.max(1, Math.floor(jitter(intervalMinutes)));
  const sweepsPerWindow = Math.floor(windowSeconds / ((intervalMinutes + flexibleWindowMinutes) * 60));
  const days = shortest / 86_400;
  const lifetime = days >= 2 ? `${Number(days.toFixed(1))} days` : `${Math.round(shortest / 3600)} hours`;
  return {
    intervalMinutes,
    flexibleWindowMinutes,
    cron: cronFor(intervalMinutes),
    shortestLifetimeSeconds: shortest,
    windowSeconds,
    sweepsPerWindow,
    description: `every ${describeMinutes(intervalMinutes)} (shortest lifetime ${lifetime}: ${sweepsPerWindow} sweeps inside its ${Number((windowSeconds / 3600).toFixed(1))}-hour renewal window)`,
  };
}
