import 'reflect-metadata';
import { createPublicKey, verify } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createCsr,
  generateCertificateKey,
  pemToDer,
  type KeyType,
} from '../../../shared/crypto/index.js';
import { DerTag, decodeOid, readDerChildren, readSingleDerElement, toHex } from '../../../shared/crypto/der-reader.js';
import { otherKeys } from './test-keys.js';

x509.cryptoProvider.set(globalThis.crypto);

/** The parts of a PKCS#10 request (RFC 2986 §4), read from the DER independently of @peculiar/x509. */
function readCsr(der: Uint8Array) {
  const [info, algorithm, signature] = readDerChildren(readSingleDerElement(der));
  const [version, subject, spki, attributes] = readDerChildren(info!);
  const [algorithmOid, ...algorithmParams] = readDerChildren(algorithm!);
  return {
    info: info!,
    version: toHex(version!.content),
    subject: subject!,
    spki: spki!,
    attributesTag: attributes!.tag,
    signatureOid: decodeOid(algorithmOid!.content),
    signatureParams: algorithmParams.map((p) => toHex(p.bytes)),
    signatureBits: signature!,
  };
}

const EXPECTED: Record<KeyType, { oid: string; params: string[]; hash: string }> = {
  // RFC 4055 §5 / RFC 3279 §2.2.1: sha256WithRSAEncryption with NULL parameters.
  'rsa-2048': { oid: '1.2.840.113549.1.1.11', params: ['0500'], hash: 'sha256' },
  'rsa-3072': { oid: '1.2.840.113549.1.1.11', params: ['0500'], hash: 'sha256' },
  'rsa-4096': { oid: '1.2.840.113549.1.1.11', params: ['0500'], hash: 'sha256' },
  // RFC 5758 §3.2: ecdsa-with-SHA256 / -SHA384, parameters absent.
  'ecdsa-p256': { oid: '1.2.840.10045.4.3.2', params: [], hash: 'sha256' },
  'ecdsa-p384': { oid: '1.2.840.10045.4.3.3', params: [], hash: 'sha384' },
};

