import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RenewalInfo } from '../../../shared/acme/index.js';
import { resolveLineageSpec } from '../../../shared/config/index.js';
import { decideRenewal, type RenewalDecision } from '../../../shared/renewal/index.js';
import type { FailureState, LineageState } from '../../../shared/store/index.js';
import { DAY, HOUR, MINUTE, at, isoAt, lineageState, noRandom } from './fixtures.js';

const jprs = resolveLineageSpec({
  domains: ['example.jp'],
  keyType: 'rsa-2048',
  ca: { preset: 'jprs', eabRef: 'acmeflow/eab/jprs' },
  dns: { provider: 'route53' },
});
const ninetyOneDays = resolveLineageSpec({
  domains: ['example.com'],
  keyType: 'ecdsa-p256',
  ca: { preset: 'letsencrypt' },
  dns: { provider: 'route53' },
  renewBeforeExpiry: '91 days',
});
const letsencrypt = resolveLineageSpec({ domains: ['example.com'], keyType: 'ecdsa-p256', ca: { preset: 'letsencrypt' }, dns: { provider: 'route53' } });

function ari(start: string, end: string, extra: Partial<RenewalInfo> = {}): RenewalInfo {
  return { suggestedWindow: { start, end }, retryAfterSeconds: 21_600, ...extra };
}

function failures(partial: Partial<FailureState> & Pick<FailureState, 'lastFailureAt' | 'retryNotBefore'>): FailureState {
  return { count: 1, lastError: { name: 'DnsPropagationTimeoutError', message: 'TXT record not visible' }, ...partial };
}

