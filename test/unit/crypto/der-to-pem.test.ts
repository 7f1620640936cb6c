import { describe, expect, it } from 'vitest';
import { derToPem, pemToDer } from '../../../shared/crypto/index.js';

describe('derToPem', () => {
  it('writes RFC 7468 canonical PEM: 64-column lines, LF, final newline', () => {
    const der = new Uint8Array(51).fill(0xff); // 51 bytes → 68 base64 characters, no padding
    expect(derToPem(der, 'CERTIFICATE')).toBe(
      `-----BEGIN CERTIFICATE-----\n${'/'.repeat(64)}\n${'/'.repeat(4)}\n-----END CERTIFICATE-----\n`,
    );
  });

  it('round-trips with pemToDer, also for a view into a larger buffer', () => {
    const backing = new Uint8Array(300).map((_, i) => i % 256);
    const view = backing.subarray(7, 257);
    expect(pemToDer(derToPem(view, 'CERTIFICATE REQUEST'), 'CERTIFICATE REQUEST')).toEqual(new Uint8Array(view));
  });

  it.each(['', 'BAD--LABEL', '-LEADING', 'TRAILING ', 'NEW\nLINE'])('rejects the label %j', (label) => {
    expect(() => derToPem(new Uint8Array([1]), label)).toThrowError(expect.objectContaining({ name: 'PemFormatError' }));
  });

  it('rejects empty DER', () => {
    expect(() => derToPem(new Uint8Array(0), 'CERTIFICATE')).toThrowError(
      expect.objectContaining({ name: 'PemFormatError' }),
    );
  });
});
