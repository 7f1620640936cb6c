import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { importJWK, SignJWT, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateCertificateKey, privateKeyPemToJwk } from '../../../shared/crypto/index.js';
import { otherKeys, pemBody } from './test-keys.js';

describe('privateKeyPemToJwk', () => {
  it('converts a P-256 key to an EC JWK that jose signs with (ES256)', async () => {
    const { privateKeyPem, publicKeyPem } = await generateCertificateKey('ecdsa-p256');
    const jwk = privateKeyPemToJwk(privateKeyPem);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(Object.keys(jwk).sort()).toEqual(['crv', 'd', 'kty', 'x', 'y']);
    const jwt = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256' }).sign(await importJWK(jwk, 'ES256'));
    const { payload } = await jwtVerify(jwt, createPublicKey(publicKeyPem));
    expect(payload.sub).toBe('x');
  });

  it('converts RSA keys with all CRT members (RFC 7518 §6.3.2)', async () => {
    const jwk = privateKeyPemToJwk(otherKeys.rsa2048Pkcs1());
    expect(jwk.kty).toBe('RSA');
    for (const member of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const) expect(typeof jwk[member]).toBe('string');
    expect(jwk.e).toBe('AQAB');
  });

  it('converts SEC1 P-384 and account-key types outside KeyType (Ed25519, P-521)', () => {
    expect(privateKeyPemToJwk(otherKeys.p384Sec1())).toMatchObject({ kty: 'EC', crv: 'P-384' });
    expect(privateKeyPemToJwk(otherKeys.ed25519())).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(privateKeyPemToJwk(otherKeys.p521())).toMatchObject({ kty: 'EC', crv: 'P-521' });
  });

  it('yields the same key: a signature by the JWK verifies with the PEM', () => {
    const pem = otherKeys.p256Sec1();
    const jwkKey = createPrivateKey({ key: privateKeyPemToJwk(pem) as import('node:crypto').JsonWebKey, format: 'jwk' });
    const signature = sign('sha256', Buffer.from('m'), jwkKey);
    expect(verify('sha256', Buffer.from('m'), createPublicKey(pem), signature)).toBe(true);
  });

  it('rejects RSA-PSS keys (no JWK form in Node.js) with UnsupportedKeyTypeError', () => {
    expect(() => privateKeyPemToJwk(otherKeys.rsaPss2048())).toThrowError(
      expect.objectContaining({ name: 'UnsupportedKeyTypeError', keyDescription: 'rsa-pss 2048-bit' }),
    );
  });

  it('rejects non-keys and encrypted keys with PrivateKeyParseError, without echoing them', () => {
    const encrypted = otherKeys.encryptedPkcs8();
    for (const input of ['', 'garbage', encrypted]) {
      try {
        privateKeyPemToJwk(input);
        expect.unreachable();
      } catch (err) {
        expect((err as Error).name).toBe('PrivateKeyParseError');
        expect((err as Error).message).not.toContain(pemBody(encrypted).slice(0, 40));
      }
    }
  });
});