describe('decideRenewal: expiry thresholds (no ARI)', () => {
  it('checks the preconditions of the table', () => {
    expect(jprs.renewBeforeExpirySeconds).toBe(30 * 86_400);
    expect(ninetyOneDays.renewBeforeExpirySeconds).toBe(91 * 86_400);
    expect(letsencrypt.renewBeforeExpirySeconds).toBeUndefined();
  });

  it.each([
    // name, spec, lifetime, elapsed, due, reason, renewAt (offset from T0)
    ['90-day cert, 59 days in: 31 days left', letsencrypt, 90 * DAY, 59 * DAY, false, 'not-due', 60 * DAY],
    ['90-day cert, exactly 1/3 left', letsencrypt, 90 * DAY, 60 * DAY, true, 'lifetime-fraction', undefined],
    ['90-day cert, 61 days in: 29 days left', letsencrypt, 90 * DAY, 61 * DAY, true, 'lifetime-fraction', undefined],
    ['90-day cert, 85 days in: 5 days left (over 1/20)', letsencrypt, 90 * DAY, 85 * DAY, true, 'lifetime-fraction', undefined],
    ['90-day cert, 85.5 days in: exactly 1/20 left', letsencrypt, 90 * DAY, 85.5 * DAY, true, 'emergency', undefined],
    ['90-day cert, 89 days in: 1 day left', letsencrypt, 90 * DAY, 89 * DAY, true, 'emergency', undefined],
    ['90-day cert, expired', letsencrypt, 90 * DAY, 91 * DAY, true, 'emergency', undefined],
    ['6-day cert, 2.9 days in (half rule)', letsencrypt, 6 * DAY, 2.9 * DAY, false, 'not-due', 3 * DAY],
    ['6-day cert, 3 days in (half rule)', letsencrypt, 6 * DAY, 3 * DAY, true, 'lifetime-fraction', undefined],
    ['160-hour cert (Let\u2019s Encrypt short-lived), 79 h in', letsencrypt, 160 * HOUR, 79 * HOUR, false, 'not-due', 80 * HOUR],
    ['10-day cert, 4.9 days in: half rule still applies at 10 days', letsencrypt, 10 * DAY, 4.9 * DAY, false, 'not-due', 5 * DAY],
    ['10-day cert, 5 days in', letsencrypt, 10 * DAY, 5 * DAY, true, 'lifetime-fraction', undefined],
    ['10 days + 1 h cert, 5 days in: one third now', letsencrypt, 10 * DAY + HOUR, 5 * DAY, false, 'not-due', ((10 * DAY + HOUR) * 2) / 3],
    ['10 days + 1 h cert, 6.7 days in', letsencrypt, 10 * DAY + HOUR, 6.7 * DAY, true, 'lifetime-fraction', undefined],
    ['JPRS 365-day cert, 334 days in: 31 days left', jprs, 365 * DAY, 334 * DAY, false, 'not-due', 335 * DAY],
    ['JPRS 365-day cert, 335 days in: exactly 30 days left', jprs, 365 * DAY, 335 * DAY, true, 'renew-before-expiry', undefined],
    ['JPRS 365-day cert, 336 days in: 29 days left', jprs, 365 * DAY, 336 * DAY, true, 'renew-before-expiry', undefined],
    ['JPRS 365-day cert, 250 days in: one third (243 d) is not used', jprs, 365 * DAY, 250 * DAY, false, 'not-due', 335 * DAY],
    ['JPRS 365-day cert, 350 days in: 15 days left is under 1/20', jprs, 365 * DAY, 350 * DAY, true, 'emergency', undefined],
    ['91 days on a 90-day cert, day 0', ninetyOneDays, 90 * DAY, 0, true, 'renew-before-expiry', undefined],
  ] as const)('%s', (_name, spec, lifetime, elapsed, due, reason, renewAt) => {
    const decision = decideRenewal({ spec, state: lineageState(lifetime), now: at(elapsed), random: noRandom });
    expect(decision.due).toBe(due);
    expect(decision.reason).toBe(reason);
    expect(decision.renewAt).toBe(renewAt === undefined ? undefined : isoAt(renewAt));
    expect(decision.ariState).toBeUndefined();
  });

  it('explains that a threshold longer than the lifetime renews on every run', () => {
    const decision = decideRenewal({ spec: ninetyOneDays, state: lineageState(90 * DAY), now: at(0), random: noRandom });
    expect(decision.notes?.join(' ')).toMatch(/91 days.*90 days.*every run renews/);
  });

  it('ignores a renewBeforeExpirySeconds that is not a duration and uses the lifetime fraction', () => {
    const decision = decideRenewal({ spec: { renewBeforeExpirySeconds: Number.NaN }, state: lineageState(90 * DAY), now: at(61 * DAY), random: noRandom });
    expect(decision).toMatchObject({ due: true, reason: 'lifetime-fraction' });
    expect(decision.notes?.join(' ')).toMatch(/not a duration/);
  });
});

