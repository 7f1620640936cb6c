import { describe, expect, it } from 'vitest';
import { RENEWAL_POLICY, backoffSeconds, clearedFailures, nextFailureState } from '../../../shared/renewal/index.js';
import type { FailureState, LineageState } from '../../../shared/store/index.js';
import { HOUR, at, isoAt, lineageState } from './fixtures.js';

const dnsTimeout = { name: 'DnsPropagationTimeoutError', message: 'TXT record not visible at ns1.example.com' };

describe('nextFailureState', () => {
  it('backs off 1, 2, 4, 8, 16, 32, 32 hours on consecutive failures', () => {
    let state: FailureState | undefined;
    let now = 0;
    const waits: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < 7; i++) {
      state = nextFailureState(state, dnsTimeout, at(now));
      counts.push(state.count);
      waits.push((Date.parse(state.retryNotBefore) - Date.parse(state.lastFailureAt)) / HOUR);
      expect(state.lastFailureAt).toBe(isoAt(now));
      now = Date.parse(state.retryNotBefore) - Date.parse(isoAt(0)); // the next attempt happens when allowed
    }
    expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 32]);
  });

  it.each([
    [1, 3_600],
    [2, 7_200],
    [5, 57_600],
    [6, 115_200],
    [100, 115_200],
    [0, 3_600], // nonsense counts are treated as the first failure
    [Number.NaN, 3_600],
  ])('backoffSeconds(%d) = %d', (count, seconds) => {
    expect(backoffSeconds(count)).toBe(seconds);
  });

  it.each([
    // name, previous count, retryAfterSeconds, expected wait (s)
    ['a rateLimited Retry-After longer than the backoff wins', 0, 3 * 86_400, 3 * 86_400],
    ['a Retry-After shorter than the backoff does not shorten it', 1, 600, 7_200],
    ['a Retry-After beyond 7 days is capped', 0, 30 * 86_400, RENEWAL_POLICY.caRetryAfterMaxSeconds],
    ['a fractional Retry-After rounds up', 0, 3_600.2, 3_601],
    ['a negative Retry-After is ignored', 0, -5, 3_600],
    ['an infinite Retry-After is ignored', 0, Number.POSITIVE_INFINITY, 3_600],
  ])('%s', (_name, previousCount, retryAfterSeconds, seconds) => {
    const previous: FailureState | undefined =
      previousCount === 0 ? undefined : { count: previousCount, lastFailureAt: isoAt(0), retryNotBefore: isoAt(HOUR), lastError: dnsTimeout };
    const state = nextFailureState(
      previous,
      { name: 'AcmeRateLimitedError', message: 'too many certificates', problemType: 'urn:ietf:params:acme:error:rateLimited', retryAfterSeconds },
      at(2 * HOUR),
    );
    expect(state.retryNotBefore).toBe(isoAt(2 * HOUR + seconds * 1000));
  });

  it('stores the error by name, message and problem type, never the Retry-After itself', () => {
    const state = nextFailureState(
      undefined,
      { name: 'AcmeRateLimitedError', message: 'too many', problemType: 'urn:ietf:params:acme:error:rateLimited', retryAfterSeconds: 60 },
      at(0),
    );
    expect(state).toEqual({
      count: 1,
      lastFailureAt: isoAt(0),
      retryNotBefore: isoAt(HOUR),
      lastError: { name: 'AcmeRateLimitedError', message: 'too many', problemType: 'urn:ietf:params:acme:error:rateLimited' },
    });
    expect(nextFailureState(undefined, dnsTimeout, at(0)).lastError).toEqual(dnsTimeout);
  });

  it('shortens a huge message', () => {
    const state = nextFailureState(undefined, { name: 'Error', message: 'x'.repeat(5_000) }, at(0));
    expect(state.lastError.message.length).toBe(1_000);
    expect(state.lastError.message.endsWith('…')).toBe(true);
  });

  it('starts over from a corrupt previous count', () => {
    const corrupt = { count: -3, lastFailureAt: isoAt(0), retryNotBefore: isoAt(HOUR), lastError: dnsTimeout };
    expect(nextFailureState(corrupt, dnsTimeout, at(0)).count).toBe(1);
  });

  it('rejects an invalid clock', () => {
    expect(() => nextFailureState(undefined, dnsTimeout, new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('clearedFailures', () => {
  it('drops failures after a success, keeps the rest, and leaves its input alone', () => {
    const failures = nextFailureState(undefined, dnsTimeout, at(0));
    const state: LineageState = lineageState(90 * 86_400_000, { failures, accountUrl: 'https://ca.example/acct/1' });
    const cleared = clearedFailures(state);
    expect('failures' in cleared).toBe(false);
    expect(cleared).toEqual({ currentVersion: 1, current: state.current, accountUrl: 'https://ca.example/acct/1' });
    expect(state.failures).toBe(failures);
  });

  it('so the next failure backs off 1 h again', () => {
    const cleared: LineageState = clearedFailures(lineageState(1, { failures: { count: 6, lastFailureAt: isoAt(0), retryNotBefore: isoAt(32 * HOUR), lastError: dnsTimeout } }));
    const next = nextFailureState(cleared.failures, dnsTimeout, at(40 * HOUR));
    expect(next.count).toBe(1);
    expect(next.retryNotBefore).toBe(isoAt(41 * HOUR));
  });
});
