import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../../shared/config/index.js';
import { formatDuration } from '../../../../shared/store/filesystem/format-duration.js';

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
