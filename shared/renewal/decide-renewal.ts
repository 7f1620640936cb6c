import type { RenewalInfo } from '../acme/index.js';
import type { LineageSpec } from '../config/index.js';
import type { AriState, CertificateSummary, LineageState } from '../store/index.js';
import { ariSchedule, type AriSchedule } from './ari-schedule.js';
import { backoffGate } from './backoff-gate.js';
import { describeSeconds, instantOf, iso, parseStoredInstant } from './instants.js';
import { RENEWAL_POLICY } from './renewal-policy.js';

/** Why a lineage is (or is not yet) renewed. */
export type RenewalReason =
  | 'forced'
  | 'no-certificate'
  | 'revoked'
  | 'emergency'
  | 'ari-window'
  | 'renew-before-expiry'
  | 'lifetime-fraction'
  | 'not-due'
  | 'backoff';

/** The renewal policy's answer for one lineage. Plain JSON: it travels in the sweep's plan. */
export interface RenewalDecision {
  readonly due: boolean;
  readonly reason: RenewalReason;
  /**
   * When not due (`not-due`, `backoff`): the first moment it will be due, for reports. Absent when
   * due. Assumes nothing changes meanwhile (a new ARI window, a revocation) — re-decide each sweep.
   */
  readonly renewAt?: string;
  /**
   * The ARI state to store back in `state.ari` (RFC 9773 §4.2): the window, the random moment chosen
   * once inside it, and when to ask the CA again. Present whenever a valid window applies, whatever
   * the reason, so the choice survives this run. Absent → remove `state.ari` (none applied, or the
   * stored one was invalid or described a predecessor certificate).
   */
  readonly ariState?: AriState;
  /** Human-readable explanations (ignored renewal info, overrides, the CA's explanation URL). */
  readonly notes?: string[];
}

/**
 * The fields of a lineage's state the policy reads, and nothing else: a whole `LineageState` fits,
 * and so does the sweep's planning index, which keeps exactly these (shared/store/sweep-store.ts).
 */
export interface RenewalFacts {
  readonly currentVersion: LineageState['currentVersion'];
  readonly current?: Pick<CertificateSummary, 'serialHex' | 'notBefore' | 'notAfter'>;
  readonly ari?: LineageState['ari'];
  readonly failures?: LineageState['failures'];
  readonly revoked?: LineageState['revoked'];
}

export interface DecideRenewalInput {
  /** Only `renewBeforeExpirySeconds` is read (the lineage's or its CA preset's threshold). */
  readonly spec: Pick<LineageSpec, 'renewBeforeExpirySeconds'>;
  readonly state: RenewalFacts;
  /**
   * Renewal info just fetched for the current certificate (`getRenewalInfo`, RFC 9773 §4.2).
   * Without it, `state.ari` from an earlier run is used. The caller fetches when `state.ari` is
   * absent or its `nextCheckAt` has passed (RFC 9773 §4.3), and not after the certificate expired.
   */
  readonly ari?: RenewalInfo;
  /** The clock: the only "now" the policy knows. */
  readonly now: Date;
  /** The operator asked for a renewal (`--force-renewal`). */
  readonly force?: boolean;
  /** Uniform in [0, 1); used only to pick a moment in a new ARI window. */
  readonly random: () => number;
  /**
   * When the sweep will next run, if known. An ARI moment that falls before it is renewed now
   * instead of after it (RFC 9773 §4.2 step 5), so a twice-daily sweep does not overshoot a
   * narrow window.
   */
  readonly nextRunAt?: Date;
}

interface Validity {
  readonly notBefore: number;
  readonly notAfter: number;
  /** notAfter − notBefore in ms (RFC 5280's inclusive second is ignored). */
  readonly lifetime: number;
}

interface Rule {
  readonly reason: 'ari-window' | 'renew-before-expiry' | 'lifetime-fraction';
  /** The first moment the rule says "renew". */
  readonly at: number;
  readonly dueNow: boolean;
}

function readValidity(current: NonNullable<RenewalFacts['current']>, notes: string[]): Validity | undefined {
  const notBefore = parseStoredInstant(current.notBefore);
  const notAfter = parseStoredInstant(current.notAfter);
  if (notBefore === undefined || notAfter === undefined || notAfter <= notBefore) {
    notes.push(`the current certificate's validity ("${current.notBefore}" to "${current.notAfter}") is unusable; treating the lineage as having no certificate.`);
    return undefined;
  }
  return { notBefore, notAfter, lifetime: notAfter - notBefore };
}

