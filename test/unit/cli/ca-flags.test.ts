import { describe, expect, it } from 'vitest';
import { caFromFlags, eabFromFlags } from '../../../cli/ca-flags.js';

const HMAC = Buffer.from('k'.repeat(32)).toString('base64url');

describe('eabFromFlags', () => {
  it('is undefined without EAB flags, and the parsed credentials with them (the algorithm case-insensitive)', () => {
    expect(eabFromFlags({})).toBeUndefined();
    expect(eabFromFlags({ 'eab-kid': 'kid-1', 'eab-hmac-key': HMAC })).toEqual({ kid: 'kid-1', hmacKey: HMAC });
    expect(eabFromFlags({ 'eab-kid': 'kid-1', 'eab-hmac-key': HMAC, 'eab-hmac-alg': 'hs512' })).toEqual({ kid: 'kid-1', hmacKey: HMAC, algorithm: 'HS512' });
  });

  it.each([
    ['half the pair', { 'eab-kid': 'kid-1' }, 'External Account Binding needs both --eab-kid and --eab-hmac-key, as the CA portal gives them.'],
    ['an algorithm that is no MAC', { 'eab-kid': 'k', 'eab-hmac-key': HMAC, 'eab-hmac-alg': 'RS256' }, '--eab-hmac-alg must be HS256, HS384 or HS512.'],
    [
      'a key that is not base64url',
      { 'eab-kid': 'k', 'eab-hmac-key': 'not base64 !!secret' },
      /^--eab-hmac-key: The EAB HMAC key holds a space or line break at character 4\. It must be base64url or standard base64/,
    ],
  ])('refuses %s with a UsageError (exit 2)', (_what, flags, message) => {
    expect(() => eabFromFlags(flags)).toThrow(expect.objectContaining({ name: 'UsageError', message: typeof message === 'string' ? message : expect.stringMatching(message) }));
    expect(() => eabFromFlags(flags)).not.toThrow(/secret/);
  });
});

describe('caFromFlags', () => {
  it('refuses a --server URL with credentials, without repeating them', () => {
    for (const server of ['https://user:hunter2@acme.example/dir', 'https://token@acme.example/dir', 'ftp://user:hunter2@acme.example/dir']) {
      let caught: Error | undefined;
      try {
        caFromFlags({ server });
      } catch (err) {
        caught = err as Error;
      }
      expect(caught?.name).toBe('UsageError');
      expect(caught?.message).toContain('holds credentials');
      expect(caught?.message).not.toContain('hunter2');
    }
  });

  it('keeps a plain directory URL', () => {
    expect(caFromFlags({ server: 'https://acme.example/dir' }).directoryUrl).toBe('https://acme.example/dir');
  });
});
