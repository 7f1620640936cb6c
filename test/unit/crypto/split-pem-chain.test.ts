import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { derToPem, parseCertificate, splitPemChain } from '../../../shared/crypto/index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const leaf = fixture('openssl-leaf.pem');
const ca = fixture('openssl-ca.pem');

describe('splitPemChain', () => {
  it('splits a fullchain into normalised certificate blocks, leaf first', () => {
    const blocks = splitPemChain(leaf + ca);
    expect(blocks).toEqual([leaf, ca]);
    expect(blocks.map((pem) => parseCertificate(pem).commonName)).toEqual(['www.example.com', 'Example Issuing CA 1']);
  });

  it('tolerates CRLF, blank lines, indentation and text between blocks', () => {
    const crlf = (text: string) => text.replace(/\n/g, '\r\n');
    const text = `Certificate chain\r\n\r\n${crlf(leaf)}\r\n\r\n  issuer: Example Issuing CA 1\r\n${crlf(ca).replace(/^M/gm, '    M')}\r\n`;
    expect(splitPemChain(text)).toEqual([leaf, ca]);
  });

  it('skips blocks that are not certificates, so a key never comes back', () => {
    const key = derToPem(new Uint8Array([0x30, 0x00]), 'PRIVATE KEY');
    const blocks = splitPemChain(`${key}${leaf}${key}`);
    expect(blocks).toEqual([leaf]);
    expect(blocks.join('')).not.toContain('PRIVATE KEY');
  });

  it('returns an empty array for text without certificates', () => {
    expect(splitPemChain('')).toEqual([]);
    expect(splitPemChain('nothing here')).toEqual([]);
  });

  it('throws PemFormatError on a truncated chain instead of returning fewer certificates', () => {
    const truncated = leaf + ca.slice(0, ca.length / 2);
    expect(() => splitPemChain(truncated)).toThrowError(expect.objectContaining({ name: 'PemFormatError' }));
  });
});
