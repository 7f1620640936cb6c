import { createPrivateKey, createPublicKey, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { PrivateKeyParseError } from './errors.js';

/** Members that must be strings when present (RFC 7518 §6.2-§6.3, RFC 8037 §2). */
const STRING_MEMBERS = ['kty', 'crv', 'x', 'y', 'd', 'n', 'e', 'p', 'q', 'dp', 'dq', 'qi'] as const;
const REQUIRED: Record<string, readonly (typeof STRING_MEMBERS)[number][]> = {
  EC: ['crv', 'x', 'y', 'd'],
  // RFC 7518 §6.3.2 makes the CRT members optional, but Node.js (OpenSSL) needs them all.
  RSA: ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'],
  OKP: ['crv', 'x', 'd'],
};
const PUBLIC_MEMBERS: Record<string, readonly (typeof STRING_MEMBERS)[number][]> = {
  EC: ['kty', 'crv', 'x', 'y'],
  RSA: ['kty', 'n', 'e'],
  OKP: ['kty', 'crv', 'x'],
};

/**
 * Converts a private JWK (RSA, EC or OKP) to a PKCS#8 `PRIVATE KEY` PEM (RFC 5208 §5,
 * RFC 7468 §10), the form the key store and `keyTypeOfPrivateKey` take.
 *
 * The JWK's shape is checked here before Node.js sees it, so that a malformed key is reported
 * by member name only: Node.js's argument errors may quote the offending value. RSA JWKs need
 * the CRT members (`p`, `q`, `dp`, `dq`, `qi`), which every common producer writes.
 *
 * @throws PrivateKeyParseError when the JWK has no private member `d`, lacks a required member,
 *   is not a valid key, or its private and public members do not belong together.
 *
 * @example
 * ```ts
 * const pem = jwkToPrivateKeyPem(await exportJWK(privateKey));
 * ```
 */
export function jwkToPrivateKeyPem(jwk: JWK): string {
  if (jwk === null || typeof jwk !== 'object') throw new PrivateKeyParseError('the JWK must be an object');
  for (const member of STRING_MEMBERS) {
    if (jwk[member] !== undefined && typeof jwk[member] !== 'string') {
      throw new PrivateKeyParseError(`the JWK member "${member}" must be a string`);
    }
  }
  const required = REQUIRED[jwk.kty ?? ''];
  if (required === undefined) {
    throw new PrivateKeyParseError('the JWK "kty" must be "EC", "RSA" or "OKP"');
  }
  const missing = required.filter((member) => jwk[member] === undefined);
  if (missing.includes('d')) throw new PrivateKeyParseError('the JWK has no private member "d" (a public key?)');
  if (missing.length > 0) throw new PrivateKeyParseError(`the JWK lacks member(s) ${missing.join(', ')}`);
  let privateKey: KeyObject;
  let publicKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    const publicJwk = Object.fromEntries((PUBLIC_MEMBERS[jwk.kty ?? ''] ?? []).map((m) => [m, jwk[m]]));
    publicKey = createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' });
  } catch (err) {
    throw new PrivateKeyParseError(`the ${jwk.kty} JWK is not a valid private key`, { cause: err });
  }
  // OpenSSL takes `d` and the public members as given without checking that they belong
  // together; a mismatched pair would be stored and only fail at issuance. A signature made
  // with the private half must verify with the public members.
  if (!halvesMatch(privateKey, publicKey)) {
    throw new PrivateKeyParseError(`the ${jwk.kty} JWK's private member "d" does not match its public members`);
  }
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

function halvesMatch(privateKey: KeyObject, publicKey: KeyObject): boolean {
  const probe = Buffer.from('acmeflow jwkToPrivateKeyPem consistency probe');
  // Ed25519/Ed448 take no digest (null); RSA and ECDSA sign a SHA-256 digest.
  const digest = privateKey.asymmetricKeyType === 'ed25519' || privateKey.asymmetricKeyType === 'ed448' ? null : 'sha256';
  try {
    return verify(digest, probe, publicKey, sign(digest, probe, privateKey));
  } catch {
    return false;
  }
}
