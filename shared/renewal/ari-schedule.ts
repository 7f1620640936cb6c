import type { RenewalInfo } from '../acme/index.js';
import type { AriState } from '../store/index.js';
import { iso, parseRfc3339, parseStoredInstant } from './instants.js';
import { RENEWAL_POLICY } from './renewal-policy.js';

/** A usable ARI window with its chosen moment. Internal to shared/renewal. */
export interface AriSchedule {
  readonly start: number;
  readonly end: number;
  readonly selected: number;
  /** What to store back in `state.ari`. */
  readonly state: AriState;
}

export interface AriScheduleInput {
  /** Renewal info just fetched from the CA (RFC 9773 §4.2), if any. */
  readonly fresh?: RenewalInfo;
  /** `state.ari` as stored by the previous run. */
  readonly stored?: AriState;
  /** notBefore of the current certificate: a stored window that ended before it described a predecessor. */
  readonly certificateNotBefore: number;
  readonly now: number;
  readonly random: () => number;
  readonly notes: string[];
}

/**
 * RFC 9773 §4.2 step 2: a uniformly random moment in `[start, end)`.
 * Drawn only when a new window arrives, so a fleet's renewals spread over the window and a
 * lineage's own choice does not move every time the sweep runs.
 */
function chooseMoment(start: number, end: number, random: () => number): number {
  const r = random();
  if (!(typeof r === 'number' && r >= 0 && r < 1)) throw new RangeError(`random() must return a number in [0, 1); it returned ${String(r)}.`);
  return start + Math.floor(r * (end - start));
}

/** RFC 9773 §4.3.2: treat `Retry-After` under a minute as a minute and over a day as a day. */
function clampRetryAfter(seconds: number | undefined): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return RENEWAL_POLICY.ariRetryAfterDefaultSeconds;
  return Math.min(RENEWAL_POLICY.ariRetryAfterMaxSeconds, Math.max(RENEWAL_POLICY.ariRetryAfterMinSeconds, Math.ceil(seconds)));
}

interface StoredWindow {
  readonly start: number;
  readonly end: number;
  readonly selected?: number;
  readonly nextCheckAt?: number;
  readonly explanationURL?: string;
}

function readStored(stored: AriState | undefined, certificateNotBefore: number, notes: string[]): StoredWindow | undefined {
  if (!stored) return undefined;
  const start = parseStoredInstant(stored.windowStart);
  const end = parseStoredInstant(stored.windowEnd);
  if (start === undefined || end === undefined || end <= start) {
    notes.push('stored renewal info has no valid window; ignoring it (RFC 9773 §4.2).');
    return undefined;
  }
  const selected = parseStoredInstant(stored.selectedTime);
  // AriState does not name the certificate it was fetched for, so recognise a predecessor's by time:
  // a window that ended, or a moment that was chosen, before this certificate existed. (The renewal
  // that moment scheduled is what produced this certificate; obeying it again would renew in a loop.)
  if (end <= certificateNotBefore || (selected !== undefined && selected < certificateNotBefore)) {
    notes.push(`stored renewal info (window ${iso(start)} to ${iso(end)}) predates the current certificate; it described a predecessor, ignoring it.`);
    return undefined;
  }
  const nextCheckAt = parseStoredInstant(stored.nextCheckAt);
  return {
    start,
    end,
    ...(selected !== undefined && selected >= start && selected < end ? { selected } : {}),
    ...(nextCheckAt === undefined ? {} : { nextCheckAt }),
    ...(stored.explanationURL ? { explanationURL: stored.explanationURL } : {}),
  };
}

function schedule(start: number, end: number, selected: number, nextCheckAt: number, explanationURL: string | undefined): AriSchedule {
  return {
    start,
    end,
    selected,
    state: {
      windowStart: iso(start),
      windowEnd: iso(end),
      selectedTime: iso(selected),
      nextCheckAt: iso(nextCheckAt),
      ...(explanationURL ? { explanationURL } : {}),
    },
  };
}

/**
 * The ARI window that applies, with its chosen moment, or undefined when there is none (no renewal
 * info, or only invalid renewal info: RFC 9773 §4.2 says to treat a window whose end does not follow
 * its start as if no response had come, so the caller falls back to its own schedule).
 *
 * - A fresh window equal to the stored one (compared as instants) keeps the stored selected time.
 * - A fresh window that differs gets a new random moment.
 * - A fresh but invalid window leaves the stored one in force, and the CA is asked again in six
 *   hours (RFC 9773 §4.3.3, long-term error).
 * - Without fresh renewal info the stored window is used as it is.
 */
export function ariSchedule(input: AriScheduleInput): AriSchedule | undefined {
  const { fresh, now, random, notes } = input;
  const stored = readStored(input.stored, input.certificateNotBefore, notes);
  if (fresh) {
    const start = parseRfc3339(fresh.suggestedWindow?.start);
    const end = parseRfc3339(fresh.suggestedWindow?.end);
    if (start !== undefined && end !== undefined && end > start) {
      const nextCheckAt = now + clampRetryAfter(fresh.retryAfterSeconds) * 1000;
      const same = stored !== undefined && stored.start === start && stored.end === end && stored.selected !== undefined;
      const selected = same ? (stored.selected as number) : chooseMoment(start, end, random);
      if (fresh.explanationURL) notes.push(`the CA explains its renewal window at ${fresh.explanationURL}`);
      return schedule(start, end, selected, nextCheckAt, fresh.explanationURL);
    }
    const why =
      start === undefined || end === undefined
        ? `its window ${JSON.stringify(fresh.suggestedWindow ?? null)} is not a pair of RFC 3339 timestamps`
        : 'its window ends before it starts';
    notes.push(`renewal info from the CA ignored: ${why} (RFC 9773 §4.2: treated as if no response came).`);
    if (!stored) return undefined;
    notes.push('keeping the stored renewal window; asking the CA again in 6 hours (RFC 9773 §4.3.3).');
    const selected = stored.selected ?? chooseMoment(stored.start, stored.end, random);
    return schedule(stored.start, stored.end, selected, now + RENEWAL_POLICY.ariRetryAfterDefaultSeconds * 1000, stored.explanationURL);
  }
  if (!stored) return undefined;
  if (stored.selected === undefined) notes.push('stored renewal window had no valid selected time; choosing one.');
  const selected = stored.selected ?? chooseMoment(stored.start, stored.end, random);
  return schedule(stored.start, stored.end, selected, stored.nextCheckAt ?? now, stored.explanationURL);
}