describe('decideRenewal: no certificate, revoked, forced', () => {
  it.each([
    ['currentVersion 0', { currentVersion: 0 } as LineageState, 'no-certificate'],
    ['currentVersion 0 with a leftover summary', { ...lineageState(90 * DAY), currentVersion: 0 }, 'no-certificate'],
    ['a version but no summary', { currentVersion: 3 } as LineageState, 'no-certificate'],
    [
      'unreadable validity dates',
      { currentVersion: 1, current: { serialHex: '01', notBefore: 'yesterday', notAfter: 'tomorrow', domains: ['example.com'] } },
      'no-certificate',
    ],
    ['notAfter before notBefore', { currentVersion: 1, current: { serialHex: '01', notBefore: isoAt(DAY), notAfter: isoAt(0), domains: ['a.example'] } }, 'no-certificate'],
    ['revoked current certificate (same serial, other spelling)', lineageState(90 * DAY, { revoked: { at: isoAt(DAY), reason: 'keyCompromise', serialHex: '00:0A:1B:2C' } }), 'revoked'],
  ] as const)('%s → due (%s)', (_name, state, reason) => {
    const decision = decideRenewal({ spec: letsencrypt, state, now: at(2 * DAY), random: noRandom });
    expect(decision).toMatchObject({ due: true, reason });
    expect(decision.renewAt).toBeUndefined();
  });

  it('a revocation record of an earlier certificate does not make the current one due', () => {
    const state = lineageState(90 * DAY, { revoked: { at: isoAt(-DAY), reason: 'superseded', serialHex: 'ffee' } });
    const decision = decideRenewal({ spec: letsencrypt, state, now: at(2 * DAY), random: noRandom });
    expect(decision).toMatchObject({ due: false, reason: 'not-due', renewAt: isoAt(60 * DAY) });
    expect(decision.notes?.join(' ')).toMatch(/earlier certificate/);
  });

  it('force → due whatever the expiry', () => {
    expect(decideRenewal({ spec: letsencrypt, state: lineageState(90 * DAY), now: at(DAY), force: true, random: noRandom })).toMatchObject({
      due: true,
      reason: 'forced',
    });
  });

  it('force → due even during backoff, and says so', () => {
    const state = lineageState(90 * DAY, { failures: failures({ count: 4, lastFailureAt: isoAt(61 * DAY), retryNotBefore: isoAt(61 * DAY + 8 * HOUR) }) });
    const decision = decideRenewal({ spec: letsencrypt, state, now: at(61 * DAY + HOUR), force: true, random: noRandom });
    expect(decision).toMatchObject({ due: true, reason: 'forced' });
    expect(decision.notes?.join(' ')).toMatch(/forced during backoff/);
    // The same lineage without force waits.
    expect(decideRenewal({ spec: letsencrypt, state, now: at(61 * DAY + HOUR), random: noRandom }).reason).toBe('backoff');
  });
});

