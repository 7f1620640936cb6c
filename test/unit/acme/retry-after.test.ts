import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../shared/acme/retry-after.js';

const now = new Date('2026-11-26T12:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120],
    [' 5 ', 5],
    ['0', 1], // clamped up to the minimum
    ['999999999', 86_400], // clamped down to the maximum
    ['Thu, 26 Nov 2026 12:01:00 GMT', 60],
    ['Thu, 26 Nov 2026 11:00:00 GMT', 1], // in the past
  ])('parses %j as %d seconds', (header, seconds) => {
    expect(parseRetryAfter(header, now)).toBe(seconds);
  });

  it.each([[null], [undefined], [''], ['soon'], ['-5']])('returns undefined for %j', (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });

  it('honours custom bounds', () => {
    expect(parseRetryAfter('10', now, { min: 60, max: 600 })).toBe(60);
    expect(parseRetryAfter('6000', now, { min: 60, max: 600 })).toBe(600);
  });
});
