import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ariCertificateId, parseCertificate, pemToDer } from '../../../shared/crypto/index.js';
import { makeSelfSignedCertificate } from '../../support/certs.js';

describe('ariCertificateId (RFC 9773 §4.1)', () => {
  it("reproduces RFC 9773's example: AKI 69:88:5B:...:C8:D4, serial 00:87:65:43:21", async () => {
    const { certPem } = await makeSelfSignedCertificate({
      domains: ['example.com'],
      authorityKeyIdentifierHex: '69885B6B87464041E1B37B847BA0AE2CDE01C8D4',
      serialHex: '87654321', // high bit set: DER encodes it as 00 87 65 43 21
    });
    expect(parseCertificate(certPem).serialHex).toBe('0087654321');
    expect(ariCertificateId(certPem)).toBe('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
    expect(ariCertificateId(pemToDer(certPem))).toBe('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
  });

  it('keeps the leading 0x00 of a fresh self-signed certificate whose serial has the high bit set', async () => {
    const { certPem } = await makeSelfSignedCertificate({ domains: ['a.example'], serialHex: 'c0ffee0123456789abcdef' });
    const info = parseCertificate(certPem);
    expect(info.serialHex).toBe('00c0ffee0123456789abcdef');
    const [keyId, serial] = ariCertificateId(certPem).split('.');
    expect(Buffer.from(serial!, 'base64url').toString('hex')).toBe('00c0ffee0123456789abcdef');
    expect(serial).toBe('AMD_7gEjRWeJq83v'); // base64url, not base64: '_' and no '=' padding
    expect(Buffer.from(keyId!, 'base64url').toString('hex')).toBe(info.authorityKeyIdentifierHex);
  });

  it('has no leading 0x00 when the high bit is clear', async () => {
    const { certPem } = await makeSelfSignedCertificate({ domains: ['a.example'], serialHex: '7f01' });
    expect(ariCertificateId(certPem).split('.')[1]).toBe('fwE');
  });

  it('uses the AKI, not the SKI, of a CA-issued certificate', async () => {
    const ca = await makeSelfSignedCertificate({ domains: [], commonName: 'CA', isCa: true });
    const leaf = await makeSelfSignedCertificate({ domains: ['a.example'], issuer: ca, serialHex: '01' });
    const caSki = parseCertificate(ca.certPem).subjectKeyIdentifierHex!;
    expect(ariCertificateId(leaf.certPem)).toBe(`${Buffer.from(caSki, 'hex').toString('base64url')}.AQ`);
  });

  it('works on an OpenSSL-issued certificate', () => {
    const leaf = readFileSync(new URL('./fixtures/openssl-leaf.pem', import.meta.url), 'utf8');
    // AKI 6F:8A:FA:69:..., serial 00 8F 00 AA 11 BB 22 CC 33 DD 44
    expect(ariCertificateId(leaf)).toBe('b4r6aSj2BcxU5-k0luZ0yFhs4j8.AI8AqhG7Iswz3UQ');
  });

  it('throws MissingAuthorityKeyIdentifierError without an AKI keyIdentifier', async () => {
    const { certPem } = await makeSelfSignedCertificate({ domains: ['a.example'], authorityKeyIdentifierHex: null });
    expect(() => ariCertificateId(certPem)).toThrowError(
      expect.objectContaining({ name: 'MissingAuthorityKeyIdentifierError' }),
    );
    const v1 = readFileSync(new URL('./fixtures/openssl-ed25519-v1.pem', import.meta.url), 'utf8');
    expect(() => ariCertificateId(v1)).toThrowError(expect.objectContaining({ name: 'MissingAuthorityKeyIdentifierError' }));
  });

  it('throws CertificateParseError on garbage', () => {
    expect(() => ariCertificateId('garbage')).toThrowError(expect.objectContaining({ name: 'CertificateParseError' }));
  });
});