describe('decideRenewal: backoff after failures', () => {
  const now = 61 * DAY; // one third is past: due unless backing off
  it.each([
    // name, failures, expected due, reason, renewAt
    ['inside the backoff', failures({ count: 2, lastFailureAt: isoAt(now - HOUR), retryNotBefore: isoAt(now + HOUR) }), false, 'backoff', now + HOUR],
    ['backoff over', failures({ count: 2, lastFailureAt: isoAt(now - 3 * HOUR), retryNotBefore: isoAt(now - HOUR) }), true, 'lifetime-fraction', undefined],
    ['exactly at retryNotBefore', failures({ count: 1, lastFailureAt: isoAt(now - HOUR), retryNotBefore: isoAt(now) }), true, 'lifetime-fraction', undefined],
    [
      'unreadable retryNotBefore: backs off from lastFailureAt by the count',
      failures({ count: 3, lastFailureAt: isoAt(now - HOUR), retryNotBefore: 'garbage' }),
      false,
      'backoff',
      now + 3 * HOUR,
    ],
  ] as const)('%s', (_name, failureState, due, reason, renewAt) => {
    const decision = decideRenewal({ spec: letsencrypt, state: lineageState(90 * DAY, { failures: failureState }), now: at(now), random: noRandom });
    expect(decision.due).toBe(due);
    expect(decision.reason).toBe(reason);
    expect(decision.renewAt).toBe(renewAt === undefined ? undefined : isoAt(renewAt));
  });

  it('a lineage not yet due reports the later of its threshold and the backoff', () => {
    const state = lineageState(90 * DAY, { failures: failures({ count: 6, lastFailureAt: isoAt(59 * DAY), retryNotBefore: isoAt(60 * DAY + 8 * HOUR) }) });
    expect(decideRenewal({ spec: letsencrypt, state, now: at(59 * DAY), random: noRandom })).toMatchObject({
      due: false,
      reason: 'not-due',
      renewAt: isoAt(60 * DAY + 8 * HOUR),
    });
  });

  describe('urgent renewals keep a one-hour floor, and all of a wait the CA asked for', () => {
    const emergencyNow = 88 * DAY; // 2 days left of 90: emergency
    it.each([
      ['emergency, last failure 30 min ago, backoff 16 h', 5, emergencyNow - 30 * MINUTE, emergencyNow + 15 * HOUR, undefined, false, 'backoff', emergencyNow + 30 * MINUTE],
      ['emergency, last failure 2 h ago, backoff 16 h', 5, emergencyNow - 2 * HOUR, emergencyNow + 14 * HOUR, undefined, true, 'emergency', undefined],
      [
        'emergency, rateLimited by the CA for 20 h',
        1,
        emergencyNow - 2 * HOUR,
        emergencyNow + 18 * HOUR,
        'urn:ietf:params:acme:error:rateLimited',
        false,
        'backoff',
        emergencyNow + 18 * HOUR,
      ],
      // Same numbers as the second row, but the CA said rateLimited: its wait is honoured in full.
      ['emergency, rateLimited at the 5th failure, inside the 16 h backoff', 5, emergencyNow - 2 * HOUR, emergencyNow + 14 * HOUR, 'rateLimited', false, 'backoff', emergencyNow + 14 * HOUR],
      ['emergency, rateLimited (short type) and over', 1, emergencyNow - 2 * HOUR, emergencyNow - MINUTE, 'rateLimited', true, 'emergency', undefined],
      ['emergency, a Retry-After beyond the backoff (3 h after a 1st failure)', 1, emergencyNow - 2 * HOUR, emergencyNow + HOUR, undefined, false, 'backoff', emergencyNow + HOUR],
    ] as const)('%s', (_name, count, lastFailure, retryNotBefore, problemType, due, reason, renewAt) => {
      const failureState: FailureState = {
        count,
        lastFailureAt: isoAt(lastFailure),
        retryNotBefore: isoAt(retryNotBefore),
        lastError: { name: 'AcmeError', message: 'x', ...(problemType ? { problemType } : {}) },
      };
      const decision = decideRenewal({ spec: letsencrypt, state: lineageState(90 * DAY, { failures: failureState }), now: at(emergencyNow), random: noRandom });
      expect(decision.due).toBe(due);
      expect(decision.reason).toBe(reason);
      expect(decision.renewAt).toBe(renewAt === undefined ? undefined : isoAt(renewAt));
    });

    it.each([
      ['no certificate', { currentVersion: 0 } as LineageState],
      ['revoked', lineageState(90 * DAY, { revoked: { at: isoAt(DAY), reason: 'keyCompromise', serialHex: '0a1b2c' } })],
    ])('%s: waits an hour after a failure, not the 32 h backoff', (_name, base) => {
      const lastFailure = 10 * DAY;
      const state: LineageState = { ...base, failures: failures({ count: 8, lastFailureAt: isoAt(lastFailure), retryNotBefore: isoAt(lastFailure + 32 * HOUR) }) };
      expect(decideRenewal({ spec: letsencrypt, state, now: at(lastFailure + 10 * MINUTE), random: noRandom })).toMatchObject({
        due: false,
        reason: 'backoff',
        renewAt: isoAt(lastFailure + HOUR),
      });
      expect(decideRenewal({ spec: letsencrypt, state, now: at(lastFailure + HOUR), random: noRandom }).due).toBe(true);
    });

    it('a backoff running past the emergency threshold reports the emergency moment', () => {
      // Due by one third since 60 d; backing off for 32 h from 84.5 d (until 85.83 d); the emergency
      // (1/20 left, 85.5 d) comes first and only waits for the one-hour floor, long over by then.
      const state = lineageState(90 * DAY, { failures: failures({ count: 8, lastFailureAt: isoAt(84.5 * DAY), retryNotBefore: isoAt(84.5 * DAY + 32 * HOUR) }) });
      expect(decideRenewal({ spec: letsencrypt, state, now: at(84.5 * DAY + 2 * HOUR), random: noRandom })).toMatchObject({
        due: false,
        reason: 'backoff',
        renewAt: isoAt(85.5 * DAY),
      });
    });
  });
});

