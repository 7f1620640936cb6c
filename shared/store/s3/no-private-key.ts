import { StoreError } from '../errors.js';

// Any PEM private key: PKCS#8 ("PRIVATE KEY"), SEC 1 ("EC PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY"), encrypted ones.
const PRIVATE_KEY_PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/**
 * Refuses to write a body holding a PEM private key to S3. Keys belong in the key store only
 * (ARCHITECTURE.md, "Security invariants"); this catches a caller that passed the key where a
 * certificate or chain belongs. The error names the object, never the content.
 *
 * @example
 * ```ts
 * assertNoPrivateKey('archive/example.com/1/chain.pem', chainPem);
 * ```
 */
export function assertNoPrivateKey(key: string, body: string): void {
  if (PRIVATE_KEY_PEM.test(body)) {
    throw new StoreError(`Refusing to write ${key}: its content holds a PEM private key, and private keys are kept only in the key store.`);
  }
}
