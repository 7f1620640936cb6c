import { describe, expect, it } from 'vitest';
import { derToPem, pemToDer } from '../../../shared/crypto/index.js';

const a = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]);
const b = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x02]);

describe('pemToDer', () => {
  it('decodes the first block', () => {
    expect(pemToDer(derToPem(a, 'CERTIFICATE') + derToPem(b, 'CERTIFICATE'))).toEqual(a);
  });

  it('decodes the first block with the requested label, skipping others', () => {
    const text = `${derToPem(a, 'EC PARAMETERS')}${derToPem(b, 'EC PRIVATE KEY')}`;
    expect(pemToDer(text, 'EC PRIVATE KEY')).toEqual(b);
    expect(pemToDer(text)).toEqual(a);
  });

  it('tolerates CRLF and explanatory text', () => {
    const text = `Bag Attributes\r\n${derToPem(a, 'CERTIFICATE').replace(/\n/g, '\r\n')}`;
    expect(pemToDer(text, 'CERTIFICATE')).toEqual(a);
  });

  it('throws PemFormatError naming the missing label', () => {
    expect(() => pemToDer(derToPem(a, 'PUBLIC KEY'), 'CERTIFICATE')).toThrowError(
      expect.objectContaining({ name: 'PemFormatError', message: expect.stringContaining('"CERTIFICATE"') }),
    );
    expect(() => pemToDer('no pem here')).toThrowError(expect.objectContaining({ name: 'PemFormatError' }));
  });

  it('refuses a legacy encrypted block: its body is not DER', () => {
    const text = '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAEC\n-----END RSA PRIVATE KEY-----\n';
    expect(() => pemToDer(text, 'RSA PRIVATE KEY')).toThrowError(/encrypted/);
  });
});