describe('decideRenewal: ARI (RFC 9773 §4.2)', () => {
  const state90 = lineageState(90 * DAY);
  // random() = 0.25 puts the moment a quarter into the window.
  const quarter = () => 0.25;

  it.each([
    // name, window start, end, now, due, reason, renewAt, selected
    ['window in the future', 60 * DAY, 62 * DAY, 30 * DAY, false, 'not-due', 60.5 * DAY, 60.5 * DAY],
    ['inside the window, before the chosen moment', 60 * DAY, 62 * DAY, 60.25 * DAY, false, 'not-due', 60.5 * DAY, 60.5 * DAY],
    ['inside the window, at the chosen moment', 60 * DAY, 62 * DAY, 60.5 * DAY, true, 'ari-window', undefined, 60.5 * DAY],
    ['window over', 40 * DAY, 42 * DAY, 50 * DAY, true, 'ari-window', undefined, 40.5 * DAY],
    ['window later than one third: ARI decides, thresholds do not', 70 * DAY, 72 * DAY, 65 * DAY, false, 'not-due', 70.5 * DAY, 70.5 * DAY],
    ['window earlier than one third: ARI decides', 30 * DAY, 32 * DAY, 31 * DAY, true, 'ari-window', undefined, 30.5 * DAY],
    ['window far beyond expiry: the emergency still fires', 200 * DAY, 202 * DAY, 88 * DAY, true, 'emergency', undefined, 200.5 * DAY],
    ['window far beyond expiry, before the emergency', 200 * DAY, 202 * DAY, 80 * DAY, false, 'not-due', 85.5 * DAY, 200.5 * DAY],
  ] as const)('%s', (_name, start, end, now, due, reason, renewAt, selected) => {
    const decision = decideRenewal({ spec: letsencrypt, state: state90, ari: ari(isoAt(start), isoAt(end)), now: at(now), random: quarter });
    expect(decision.due).toBe(due);
    expect(decision.reason).toBe(reason);
    expect(decision.renewAt).toBe(renewAt === undefined ? undefined : isoAt(renewAt));
    expect(decision.ariState).toEqual({
      windowStart: isoAt(start),
      windowEnd: isoAt(end),
      selectedTime: isoAt(selected),
      nextCheckAt: isoAt(now + 6 * HOUR),
    });
  });

  it('a past window is noted as over', () => {
    const decision = decideRenewal({ spec: letsencrypt, state: state90, ari: ari(isoAt(40 * DAY), isoAt(42 * DAY)), now: at(50 * DAY), random: quarter });
    expect(decision.notes?.join(' ')).toMatch(/window ended/);
  });

  it('draws the moment uniformly over [start, end): random() = 0 is the start, just under 1 stays inside', () => {
    const window = ari(isoAt(60 * DAY), isoAt(62 * DAY));
    const first = decideRenewal({ spec: letsencrypt, state: state90, ari: window, now: at(DAY), random: () => 0 });
    const last = decideRenewal({ spec: letsencrypt, state: state90, ari: window, now: at(DAY), random: () => 0.999_999_999_9 });
    expect(first.ariState?.selectedTime).toBe(isoAt(60 * DAY));
    expect(Date.parse(last.ariState!.selectedTime)).toBeLessThan(Date.parse(isoAt(62 * DAY)));
    expect(Date.parse(last.ariState!.selectedTime)).toBeGreaterThan(Date.parse(isoAt(62 * DAY - MINUTE)));
  });

  it('rejects a random() outside [0, 1)', () => {
    expect(() => decideRenewal({ spec: letsencrypt, state: state90, ari: ari(isoAt(60 * DAY), isoAt(62 * DAY)), now: at(DAY), random: () => 1 })).toThrow(RangeError);
  });

  it.each([
    ['end before start', isoAt(62 * DAY), isoAt(60 * DAY)],
    ['end equal to start', isoAt(60 * DAY), isoAt(60 * DAY)],
    ['garbage', 'soon', 'later'],
    ['a date without a time', '2026-03-02', '2026-03-04'],
    ['not RFC 3339', 'March 2, 2026', 'March 4, 2026'],
    ['empty strings', '', ''],
  ])('invalid window (%s) is ignored: the thresholds decide', (_name, start, end) => {
    const before = decideRenewal({ spec: letsencrypt, state: state90, ari: ari(start, end), now: at(59 * DAY), random: noRandom });
    expect(before).toMatchObject({ due: false, reason: 'not-due', renewAt: isoAt(60 * DAY) });
    expect(before.ariState).toBeUndefined();
    expect(before.notes?.join(' ')).toMatch(/renewal info from the CA ignored.*RFC 9773 §4\.2/);
    const after = decideRenewal({ spec: letsencrypt, state: state90, ari: ari(start, end), now: at(61 * DAY), random: noRandom });
    expect(after).toMatchObject({ due: true, reason: 'lifetime-fraction' });
  });

  it('accepts RFC 3339 with an offset and fractional seconds', () => {
    const decision = decideRenewal({
      spec: letsencrypt,
      state: state90,
      ari: ari('2026-03-02T09:00:00.000+09:00', '2026-03-04T09:00:00+09:00'),
      now: at(DAY),
      random: () => 0.5,
    });
    expect(decision.ariState).toMatchObject({ windowStart: isoAt(60 * DAY), windowEnd: isoAt(62 * DAY), selectedTime: isoAt(61 * DAY) });
  });

  describe('the chosen moment is kept while the window is unchanged', () => {
    const storedAri = {
      windowStart: isoAt(60 * DAY),
      windowEnd: isoAt(62 * DAY),
      selectedTime: isoAt(61.9 * DAY),
      nextCheckAt: isoAt(10 * DAY + 6 * HOUR),
    };
    const withStored = lineageState(90 * DAY, { ari: storedAri });

    it('same window (spelled differently) → the stored moment, random() not drawn, nextCheckAt renewed', () => {
      const fresh = ari('2026-03-02T00:00:00Z', '2026-03-04T00:00:00Z', { retryAfterSeconds: 3_600 });
      const decision = decideRenewal({ spec: letsencrypt, state: withStored, ari: fresh, now: at(61 * DAY), random: noRandom });
      expect(decision).toMatchObject({ due: false, reason: 'not-due', renewAt: isoAt(61.9 * DAY) });
      expect(decision.ariState).toEqual({ ...storedAri, nextCheckAt: isoAt(61 * DAY + HOUR) });
    });

    it('a new window → a new moment', () => {
      const random = vi.fn(() => 0.25);
      const decision = decideRenewal({ spec: letsencrypt, state: withStored, ari: ari(isoAt(64 * DAY), isoAt(66 * DAY)), now: at(61 * DAY), random });
      expect(random).toHaveBeenCalledTimes(1);
      expect(decision.ariState?.selectedTime).toBe(isoAt(64.5 * DAY));
      expect(decision).toMatchObject({ due: false, reason: 'not-due', renewAt: isoAt(64.5 * DAY) });
    });

    it('a window moved into the past by the CA (mass revocation) → due now', () => {
      const decision = decideRenewal({ spec: letsencrypt, state: withStored, ari: ari(isoAt(20 * DAY), isoAt(21 * DAY)), now: at(30 * DAY), random: quarter });
      expect(decision).toMatchObject({ due: true, reason: 'ari-window' });
      expect(decision.ariState?.selectedTime).toBe(isoAt(20.25 * DAY));
    });

    it('no fresh renewal info → the stored window decides, stored as it was', () => {
      const before = decideRenewal({ spec: letsencrypt, state: withStored, now: at(61 * DAY), random: noRandom });
      expect(before).toMatchObject({ due: false, reason: 'not-due', renewAt: isoAt(61.9 * DAY), ariState: storedAri });
      expect(decideRenewal({ spec: letsencrypt, state: withStored, now: at(61.9 * DAY), random: noRandom })).toMatchObject({ due: true, reason: 'ari-window' });
    });

    it('an invalid fresh window keeps the stored one and asks again in 6 h (RFC 9773 §4.3.3)', () => {
      const decision = decideRenewal({ spec: letsencrypt, state: withStored, ari: ari('bogus', 'bogus'), now: at(61 * DAY), random: noRandom });
      expect(decision.ariState).toEqual({ ...storedAri, nextCheckAt: isoAt(61 * DAY + 6 * HOUR) });
      expect(decision.reason).toBe('not-due');
    });

    it('a stored selected time outside its window is chosen again', () => {
      const broken = lineageState(90 * DAY, { ari: { ...storedAri, selectedTime: isoAt(80 * DAY) } });
      const decision = decideRenewal({ spec: letsencrypt, state: broken, now: at(30 * DAY), random: quarter });
      expect(decision.ariState?.selectedTime).toBe(isoAt(60.5 * DAY));
    });

    it('a stored window that ended before the current certificate was issued belongs to its predecessor and is ignored', () => {
      const stale = lineageState(90 * DAY, { ari: { ...storedAri, windowStart: isoAt(-30 * DAY), windowEnd: isoAt(-28 * DAY), selectedTime: isoAt(-29 * DAY) } });
      const decision = decideRenewal({ spec: letsencrypt, state: stale, now: at(DAY), random: noRandom });
      expect(decision).toMatchObject({ due: false, reason: 'not-due', renewAt: isoAt(60 * DAY) });
      expect(decision.ariState).toBeUndefined();
      expect(decision.notes?.join(' ')).toMatch(/predecessor/);
    });

    it('a stored moment chosen before the current certificate was issued is not obeyed again (no renewal loop)', () => {
      // Renewed at the chosen 60.5 d; the new certificate (notBefore 60.5 d) still sees the old window (60–62 d).
      const renewed: LineageState = {
        currentVersion: 2,
        current: { serialHex: '0b', notBefore: isoAt(60.5 * DAY), notAfter: isoAt(150.5 * DAY), domains: ['example.com'] },
        ari: { ...storedAri, selectedTime: isoAt(60.5 * DAY - HOUR) },
      };
      const decision = decideRenewal({ spec: letsencrypt, state: renewed, now: at(60.6 * DAY), random: noRandom });
      expect(decision).toMatchObject({ due: false, reason: 'not-due', renewAt: isoAt(120.5 * DAY) });
      expect(decision.ariState).toBeUndefined();
    });
  });

  it.each([
    ['under a minute → a minute', 5, 60],
    ['six hours as sent', 21_600, 21_600],
    ['over a day → a day', 10 * 86_400, 86_400],
    ['not a number → six hours', Number.NaN, 21_600],
  ])('nextCheckAt: Retry-After %s (RFC 9773 §4.3.2)', (_name, retryAfterSeconds, seconds) => {
    const decision = decideRenewal({
      spec: letsencrypt,
      state: state90,
      ari: ari(isoAt(60 * DAY), isoAt(62 * DAY), { retryAfterSeconds }),
      now: at(DAY),
      random: quarter,
    });
    expect(decision.ariState?.nextCheckAt).toBe(isoAt(DAY + seconds * 1000));
  });

  it('keeps the explanationURL and shows it to the operator', () => {
    const decision = decideRenewal({
      spec: letsencrypt,
      state: state90,
      ari: ari(isoAt(60 * DAY), isoAt(62 * DAY), { explanationURL: 'https://ca.example/incident/42' }),
      now: at(DAY),
      random: quarter,
    });
    expect(decision.ariState?.explanationURL).toBe('https://ca.example/incident/42');
    expect(decision.notes).toContain('the CA explains its renewal window at https://ca.example/incident/42');
  });

  it('an ARI moment before the next sweep renews now (RFC 9773 §4.2 step 5)', () => {
    const input = { spec: letsencrypt, state: state90, ari: ari(isoAt(60 * DAY), isoAt(62 * DAY)), now: at(60.3 * DAY), random: quarter };
    expect(decideRenewal({ ...input, nextRunAt: at(60.8 * DAY) })).toMatchObject({ due: true, reason: 'ari-window' });
    expect(decideRenewal({ ...input, nextRunAt: at(60.4 * DAY) })).toMatchObject({ due: false, reason: 'not-due' });
    expect(decideRenewal(input)).toMatchObject({ due: false, reason: 'not-due' });
  });

  it('ARI decides over the JPRS 30-day threshold, and says so', () => {
    const decision = decideRenewal({ spec: jprs, state: lineageState(365 * DAY), ari: ari(isoAt(240 * DAY), isoAt(250 * DAY)), now: at(251 * DAY), random: quarter });
    expect(decision).toMatchObject({ due: true, reason: 'ari-window' });
    expect(decision.notes?.join(' ')).toMatch(/renewBeforeExpiry \(30 days\) is not used/);
  });

  it('a window due by ARI still waits out the backoff, and the choice is stored meanwhile', () => {
    const state = lineageState(90 * DAY, { failures: failures({ count: 3, lastFailureAt: isoAt(61 * DAY), retryNotBefore: isoAt(61 * DAY + 4 * HOUR) }) });
    const decision = decideRenewal({ spec: letsencrypt, state, ari: ari(isoAt(60 * DAY), isoAt(62 * DAY)), now: at(61 * DAY + HOUR), random: quarter });
    expect(decision).toMatchObject({ due: false, reason: 'backoff', renewAt: isoAt(61 * DAY + 4 * HOUR) });
    expect(decision.ariState?.selectedTime).toBe(isoAt(60.5 * DAY));
  });

  it('renewal info for a lineage without a certificate is ignored', () => {
    const decision = decideRenewal({ spec: letsencrypt, state: { currentVersion: 0 }, ari: ari(isoAt(60 * DAY), isoAt(62 * DAY)), now: at(DAY), random: noRandom });
    expect(decision).toMatchObject({ due: true, reason: 'no-certificate' });
    expect(decision.ariState).toBeUndefined();
  });
});