describe('createCsr', () => {
  describe.each(Object.keys(EXPECTED) as KeyType[])('with a %s key', (keyType) => {
    let privateKeyPem: string;
    let publicKeyPem: string;
    beforeAll(async () => {
      ({ privateKeyPem, publicKeyPem } = await generateCertificateKey(keyType));
    });

    it('signs with the algorithm of the key, and the signature verifies', async () => {
      const csr = await createCsr({ privateKeyPem, domains: ['example.com', 'www.example.com'] });
      const parts = readCsr(csr.der);
      expect(parts.version).toBe('00'); // RFC 2986 §4.1: version 0
      expect(parts.signatureOid).toBe(EXPECTED[keyType].oid);
      expect(parts.signatureParams).toEqual(EXPECTED[keyType].params);

      // Verified with Node.js, independently of the library that signed it.
      expect(parts.signatureBits.tag).toBe(DerTag.BIT_STRING);
      expect(parts.signatureBits.content[0]).toBe(0); // no unused bits
      const signature = parts.signatureBits.content.subarray(1);
      const spkiKey = createPublicKey({ key: Buffer.from(parts.spki.bytes), format: 'der', type: 'spki' });
      expect(verify(EXPECTED[keyType].hash, parts.info.bytes, spkiKey, signature)).toBe(true);
      // ...and it is the public key of the private key we gave.
      expect(spkiKey.export({ type: 'spki', format: 'pem' })).toBe(publicKeyPem);

      // A tampered request does not verify.
      const tampered = Buffer.from(parts.info.bytes);
      tampered[tampered.length - 1]! ^= 0x01;
      expect(verify(EXPECTED[keyType].hash, tampered, spkiKey, signature)).toBe(false);

      // @peculiar/x509 agrees.
      expect(await new x509.Pkcs10CertificateRequest(csr.der).verify()).toBe(true);
    });
  });

  describe('names', () => {
    let privateKeyPem: string;
    beforeAll(async () => {
      ({ privateKeyPem } = await generateCertificateKey('ecdsa-p256'));
    });

    const sanOf = (der: Uint8Array<ArrayBuffer>) => {
      const csr = new x509.Pkcs10CertificateRequest(der);
      const san = csr.getExtension('2.5.29.17'); // id-ce-subjectAltName
      if (san === null) throw new Error('the CSR has no subjectAltName extension request');
      return { csr, san: new x509.SubjectAlternativeNameExtension(san.rawData) };
    };

    it('puts every name in the SAN as dNSName, in order, wildcards as given, first name as CN', async () => {
      const domains = ['example.com', '*.example.com', 'xn--bcher-kva.example', 'a.b.example.org'];
      const { der, pem } = await createCsr({ privateKeyPem, domains });
      const { csr, san } = sanOf(der);
      expect(san.names.items.map((n) => n.toJSON())).toEqual(domains.map((value) => ({ type: 'dns', value })));
      expect(san.critical).toBe(false);
      expect(csr.subjectName.getField('CN')).toEqual(['example.com']);
      expect(csr.subject).toBe('CN=example.com');
      expect(pemToDer(pem, 'CERTIFICATE REQUEST')).toEqual(der);
      expect(pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    });

    it('uses a wildcard first name as CN too', async () => {
      const { der } = await createCsr({ privateKeyPem, domains: ['*.example.com'] });
      expect(sanOf(der).csr.subjectName.getField('CN')).toEqual(['*.example.com']);
    });

    it('keeps a first name of exactly 64 characters as CN (RFC 5280 ub-common-name)', async () => {
      const name64 = `${'a'.repeat(56)}.example`;
      expect(name64).toHaveLength(64);
      const { der } = await createCsr({ privateKeyPem, domains: [name64] });
      expect(sanOf(der).csr.subjectName.getField('CN')).toEqual([name64]);
    });

    it('leaves the subject empty and marks the SAN critical when the first name exceeds 64 characters', async () => {
      const name65 = `${'a'.repeat(57)}.example`;
      expect(name65).toHaveLength(65);
      const { der } = await createCsr({ privateKeyPem, domains: [name65, 'short.example'] });
      const { csr, san } = sanOf(der);
      expect(toHex(readCsr(der).subject.bytes)).toBe('3000'); // empty RDNSequence
      expect(csr.subjectName.getField('CN')).toEqual([]);
      expect(san.critical).toBe(true); // RFC 5280 §4.2.1.6
      expect(san.names.items.map((n) => n.value)).toEqual([name65, 'short.example']);
    });

    it('drops repeated names, case-insensitively, keeping the first spelling', async () => {
      const { der } = await createCsr({ privateKeyPem, domains: ['Example.com', 'www.example.com', 'example.COM'] });
      expect(sanOf(der).san.names.items.map((n) => n.value)).toEqual(['Example.com', 'www.example.com']);
    });

    it.each([
      ['no names', []],
      ['an empty name', ['']],
      ['a Unicode name (needs A-labels)', ['bücher.example']],
      ['a name with a space', ['bad name.example']],
      ['a non-string', [42 as unknown as string]],
    ])('rejects %s with InvalidCsrInputError', async (_, domains) => {
      await expect(createCsr({ privateKeyPem, domains })).rejects.toMatchObject({ name: 'InvalidCsrInputError' });
    });
  });

  describe('keys', () => {
    it.each([
      ['PKCS#1 RSA', otherKeys.rsa2048Pkcs1, '1.2.840.113549.1.1.11'],
      ['SEC1 P-384', otherKeys.p384Sec1, '1.2.840.10045.4.3.3'],
    ])('accepts a %s key', async (_, makeKey, oid) => {
      const { der } = await createCsr({ privateKeyPem: makeKey(), domains: ['example.com'] });
      expect(readCsr(der).signatureOid).toBe(oid);
      expect(await new x509.Pkcs10CertificateRequest(der).verify()).toBe(true);
    });

    it.each([
      ['Ed25519', otherKeys.ed25519],
      ['P-521', otherKeys.p521],
      ['RSA 1024', otherKeys.rsa1024],
    ])('rejects a %s key with UnsupportedKeyTypeError', async (_, makeKey) => {
      await expect(createCsr({ privateKeyPem: makeKey(), domains: ['example.com'] })).rejects.toMatchObject({
        name: 'UnsupportedKeyTypeError',
      });
    });

    it('rejects a non-key with PrivateKeyParseError', async () => {
      await expect(createCsr({ privateKeyPem: 'nope', domains: ['example.com'] })).rejects.toMatchObject({
        name: 'PrivateKeyParseError',
      });
    });
  });
});
