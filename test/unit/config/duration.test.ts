import { describe, expect, it } from 'vitest';
import { durationSchema, formatDuration, parseDuration } from '../../../shared/config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['91 days', 91 * 86400],
    ['30 days', 30 * 86400],
    ['1 day', 86400],
    ['12 hours', 12 * 3600],
    ['1 day 6 hours', 86400 + 6 * 3600],
    ['30d', 30 * 86400],
    ['90m', 5400],
    ['30', 30 * 86400], // certbot reads a bare number as days
    ['P30D', 30 * 86400],
    ['PT12H', 12 * 3600],
    ['P1W', 604800],
    [3600, 3600],
  ] as const)('%j → %d s', (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  it.each(['', 'soon', '30 fortnights', '10 days and more', 'P', -1])('rejects %j with a ConfigError naming the field', (input) => {
    expect(() => parseDuration(input as string, 'renewBeforeExpiry')).toThrow(expect.objectContaining({ name: 'ConfigError', field: 'renewBeforeExpiry' }));
  });
});

describe('durationSchema', () => {
  it('turns text or seconds into seconds, as parseDuration does', () => {
    expect(durationSchema.parse('91 days')).toBe(parseDuration('91 days'));
    expect(durationSchema.parse(3600)).toBe(3600);
  });

  it("rejects with parseDuration's wording, without the field name (the caller's path gives it)", () => {
    const result = durationSchema.safeParse('soon');
    expect(result.success).toBe(false);
    const thrown = (() => {
      try {
        parseDuration('soon', 'renewBeforeExpiry');
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(thrown).toBe(`renewBeforeExpiry: ${result.error?.issues[0]?.message}`);
  });
});

describe('formatDuration', () => {
  it("spells durations like certbot's renew_before_expiry", () => {
    expect(formatDuration(30 * 86400)).toBe('30 days');
    expect(formatDuration(91 * 86400)).toBe('91 days');
    expect(formatDuration(86400)).toBe('1 day');
    expect(formatDuration(36 * 3600)).toBe('36 hours');
    expect(formatDuration(5400)).toBe('90 minutes');
    expect(formatDuration(61)).toBe('61 seconds');
    expect(formatDuration(0)).toBe('0 days');
  });

  it.each([0, 1, 59, 60, 3600, 86399, 86400, 7_862_400, 2_592_000 + 3600])('is read back by parseDuration exactly: %i s', (seconds) => {
    expect(parseDuration(formatDuration(seconds))).toBe(seconds);
  });

  it('refuses fractions and negatives instead of rounding them', () => {
    expect(() => formatDuration(1.5)).toThrow(RangeError);
    expect(() => formatDuration(-1)).toThrow(RangeError);
  });
});
