import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  generateCertificateKey,
  jwkToPrivateKeyPem,
  keyTypeOfPrivateKey,
  privateKeyPemToJwk,
  publicJwkOf,
} from '../../../shared/crypto/index.js';
import { otherKeys } from './test-keys.js';

describe('jwkToPrivateKeyPem', () => {
  it.each(['ecdsa-p256', 'ecdsa-p384', 'rsa-2048'] as const)('round-trips a %s key through JWK', async (keyType) => {
    const { privateKeyPem, publicKeyPem } = await generateCertificateKey(keyType);
    const pem = jwkToPrivateKeyPem(privateKeyPemToJwk(privateKeyPem));
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(keyTypeOfPrivateKey(pem)).toBe(keyType);
    // Same key: the public half derived from the result equals the original public key.
    expect(createPublicKey(pem).export({ type: 'spki', format: 'pem' })).toBe(publicKeyPem);
  });

  it('writes PKCS#8 for an Ed25519 JWK (account keys)', () => {
    const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK;
    expect(privateKeyPemToJwk(jwkToPrivateKeyPem(jwk))).toEqual(jwk);
  });

  it('rejects a public JWK: there is no "d"', () => {
    const publicJwk = publicJwkOf(otherKeys.p256Sec1());
    expect(() => jwkToPrivateKeyPem(publicJwk)).toThrowError(
      expect.objectContaining({ name: 'PrivateKeyParseError', message: expect.stringContaining('"d"') }),
    );
  });

  it('rejects a JWK whose "d" belongs to another key', () => {
    const jwk = privateKeyPemToJwk(otherKeys.p256Sec1());
    const other = privateKeyPemToJwk(otherKeys.p256Sec1());
    expect(() => jwkToPrivateKeyPem({ ...jwk, d: other.d })).toThrowError(
      expect.objectContaining({ name: 'PrivateKeyParseError', message: expect.stringContaining('does not match') }),
    );
    const rsa = privateKeyPemToJwk(otherKeys.rsa2048Pkcs1());
    const otherRsa = privateKeyPemToJwk(otherKeys.rsa2048Pkcs1());
    expect(() => jwkToPrivateKeyPem({ ...rsa, n: otherRsa.n })).toThrowError(
      expect.objectContaining({ name: 'PrivateKeyParseError' }),
    );
  });

  it('names the CRT members an RSA JWK lacks (Node.js needs them)', () => {
    const { kty, n, e, d } = privateKeyPemToJwk(otherKeys.rsa2048Pkcs1());
    expect(() => jwkToPrivateKeyPem({ kty, n, e, d })).toThrowError(/p, q, dp, dq, qi/);
  });

  it('rejects malformed JWKs by member name, never quoting values', () => {
    const jwk = privateKeyPemToJwk(otherKeys.p256Sec1());
    const cases: JWK[] = [
      { ...jwk, kty: 'oct' as JWK['kty'] },
      { ...jwk, x: undefined },
      { ...jwk, d: 12345 as unknown as string },
      { ...jwk, d: 'not-a-valid-scalar-but-a-string-of-secret-looking-text' },
      { ...jwk, crv: 'P-999' },
    ];
    for (const bad of cases) {
      try {
        jwkToPrivateKeyPem(bad);
        expect.unreachable();
      } catch (err) {
        expect((err as Error).name).toBe('PrivateKeyParseError');
        expect((err as Error).message).not.toContain(jwk.d);
        expect((err as Error).message).not.toContain('secret-looking');
        expect((err as Error).message).not.toContain('12345');
      }
    }
  });

  it('rejects a non-object', () => {
    expect(() => jwkToPrivateKeyPem(null as unknown as JWK)).toThrowError(
      expect.objectContaining({ name: 'PrivateKeyParseError' }),
    );
  });
});
