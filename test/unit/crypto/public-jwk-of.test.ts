import { calculateJwkThumbprint } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateCertificateKey, privateKeyPemToJwk, publicJwkOf } from '../../../shared/crypto/index.js';
import { otherKeys } from './test-keys.js';

describe('publicJwkOf', () => {
  it('returns only the public EC members', async () => {
    const { privateKeyPem } = await generateCertificateKey('ecdsa-p384');
    const jwk = publicJwkOf(privateKeyPem);
    expect(Object.keys(jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(jwk).not.toHaveProperty('d');
    const full = privateKeyPemToJwk(privateKeyPem);
    expect(jwk).toEqual({ kty: 'EC', crv: 'P-384', x: full.x, y: full.y });
  });

  it('returns only n and e for RSA, no private or CRT members', () => {
    const jwk = publicJwkOf(otherKeys.rsa2048Pkcs1());
    expect(Object.keys(jwk).sort()).toEqual(['e', 'kty', 'n']);
    expect(JSON.stringify(jwk)).not.toMatch(/"(d|p|q|dp|dq|qi)"/);
  });

  it('handles OKP (Ed25519) account keys', () => {
    expect(Object.keys(publicJwkOf(otherKeys.ed25519())).sort()).toEqual(['crv', 'kty', 'x']);
  });

  it('gives the same RFC 7638 thumbprint as the private JWK', async () => {
    const pem = otherKeys.p256Sec1();
    expect(await calculateJwkThumbprint(publicJwkOf(pem))).toBe(await calculateJwkThumbprint(privateKeyPemToJwk(pem)));
  });

  it('throws PrivateKeyParseError for a non-key', () => {
    expect(() => publicJwkOf('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')).toThrowError(
      expect.objectContaining({ name: 'PrivateKeyParseError' }),
    );
  });
});