/** Serial numbers compare as numbers: case, colons and the DER sign byte (`00`) do not matter. */
function normalizeSerial(serialHex: string | undefined): string {
  return (serialHex ?? '').toLowerCase().replace(/[^0-9a-f]/g, '').replace(/^0+/, '');
}

function isCurrentRevoked(state: RenewalFacts, current: NonNullable<RenewalFacts['current']>, notes: string[]): boolean {
  if (!state.revoked) return false;
  const revoked = normalizeSerial(state.revoked.serialHex);
  const serial = normalizeSerial(current.serialHex);
  if (revoked !== '' && serial !== '' && revoked !== serial) {
    notes.push(`the revocation on record (serial ${state.revoked.serialHex}) is of an earlier certificate, not the current one.`);
    return false;
  }
  return true;
}

function ariRule(ari: AriSchedule, now: number, nextRunAt: number | undefined, notes: string[]): Rule {
  if (now >= ari.end) notes.push(`the renewal window ended at ${iso(ari.end)}: renewing now (RFC 9773 §4.2 step 3).`);
  const dueNow = now >= ari.selected || (nextRunAt !== undefined && ari.selected < nextRunAt);
  if (dueNow && now < ari.selected) {
    notes.push(`the chosen moment ${iso(ari.selected)} comes before the next sweep: renewing now (RFC 9773 §4.2 step 5).`);
  }
  return { reason: 'ari-window', at: ari.selected, dueNow };
}

function thresholdRule(spec: DecideRenewalInput['spec'], validity: Validity, now: number, notes: string[]): Rule {
  const { notAfter, lifetime } = validity;
  const seconds = spec.renewBeforeExpirySeconds;
  if (seconds !== undefined && !(Number.isFinite(seconds) && seconds >= 0)) {
    notes.push(`renewBeforeExpirySeconds ${String(seconds)} is not a duration; using the lifetime fraction.`);
  } else if (seconds !== undefined) {
    if (seconds * 1000 >= lifetime) {
      notes.push(`renewBeforeExpiry (${describeSeconds(seconds)}) is not shorter than the lifetime (${describeSeconds(lifetime / 1000)}): every run renews.`);
    }
    const at = notAfter - seconds * 1000;
    return { reason: 'renew-before-expiry', at, dueNow: now >= at };
  }
  const fraction = lifetime <= RENEWAL_POLICY.shortLivedMaxLifetimeSeconds * 1000 ? RENEWAL_POLICY.shortLivedFraction : RENEWAL_POLICY.defaultFraction;
  const at = notAfter - Math.round(lifetime * fraction);
  return { reason: 'lifetime-fraction', at, dueNow: now >= at };
}

/**
 * Decides whether a lineage is renewed now. Pure: the clock and the randomness are inputs
 * (no hidden `Date.now()`), so the sweep, the CLI and the tests get the same answer for the same facts.
 *
 * Rules, first match wins:
 *
 * 1. `force` → due (`forced`), even during backoff: the operator asked explicitly.
 * 2. No current certificate (`currentVersion` 0, no `current`, or unusable validity dates) → due
 *    (`no-certificate`); the current certificate revoked → due (`revoked`).
 * 3. At most 1/20 of the lifetime left (or expired) → due (`emergency`), whatever the ARI window
 *    or threshold says.
 * 4. A valid ARI window (fresh `ari`, else the stored `state.ari`) decides: due once `now` reaches
 *    the moment chosen uniformly at random in `[start, end)` (RFC 9773 §4.2), and at once when the
 *    window is over. Invalid windows (not RFC 3339, end not after start) count as no window (RFC
 *    9773 §4.2) and the thresholds below apply. `ariState.nextCheckAt` is now + the CA's
 *    `Retry-After`, clamped to [1 min, 1 day] (RFC 9773 §4.3.2).
 * 5. `spec.renewBeforeExpirySeconds` → due when at most that much is left (`renew-before-expiry`);
 *    a value not shorter than the lifetime renews on every run (the manual's `91 days`).
 * 6. Otherwise due when at most 1/3 of the lifetime is left, 1/2 for lifetimes of 10 days or less
 *    (`lifetime-fraction`).
 *
 * Backoff (`state.failures`): a renewal due by rule 4–6 waits until `retryNotBefore` (`backoff`),
 * as RFC 9773 §4.2 asks ("subject to the client's existing error backoff"). The urgent reasons of
 * rules 2–3 skip the exponential backoff but still wait one hour after the last failure, and all of
 * a wait the CA itself asked for (`rateLimited`, or a `Retry-After` beyond the backoff): retrying
 * sooner would only be refused again. Otherwise not due (`not-due`), with `renewAt` the first moment
 * a rule (or the end of backoff) makes it due.
 *
 * @example
 * // A 90-day certificate 61 days after issuance: 29 days left, under one third.
 * decideRenewal({
 *   spec: {},
 *   state: { currentVersion: 1, current: { serialHex: '01', notBefore: '2026-01-01T00:00:00Z', notAfter: '2026-04-01T00:00:00Z', domains: ['example.com'] } },
 *   now: new Date('2026-03-03T00:00:00Z'),
 *   random: Math.random,
 * }) // → { due: true, reason: 'lifetime-fraction' }
 *
 * @example
 * // The CA's ARI window (RFC 9773 §4.2) decides; store `ariState` back so the moment is kept.
 * const d = decideRenewal({ spec, state, ari: await getRenewalInfo(ctx, id), now: new Date(), random: Math.random });
 * // d.ariState → { windowStart, windowEnd, selectedTime, nextCheckAt }
 */
