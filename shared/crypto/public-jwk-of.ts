import { createPublicKey } from 'node:crypto';
import type { JWK } from 'jose';
import { UnsupportedKeyTypeError } from './errors.js';
import { describeKeyObject } from './key-type.js';
import { loadPrivateKeyPem } from './private-key-object.js';

/** The public members of each key type: RFC 7518 §6.2.1 (EC), §6.3.1 (RSA), RFC 8037 §2 (OKP). */
const PUBLIC_MEMBERS: Record<string, readonly (keyof JWK)[]> = {
  EC: ['kty', 'crv', 'x', 'y'],
  RSA: ['kty', 'n', 'e'],
  OKP: ['kty', 'crv', 'x'],
};

/**
 * The public JWK of a PEM private key: only the public members of its key type (no `d`, no CRT
 * parameters), which is also exactly what an RFC 7638 thumbprint is computed over and what an
 * ACME `jwk` header carries (RFC 8555 §6.2). Safe to log and to put in execution state.
 *
 * @throws PrivateKeyParseError when the text is not an unencrypted PEM private key.
 * @throws UnsupportedKeyTypeError for keys JWK cannot describe (RSA-PSS, DSA, DH).
 *
 * @example
 * ```ts
 * publicJwkOf(pem); // { kty: 'EC', crv: 'P-256', x: '...', y: '...' }
 * ```
 */
export function publicJwkOf(privateKeyPem: string): JWK {
  const key = loadPrivateKeyPem(privateKeyPem);
  let exported: JWK;
  try {
    exported = createPublicKey(key).export({ format: 'jwk' }) as JWK;
  } catch (err) {
    const keyDescription = describeKeyObject(key);
    throw new UnsupportedKeyTypeError(`a ${keyDescription} key cannot be expressed as a JWK`, {
      cause: err,
      keyDescription,
    });
  }
  const members = PUBLIC_MEMBERS[exported.kty ?? ''];
  if (members === undefined) {
    const keyDescription = describeKeyObject(key);
    throw new UnsupportedKeyTypeError(`a ${keyDescription} key has no public JWK form`, { keyDescription });
  }
  // Copy member by member: whatever else an export might carry, only public members leave here.
  const jwk: Record<string, unknown> = {};
  for (const member of members) {
    if (exported[member] !== undefined) jwk[member] = exported[member];
  }
  return jwk as JWK;
}
