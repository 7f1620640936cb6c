import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../shared/config/duration.js';

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