export function decideRenewal(input: DecideRenewalInput): RenewalDecision {
  const now = instantOf(input.now, 'now');
  const nextRunAt = input.nextRunAt === undefined ? undefined : instantOf(input.nextRunAt, 'nextRunAt');
  const { state } = input;
  const notes: string[] = [];

  const current = state.currentVersion > 0 ? state.current : undefined;
  const validity = current ? readValidity(current, notes) : undefined;
  if (!validity && input.ari) notes.push('renewal info ignored: there is no usable current certificate.');
  const ari = validity
    ? ariSchedule({ fresh: input.ari, stored: state.ari, certificateNotBefore: validity.notBefore, now, random: input.random, notes })
    : undefined;
  const gate = backoffGate(state.failures, notes);

  const finish = (due: boolean, reason: RenewalReason, renewAt?: number): RenewalDecision => ({
    due,
    reason,
    ...(renewAt === undefined ? {} : { renewAt: iso(renewAt) }),
    ...(ari ? { ariState: ari.state } : {}),
    ...(notes.length > 0 ? { notes } : {}),
  });
  const failureText = state.failures ? `${state.failures.count} failed attempt(s), last ${state.failures.lastError?.name ?? 'unknown'}` : '';
  const urgent = (reason: 'no-certificate' | 'revoked' | 'emergency'): RenewalDecision => {
    if (gate.urgentNotBefore !== undefined && now < gate.urgentNotBefore) {
      notes.push(`${reason}, but waiting until ${iso(gate.urgentNotBefore)} after ${failureText}.`);
      return finish(false, 'backoff', gate.urgentNotBefore);
    }
    return finish(true, reason);
  };

  if (input.force) {
    if (gate.notBefore !== undefined && now < gate.notBefore) notes.push(`forced during backoff (until ${iso(gate.notBefore)}; ${failureText}).`);
    return finish(true, 'forced');
  }
  if (!current || !validity) return urgent('no-certificate');
  if (isCurrentRevoked(state, current, notes)) return urgent('revoked');

  const { notAfter, lifetime } = validity;
  // Whole milliseconds: lifetime * (1/3) in floating point can land a hair off the exact moment.
  const emergencyAt = notAfter - Math.round(lifetime * RENEWAL_POLICY.emergencyFraction);
  if (now >= emergencyAt) {
    const left = Math.max(0, notAfter - now) / 1000;
    notes.push(`${describeSeconds(Math.floor(left))} left of a ${describeSeconds(lifetime / 1000)} lifetime (1/20 or less): emergency renewal${ari ? ', overriding the ARI window' : ''}.`);
    return urgent('emergency');
  }

  const rule = ari ? ariRule(ari, now, nextRunAt, notes) : thresholdRule(input.spec, validity, now, notes);
  if (ari && input.spec.renewBeforeExpirySeconds !== undefined) {
    notes.push(`the CA's renewal window decides; renewBeforeExpiry (${describeSeconds(input.spec.renewBeforeExpirySeconds)}) is not used.`);
  }
  // The earliest moment an urgent renewal (emergency) would go ahead.
  const urgentAt = Math.max(emergencyAt, gate.urgentNotBefore ?? -Infinity);
  if (rule.dueNow) {
    if (gate.notBefore !== undefined && now < gate.notBefore) {
      notes.push(`${rule.reason}, but backing off until ${iso(gate.notBefore)} after ${failureText}.`);
      return finish(false, 'backoff', Math.min(gate.notBefore, urgentAt));
    }
    return finish(true, rule.reason);
  }
  return finish(false, 'not-due', Math.min(Math.max(rule.at, gate.notBefore ?? -Infinity), urgentAt));
}
