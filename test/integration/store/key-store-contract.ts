/**
 * The rules of the `KeyStore` port (shared/store/key-store.ts) for certificate keys, as one suite
 * every adapter runs: the Secrets Manager, S3 and filesystem key stores each call
 * {@link keyStoreContract} with their own setup.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { generateCertificateKey } from '../../../shared/crypto/index.js';
import type { CertificateKeyStore } from '../../../shared/store/index.js';

/** One adapter under contract, for one test. */
export interface KeyStoreUnderContract {
  readonly keys: CertificateKeyStore;
  /** What StoreCertificate does before promoting the key: store the certificate version. */
  putVersion(lineage: string, version: number): Promise<void>;
  /** What StoreCertificate does after promoting the key: serve the version (switch `live/`). */
  promoteVersion(lineage: string, version: number): Promise<void>;
}

/** A fresh ECDSA key; `keys` collects them for adapters that scan for leaks afterwards. */
export async function contractKey(keys: string[] = []): Promise<string> {
  const { privateKeyPem } = await generateCertificateKey('ecdsa-p256');
  keys.push(privateKeyPem);
  return privateKeyPem;
}

/**
 * Registers the contract's tests in a `describe` named after the adapter. `setup` runs before each
 * test; lineage names are fresh per test, so adapters may share one server.
 */
export function keyStoreContract(adapter: string, setup: () => KeyStoreUnderContract | Promise<KeyStoreUnderContract>, usedKeys: string[] = []): void {
  describe(`${adapter}: the KeyStore contract for certificate keys`, () => {
    let store: KeyStoreUnderContract;
    let lineage: string;
    let count = 0;
    const key = () => contractKey(usedKeys);

    beforeEach(async () => {
      count += 1;
      lineage = `contract${count}-${Math.random().toString(36).slice(2, 8)}.example`;
      store = await setup();
    });

    /** StoreCertificate's order: version stored, key promoted, version served. */
    async function storeCertificate(token: string, version: number): Promise<void> {
      await store.putVersion(lineage, version);
      await store.keys.promoteCertificateKey(lineage, token, version, `fullchain of ${version}`);
      await store.promoteVersion(lineage, version);
    }

    it('stores a pending key per token and answers it; other tokens and lineages have none', async () => {
      const k = await key();
      await expect(store.keys.putPendingCertificateKey(lineage, 'https://ca.test/order/1', k)).resolves.toBe(k);
      await expect(store.keys.getPendingCertificateKey(lineage, 'https://ca.test/order/1')).resolves.toBe(k);
      await expect(store.keys.getPendingCertificateKey(lineage, 'https://ca.test/order/2')).resolves.toBeUndefined();
      await expect(store.keys.getPendingCertificateKey(`other-${lineage}`, 'https://ca.test/order/1')).resolves.toBeUndefined();
      await expect(store.keys.getCurrentCertificateKey(lineage)).resolves.toBeUndefined();
    });

    it('keeps the first key of a token when a retried FinalizeOrder offers another', async () => {
      const [first, second] = [await key(), await key()];
      await store.keys.putPendingCertificateKey(lineage, 'order-1', first);
      await expect(store.keys.putPendingCertificateKey(lineage, 'order-1', second)).resolves.toBe(first);
      await expect(store.keys.getPendingCertificateKey(lineage, 'order-1')).resolves.toBe(first);
    });

    it('serves the promoted key once its version is served, and drops the pending one', async () => {
      const k = await key();
      await store.keys.putPendingCertificateKey(lineage, 'order-1', k);
      await storeCertificate('order-1', 1);

      await expect(store.keys.getCurrentCertificateKey(lineage)).resolves.toBe(k);
      await expect(store.keys.getPendingCertificateKey(lineage, 'order-1')).resolves.toBeUndefined();
      if (store.keys.getCertificateKey) await expect(store.keys.getCertificateKey(lineage, 1)).resolves.toBe(k);
    });

    it('renews: the old key is served until the new version is promoted, then the new one', async () => {
      const [k1, k2] = [await key(), await key()];
      await store.keys.putPendingCertificateKey(lineage, 'order-1', k1);
      await storeCertificate('order-1', 1);
      await store.keys.putPendingCertificateKey(lineage, 'order-2', k2);

      await expect(store.keys.getCurrentCertificateKey(lineage)).resolves.toBe(k1);
      await storeCertificate('order-2', 2);

      await expect(store.keys.getCurrentCertificateKey(lineage)).resolves.toBe(k2);
      if (store.keys.getCertificateKey) await expect(store.keys.getCertificateKey(lineage, 1)).resolves.toBe(k1);
    });

    it('is idempotent: promoting again, and a late retry of an older promotion, change nothing', async () => {
      const [k1, k2] = [await key(), await key()];
      await store.keys.putPendingCertificateKey(lineage, 'order-1', k1);
      await storeCertificate('order-1', 1);
      await store.keys.promoteCertificateKey(lineage, 'order-1', 1, 'fullchain of 1');
      await expect(store.keys.getCurrentCertificateKey(lineage)).resolves.toBe(k1);

      await store.keys.putPendingCertificateKey(lineage, 'order-2', k2);
      await storeCertificate('order-2', 2);
      await store.keys.promoteCertificateKey(lineage, 'order-1', 1, 'fullchain of 1');

      await expect(store.keys.getCurrentCertificateKey(lineage)).resolves.toBe(k2);
    });

    it('refuses another key promoted as a version that has one: VersionConflictError', async () => {
      await store.keys.putPendingCertificateKey(lineage, 'order-1', await key());
      await storeCertificate('order-1', 1);
      await store.keys.putPendingCertificateKey(lineage, 'order-3', await key());

      await expect(store.keys.promoteCertificateKey(lineage, 'order-3', 1, 'another fullchain')).rejects.toMatchObject({ name: 'VersionConflictError' });
    });

    it('throws KeyNotFoundError when there is no pending key to promote', async () => {
      await store.putVersion(lineage, 1);
      await expect(store.keys.promoteCertificateKey(lineage, 'order-1', 1, 'fullchain')).rejects.toMatchObject({ name: 'KeyNotFoundError' });
    });

    it('discards a pending key; discarding an unknown one is a no-op', async () => {
      await store.keys.putPendingCertificateKey(lineage, 'order-1', await key());
      await store.keys.discardPendingCertificateKey(lineage, 'order-1');
      await store.keys.discardPendingCertificateKey(lineage, 'order-1');
      await store.keys.discardPendingCertificateKey(lineage, 'never');

      await expect(store.keys.getPendingCertificateKey(lineage, 'order-1')).resolves.toBeUndefined();
    });

    it('refuses a lineage name that would leave its own place, without writing', async () => {
      await expect(store.keys.putPendingCertificateKey('../escape', 'order-1', await key())).rejects.toThrow(/is not a (valid certificate|lineage) name/);
    });
  });
}
