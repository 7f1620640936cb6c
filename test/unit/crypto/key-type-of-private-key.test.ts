import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derToPem, generateCertificateKey, keyTypeOfPrivateKey } from '../../../shared/crypto/index.js';
import { otherKeys, pemBody } from './test-keys.js';

describe('keyTypeOfPrivateKey', () => {
  it.each([
    ['PKCS#8 P-256', async () => (await generateCertificateKey('ecdsa-p256')).privateKeyPem, 'ecdsa-p256'],
    ['PKCS#8 P-384', async () => (await generateCertificateKey('ecdsa-p384')).privateKeyPem, 'ecdsa-p384'],
    ['PKCS#8 RSA 2048', async () => (await generateCertificateKey('rsa-2048')).privateKeyPem, 'rsa-2048'],
    ['PKCS#1 RSA 2048', async () => otherKeys.rsa2048Pkcs1(), 'rsa-2048'],
    ['SEC1 P-256', async () => otherKeys.p256Sec1(), 'ecdsa-p256'],
    ['SEC1 P-384', async () => otherKeys.p384Sec1(), 'ecdsa-p384'],
  ])('tells the key type of a %s key', async (_, makeKey, expected) => {
    const pem = await makeKey();
    expect(keyTypeOfPrivateKey(pem)).toBe(expected);
    // Input written by other tools: CRLF line endings.
    expect(keyTypeOfPrivateKey(pem.replace(/\n/g, '\r\n'))).toBe(expected);
  });

  it('reads the EC PRIVATE KEY after the EC PARAMETERS block `openssl ecparam -genkey` writes', () => {
    const parameters = derToPem(new Uint8Array([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]), 'EC PARAMETERS');
    expect(keyTypeOfPrivateKey(parameters + otherKeys.p256Sec1())).toBe('ecdsa-p256');
  });

  it('distinguishes RSA sizes', async () => {
    const { privateKeyPem } = await generateCertificateKey('rsa-3072');
    expect(keyTypeOfPrivateKey(privateKeyPem)).toBe('rsa-3072');
  });

  it.each([
    ['Ed25519', otherKeys.ed25519, 'ed25519'],
    ['P-521', otherKeys.p521, 'ec secp521r1'],
    ['RSA 1024', otherKeys.rsa1024, 'rsa 1024-bit'],
    ['RSA-PSS', otherKeys.rsaPss2048, 'rsa-pss 2048-bit'],
  ])('rejects %s with UnsupportedKeyTypeError describing the key', (_, makeKey, keyDescription) => {
    const pem = makeKey();
    try {
      keyTypeOfPrivateKey(pem);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ name: 'UnsupportedKeyTypeError', keyDescription });
      expect((err as Error).message).toContain(keyDescription);
      expect((err as Error).message).not.toContain(pemBody(pem).slice(0, 40));
    }
  });

  it.each([
    ['garbage', () => 'not a key'],
    ['a PUBLIC KEY PEM', () => createPublicKey(otherKeys.p256Sec1()).export({ type: 'spki', format: 'pem' }) as string],
    ['a certificate block', () => derToPem(new Uint8Array([0x30, 0x00]), 'CERTIFICATE')],
    ['an encrypted PKCS#8 key', otherKeys.encryptedPkcs8],
    ['a legacy encrypted PKCS#1 key', otherKeys.encryptedPkcs1],
    ['a PRIVATE KEY block of garbage', () => derToPem(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]), 'PRIVATE KEY')],
  ])('rejects %s with PrivateKeyParseError', (_, makeInput) => {
    expect(() => keyTypeOfPrivateKey(makeInput())).toThrowError(expect.objectContaining({ name: 'PrivateKeyParseError' }));
  });

  it('says "encrypted" for encrypted keys without echoing them', () => {
    const pem = otherKeys.encryptedPkcs1();
    expect(() => keyTypeOfPrivateKey(pem)).toThrowError(/encrypted/);
    try {
      keyTypeOfPrivateKey(pem);
    } catch (err) {
      expect(JSON.stringify({ message: (err as Error).message })).not.toContain(pemBody(pem).slice(0, 40));
    }
  });
});