describe('decideRenewal: purity', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads no clock of its own: the system time does not matter', () => {
    vi.useFakeTimers({ now: new Date('2099-01-01T00:00:00Z') });
    const decision = decideRenewal({ spec: letsencrypt, state: lineageState(90 * DAY), now: at(DAY), random: noRandom });
    expect(decision).toMatchObject({ due: false, reason: 'not-due' });
  });

  it('returns plain JSON that survives a round trip, and leaves its input alone', () => {
    const state = lineageState(90 * DAY, { failures: failures({ count: 1, lastFailureAt: isoAt(DAY), retryNotBefore: isoAt(DAY + HOUR) }) });
    const snapshot = structuredClone(state);
    const decision: RenewalDecision = decideRenewal({
      spec: letsencrypt,
      state,
      ari: ari(isoAt(60 * DAY), isoAt(62 * DAY), { explanationURL: 'https://ca.example/ari' }),
      now: at(2 * DAY),
      random: () => 0.5,
    });
    expect(JSON.parse(JSON.stringify(decision))).toEqual(decision);
    expect(state).toEqual(snapshot);
  });

  it('rejects an invalid clock', () => {
    expect(() => decideRenewal({ spec: letsencrypt, state: lineageState(90 * DAY), now: new Date('nope'), random: noRandom })).toThrow(RangeError);
  });
});
