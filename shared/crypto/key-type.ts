import type { KeyObject } from 'node:crypto';

/**
 * The certificate key types acmeflow issues for: the RSA sizes and NIST curves that every public
 * CA accepts (CA/Browser Forum Baseline Requirements §6.1.5) and that Web Crypto can sign CSRs
 * with. Ed25519 and P-521 are left out on purpose: most CAs refuse them.
 */
export type KeyType = 'rsa-2048' | 'rsa-3072' | 'rsa-4096' | 'ecdsa-p256' | 'ecdsa-p384';

/**
 * Every {@link KeyType}, e.g. for a schema (`z.enum(KEY_TYPES)`) or a CLI choice list.
 *
 * @example
 * ```ts
 * if (!KEY_TYPES.includes(input as KeyType)) throw new Error('unknown key type');
 * ```
 */
export const KEY_TYPES: readonly KeyType[] = Object.freeze([
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
  'ecdsa-p256',
  'ecdsa-p384',
]);

/** Runtime check for values that come from JSON or a command line. */
export function isKeyType(value: unknown): value is KeyType {
  return typeof value === 'string' && (KEY_TYPES as readonly string[]).includes(value);
}

/**
 * The {@link KeyType} of a Node.js key object (private or public), or null when it is none of
 * them. Internal: the public entry points take PEM.
 */
export function keyTypeOfKeyObject(key: KeyObject): KeyType | null {
  const details = key.asymmetricKeyDetails ?? {};
  // 'rsa-pss' keys (id-RSASSA-PSS SPKI) are excluded: CAs and most TLS stacks expect rsaEncryption.
  if (key.asymmetricKeyType === 'rsa') {
    switch (details.modulusLength) {
      case 2048:
        return 'rsa-2048';
      case 3072:
        return 'rsa-3072';
      case 4096:
        return 'rsa-4096';
      default:
        return null;
    }
  }
  if (key.asymmetricKeyType === 'ec') {
    // OpenSSL names: prime256v1 is P-256 (secp256r1), secp384r1 is P-384 (RFC 5480 §2.1.1.1).
    if (details.namedCurve === 'prime256v1') return 'ecdsa-p256';
    if (details.namedCurve === 'secp384r1') return 'ecdsa-p384';
  }
  return null;
}

/** A short, non-secret description of a key for error messages: `rsa 1024-bit`, `ec secp521r1`. */
export function describeKeyObject(key: KeyObject): string {
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  if (details.modulusLength !== undefined) return `${type} ${details.modulusLength}-bit`;
  if (details.namedCurve !== undefined) return `${type} ${details.namedCurve}`;
  return type;
}
