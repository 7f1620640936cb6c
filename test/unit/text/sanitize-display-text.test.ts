import { describe, expect, it } from 'vitest';
import { DISPLAY_TEXT_MAX_LENGTH, sanitizeDisplayText } from '../../../shared/text/index.js';

describe('sanitizeDisplayText', () => {
  it('removes escape sequences whole and turns other control characters into spaces', () => {
    expect(sanitizeDisplayText('Order failed\u001b[2J\u001b[H\rSuccessfully received certificate.')).toBe('Order failed Successfully received certificate.');
    expect(sanitizeDisplayText('title\u001b]0;owned\u0007 end')).toBe('title end');
    expect(sanitizeDisplayText('a\u009b31mb\u0000c\td\ne')).toBe('ab c d e');
  });

  it('removes bidirectional overrides that reorder what is shown', () => {
    expect(sanitizeDisplayText('safe\u202egnp.exe\u202c')).toBe('safe gnp.exe');
  });

  it('keeps ordinary text, Japanese included, as it is', () => {
    expect(sanitizeDisplayText('CAA レコードが発行を禁止しています: example.jp')).toBe('CAA レコードが発行を禁止しています: example.jp');
  });

  it('cuts long text to the limit and says so', () => {
    const cut = sanitizeDisplayText('x'.repeat(5_000_000));
    expect(cut.startsWith('x'.repeat(DISPLAY_TEXT_MAX_LENGTH))).toBe(true);
    expect(cut).toMatch(/… \(cut: 5000000 characters in all\)$/);
    expect(cut.length).toBeLessThan(DISPLAY_TEXT_MAX_LENGTH + 50);
    expect(sanitizeDisplayText('abcdef', 3)).toBe('abc… (cut: 6 characters in all)');
  });

  it('is idempotent', () => {
    const once = sanitizeDisplayText(`\u001b[31m${'y'.repeat(3000)}`);
    expect(sanitizeDisplayText(once, once.length)).toBe(once);
  });
});
