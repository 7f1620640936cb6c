import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KEY_TYPES, generateCertificateKey, keyTypeOfPrivateKey, type KeyType } from '../../../shared/crypto/index.js';

describe('generateCertificateKey', () => {
  it.each(KEY_TYPES.map((keyType) => [keyType]))(
    'generates a %s key: PKCS#8 private PEM and a matching SPKI public PEM',
    async (keyType) => {
      const { privateKeyPem, publicKeyPem } = await generateCertificateKey(keyType);
      expect(privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
      expect(publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
      expect(keyTypeOfPrivateKey(privateKeyPem)).toBe(keyType);

      // The two halves belong together: a signature by one verifies with the other.
      const data = Buffer.from('acmeflow');
      const signature = sign('sha256', data, createPrivateKey(privateKeyPem));
      expect(verify('sha256', data, createPublicKey(publicKeyPem), signature)).toBe(true);

      const details = createPublicKey(publicKeyPem).asymmetricKeyDetails;
      if (keyType.startsWith('rsa')) expect(details?.publicExponent).toBe(65537n);
    },
  );

  it('generates a different key each time', async () => {
    const [a, b] = await Promise.all([generateCertificateKey('ecdsa-p256'), generateCertificateKey('ecdsa-p256')]);
    expect(a.privateKeyPem).not.toBe(b.privateKeyPem);
  });

  it('rejects an unknown key type with UnsupportedKeyTypeError', async () => {
    await expect(generateCertificateKey('ecdsa-p521' as KeyType)).rejects.toMatchObject({
      name: 'UnsupportedKeyTypeError',
      keyDescription: 'ecdsa-p521',
    });
  });
});
