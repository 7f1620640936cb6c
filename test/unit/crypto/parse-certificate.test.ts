import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  generateCertificateKey,
  parseCertificate,
  pemToDer,
  type CertificateInfo,
} from '../../../shared/crypto/index.js';
import { makeSelfSignedCertificate } from '../../support/certs.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseCertificate', () => {
  describe('on certificates written by OpenSSL (expected values from `openssl x509`, see fixtures/README.md)', () => {
    it('reads the leaf', () => {
      expect(parseCertificate(fixture('openssl-leaf.pem'))).toEqual<CertificateInfo>({
        // `openssl asn1parse`: INTEGER of 11 octets, 00 8F 00 AA ...: the leading 00 is kept.
        serialHex: '008f00aa11bb22cc33dd44',
        notBefore: '2026-11-26T18:59:04.000Z',
        notAfter: '2027-02-24T18:59:04.000Z',
        lifetimeSeconds: 90 * 86_400 + 1, // `-days 90`, counted inclusively (RFC 5280 §4.1.2.5)
        // IP, otherName and email SAN entries are not dNSNames.
        domains: ['www.example.com', '*.example.com'],
        commonName: 'www.example.com',
        issuerCommonName: 'Example Issuing CA 1',
        // RFC 4514: reverse order; serialNumber is not in the §3 table, so OID=#hex;
        // UTF-8 is written as is (OpenSSL writes ST=T\C5\8Dky\C5\8D and serialNumber=1234).
        subjectDn: 'CN=www.example.com,2.5.4.5=#130431323334,OU=Dev,OU=Ops,O=Example\\, Inc.,ST=Tōkyō,C=JP',
        issuerDn: 'CN=Example Issuing CA 1,O=Example Trust\\, Inc.,C=US',
        authorityKeyIdentifierHex: '6f8afa6928f605cc54e7e93496e674c8586ce23f',
        subjectKeyIdentifierHex: '2e6f7059e4fd004d8541e3438de6090d2b7dc6cc',
        keyType: 'ecdsa-p256',
        sha256FingerprintHex: 'c60708b52a4e5f52693c2a6693d5abd215de0f13c9fcd83df342bac64a8a9a3b',
        isCa: false,
      });
    });

    it('reads the CA: isCa, P-384, its SKI is the leaf AKI', () => {
      const ca = parseCertificate(fixture('openssl-ca.pem'));
      expect(ca).toMatchObject({
        serialHex: '7d41a987464ba473072ab9f4300dcf470314d527',
        isCa: true,
        keyType: 'ecdsa-p384',
        domains: [],
        subjectDn: 'CN=Example Issuing CA 1,O=Example Trust\\, Inc.,C=US',
        sha256FingerprintHex: '19e69a85676f2dfa28cce3ff55cd5c4391a289bfbe9689242c86b17709ff24ab',
      });
      expect(ca.subjectKeyIdentifierHex).toBe(parseCertificate(fixture('openssl-leaf.pem')).authorityKeyIdentifierHex);
    });

    it('reads a v1 certificate (no version field, no extensions) with an Ed25519 key', () => {
      expect(parseCertificate(fixture('openssl-ed25519-v1.pem'))).toEqual<CertificateInfo>({
        serialHex: '01',
        notBefore: '2026-11-26T18:59:06.000Z',
        notAfter: '2026-12-26T18:59:06.000Z',
        lifetimeSeconds: 30 * 86_400 + 1,
        domains: [],
        commonName: 'ed25519.example',
        issuerCommonName: 'ed25519.example',
        subjectDn: 'CN=ed25519.example',
        issuerDn: 'CN=ed25519.example',
        authorityKeyIdentifierHex: null,
        subjectKeyIdentifierHex: null,
        keyType: null,
        sha256FingerprintHex: 'a5cb42bc861a518b1bdf0353919d35d453915bb8e12931ff2e515185d39230bd',
        isCa: false,
      });
    });

    it('gives the same result for PEM, DER, CRLF PEM and a fullchain (its leaf)', () => {
      const leaf = fixture('openssl-leaf.pem');
      const expected = parseCertificate(leaf);
      expect(parseCertificate(pemToDer(leaf))).toEqual(expected);
      expect(parseCertificate(Buffer.from(pemToDer(leaf)))).toEqual(expected);
      expect(parseCertificate(leaf.replace(/\n/g, '\r\n'))).toEqual(expected);
      expect(parseCertificate(`leaf:\n${leaf}\nissuer:\n${fixture('openssl-ca.pem')}`)).toEqual(expected);
    });

    it('returns plain JSON that survives a round trip', () => {
      const info = parseCertificate(fixture('openssl-leaf.pem'));
      expect(JSON.parse(JSON.stringify(info))).toEqual(info);
    });
  });

  describe('on generated certificates', () => {
    it.each(['rsa-2048', 'ecdsa-p256', 'ecdsa-p384'] as const)('reads the key type %s', async (keyType) => {
      const { certPem } = await makeSelfSignedCertificate({ domains: ['example.com'], keyType });
      expect(parseCertificate(certPem).keyType).toBe(keyType);
    });

    it('keeps the leading 00 of a serial with the high bit set, and none otherwise', async () => {
      const high = await makeSelfSignedCertificate({ domains: ['a.example'], serialHex: 'fedcba9876543210' });
      expect(parseCertificate(high.certPem).serialHex).toBe('00fedcba9876543210');
      const low = await makeSelfSignedCertificate({ domains: ['a.example'], serialHex: '0123456789' });
      expect(parseCertificate(low.certPem).serialHex).toBe('0123456789');
    });

    it('computes the lifetime inclusively: a 90-day Let\'s Encrypt-style validity is 7 776 000 s', async () => {
      const { certPem } = await makeSelfSignedCertificate({
        domains: ['a.example'],
        notBefore: '2025-01-01T00:00:00Z',
        notAfter: '2025-03-31T23:59:59Z',
      });
      const info = parseCertificate(certPem);
      expect(info.notBefore).toBe('2025-01-01T00:00:00.000Z');
      expect(info.notAfter).toBe('2025-03-31T23:59:59.000Z');
      expect(info.lifetimeSeconds).toBe(7_776_000);
    });

    it('reads dates past 2049 (GeneralizedTime, RFC 5280 §4.1.2.5.2)', async () => {
      const { certPem } = await makeSelfSignedCertificate({
        domains: ['a.example'],
        notBefore: '2049-12-31T00:00:00Z',
        notAfter: '2050-01-02T00:00:00Z',
      });
      expect(parseCertificate(certPem)).toMatchObject({
        notBefore: '2049-12-31T00:00:00.000Z',
        notAfter: '2050-01-02T00:00:00.000Z',
        lifetimeSeconds: 2 * 86_400 + 1,
      });
    });

    it('reads a leaf issued by a CA: issuer DN and CN, AKI = CA SKI, SAN order', async () => {
      const ca = await makeSelfSignedCertificate({ domains: [], commonName: 'Test Root', isCa: true });
      const leaf = await makeSelfSignedCertificate({
        domains: ['b.example', '*.a.example', 'a.example'],
        issuer: ca,
        keyType: 'ecdsa-p384',
      });
      const caInfo = parseCertificate(ca.certPem);
      const info = parseCertificate(leaf.certPem);
      expect(caInfo.isCa).toBe(true);
      expect(info).toMatchObject({
        domains: ['b.example', '*.a.example', 'a.example'],
        commonName: 'b.example',
        issuerCommonName: 'Test Root',
        subjectDn: 'CN=b.example',
        issuerDn: 'CN=Test Root',
        authorityKeyIdentifierHex: caInfo.subjectKeyIdentifierHex,
        keyType: 'ecdsa-p384',
        isCa: false,
      });
      expect(info.subjectKeyIdentifierHex).toMatch(/^[0-9a-f]{40}$/);
      expect(info.subjectKeyIdentifierHex).not.toBe(caInfo.subjectKeyIdentifierHex);
    });

    it('reads an empty subject as commonName null and subjectDn ""', async () => {
      const { certPem } = await makeSelfSignedCertificate({ domains: ['a.example'], commonName: null });
      expect(parseCertificate(certPem)).toMatchObject({ commonName: null, subjectDn: '', domains: ['a.example'] });
    });

    it('fingerprints the DER: differs between certificates of the same key', async () => {
      const { privateKeyPem } = await generateCertificateKey('ecdsa-p256');
      const a = await makeSelfSignedCertificate({ domains: ['a.example'], privateKeyPem });
      const b = await makeSelfSignedCertificate({ domains: ['a.example'], privateKeyPem });
      expect(parseCertificate(a.certPem).sha256FingerprintHex).not.toBe(parseCertificate(b.certPem).sha256FingerprintHex);
    });
  });

  describe('on garbage', () => {
    const leafDer = pemToDer(fixture('openssl-leaf.pem'));
    it.each<[string, string | Uint8Array]>([
      ['an empty string', ''],
      ['text without PEM', 'hello'],
      ['hex text (which @peculiar/x509 would take for DER)', '3003020101'],
      ['a PEM block of another label', '-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n'],
      ['a CERTIFICATE block of garbage', '-----BEGIN CERTIFICATE-----\nAAECAwQF\n-----END CERTIFICATE-----\n'],
      ['empty bytes', new Uint8Array(0)],
      ['random bytes', new Uint8Array([1, 2, 3, 4])],
      ['a truncated certificate', leafDer.subarray(0, leafDer.length - 10)],
      ['a certificate with trailing bytes', new Uint8Array([...leafDer, 0])],
      ['a SEQUENCE that is not a certificate', new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])],
      ['a not-a-certificate object', { length: 3 } as unknown as Uint8Array],
    ])('throws CertificateParseError on %s', (_, input) => {
      expect(() => parseCertificate(input)).toThrowError(expect.objectContaining({ name: 'CertificateParseError' }));
    });

    it('keeps the low-level reason as cause', () => {
      try {
        parseCertificate(new Uint8Array([0x30, 0x80]));
        expect.unreachable();
      } catch (err) {
        expect((err as Error).name).toBe('CertificateParseError');
        expect(((err as Error).cause as Error).name).toBe('Asn1DecodeError');
      }
    });
  });
});
