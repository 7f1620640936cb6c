import { describe, expect, it } from 'vitest';
import { normalizePem } from '../../../shared/crypto/index.js';

const der = new Uint8Array(Array.from({ length: 100 }, (_, i) => i));
const base64 = Buffer.from(der).toString('base64'); // 136 characters
const canonical = `-----BEGIN CERTIFICATE-----\n${base64.slice(0, 64)}\n${base64.slice(64, 128)}\n${base64.slice(128)}\n-----END CERTIFICATE-----\n`;

describe('normalizePem', () => {
  it('leaves a canonical block unchanged', () => {
    expect(normalizePem(canonical)).toBe(canonical);
  });

  it('re-wraps base64 at 64 columns and turns CRLF into LF', () => {
    const messy = `\r\n-----BEGIN CERTIFICATE-----\r\n${base64.slice(0, 10)}\r\n  ${base64.slice(10, 90)} \r\n\r\n${base64.slice(90)}\r\n-----END CERTIFICATE-----`;
    expect(normalizePem(messy)).toBe(canonical);
  });

  it('drops explanatory text and keeps every block in order', () => {
    const key = `-----BEGIN PRIVATE KEY-----\nAAEC\n-----END PRIVATE KEY-----\n`;
    const text = `Subject: something\n${canonical}\nsome words\n${key}trailing`;
    expect(normalizePem(text)).toBe(canonical + key);
  });

  it('keeps RFC 1421 headers of legacy encrypted keys, separated by a blank line', () => {
    const text =
      '-----BEGIN RSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\r\n\r\nAAEC\r\nAwQF\r\n-----END RSA PRIVATE KEY-----\r\n';
    expect(normalizePem(text)).toBe(
      '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\nAAECAwQF\n-----END RSA PRIVATE KEY-----\n',
    );
  });

  it.each([
    ['no block at all', 'hello world'],
    ['an empty string', ''],
    ['a block without END (truncated)', `-----BEGIN CERTIFICATE-----\n${base64}\n`],
    ['mismatched END label', `-----BEGIN CERTIFICATE-----\n${base64}\n-----END PRIVATE KEY-----\n`],
    ['a BEGIN inside a block', `-----BEGIN CERTIFICATE-----\n${base64}\n${canonical}`],
    ['characters outside base64', `-----BEGIN CERTIFICATE-----\nAAEC*AwQ\n-----END CERTIFICATE-----\n`],
    ['unpadded base64', `-----BEGIN CERTIFICATE-----\nAAECAw\n-----END CERTIFICATE-----\n`],
    ['an empty body', `-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n`],
  ])('throws PemFormatError on %s', (_, text) => {
    expect(() => normalizePem(text)).toThrowError(expect.objectContaining({ name: 'PemFormatError' }));
  });

  it('never echoes the input in its error message', () => {
    const secret = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC';
    try {
      normalizePem(`-----BEGIN PRIVATE KEY-----\n${secret}!\n-----END PRIVATE KEY-----\n`);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain(secret);
      expect((err as Error).message).toContain('PRIVATE KEY');
    }
  });
});
