import { describe, expect, it } from 'vitest';
import { caFromFlags } from '../../../cli/ca-flags.js';

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
