import type { LineageSpec } from '../shared/config/lineage-spec.js';
import { generateCertificateKey } from '../shared/crypto/generate-certificate-key.js';

type KeyType = LineageSpec['keyType'];

/**
 * Certificate keys generated ahead, one per lineage whose issuance has started. Generating an RSA
 * key is the largest piece of CPU work in an issuance (about 0.1 s for 2048 bits, more for 4096); it
 * runs off the main thread, so started with the issuance it overlaps the order's round trips to
 * the CA and the DNS, and FinalizeOrder finds it ready. A key is only ever in this process's memory
 * until FinalizeOrder stores it as the pending key; one never taken (the run failed earlier, the
 * lineage reuses its key) is dropped with the run.
 *
 * @example
 * ```ts
 * const ahead = new KeysAhead();
 * ahead.start('example.com', 'rsa-2048');              // when the issuance starts
 * const pem = await ahead.take('example.com', 'rsa-2048'); // in FinalizeOrder: the same key, or a new one
 * ```
 */
export class KeysAhead {
  readonly #pending = new Map<string, { keyType: KeyType; key: Promise<string> }>();

  /** Starts a key of `keyType` for `lineage`, unless one is under way. */
  start(lineage: string, keyType: KeyType): void {
    if (this.#pending.get(lineage)?.keyType === keyType) return;
    const key = generateCertificateKey(keyType).then((pair) => pair.privateKeyPem);
    // Taken later or never: a failure surfaces in take(), not as an unhandled rejection.
    key.catch(() => undefined);
    this.#pending.set(lineage, { keyType, key });
  }

  /** The key started for `lineage` if it is of `keyType` (it is handed out once), else a new one. */
  async take(lineage: string, keyType: KeyType): Promise<string> {
    const ahead = this.#pending.get(lineage);
    this.#pending.delete(lineage);
    if (ahead?.keyType === keyType) return ahead.key;
    return (await generateCertificateKey(keyType)).privateKeyPem;
  }

  /** Keys started and not taken. */
  get size(): number {
    return this.#pending.size;
  }
}
