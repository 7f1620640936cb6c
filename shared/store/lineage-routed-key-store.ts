import type { KeyStoreKind } from '../config/key-stores.js';
import { KeyNotFoundError, StoreError } from './errors.js';
import type { CertificateKeyStore, KeyStore, StoredAccountKey } from './key-store.js';

/** Options of {@link LineageRoutedKeyStore}. */
export interface LineageRoutedKeyStoreOptions {
  /** The certificate keys of lineages whose `keyStore` is `'s3'`. */
  readonly s3: CertificateKeyStore;
  /** The certificate keys of lineages whose `keyStore` is `'secretsManager'`, and every account key. */
  readonly secretsManager: KeyStore;
  /** Which store a lineage uses: its spec's `keyStore`, else the issuer's default. */
  readonly keyStoreOf: (lineage: string) => Promise<KeyStoreKind>;
}

/**
 * The {@link KeyStore} of an issuer whose lineages keep their certificate keys in different places:
 * each call goes to the store the lineage's spec names; account keys, few and read by every order,
 * stay in Secrets Manager.
 *
 * A lineage moved from one store to the other (its spec's `keyStore` changed) keeps working: a
 * pending key is looked for in both stores (an order started before the move promotes the key it
 * signed its CSR with), and the current key is answered from the other store until the first
 * renewal in the new one, so `reuseKey` and revocation still find it.
 *
 * @example
 * ```ts
 * const keys = new LineageRoutedKeyStore({ s3: s3Keys, secretsManager: secretKeys,
 *   keyStoreOf: async (name) => (await store.getLineage(name))?.lineage.spec.keyStore ?? 's3' });
 * ```
 */
export class LineageRoutedKeyStore implements KeyStore {
  readonly #stores: Readonly<Record<KeyStoreKind, CertificateKeyStore>>;
  readonly #accounts: KeyStore;
  readonly #keyStoreOf: (lineage: string) => Promise<KeyStoreKind>;

  constructor(options: LineageRoutedKeyStoreOptions) {
    this.#stores = { s3: options.s3, secretsManager: options.secretsManager };
    this.#accounts = options.secretsManager;
    this.#keyStoreOf = options.keyStoreOf;
  }

  async putPendingCertificateKey(lineage: string, token: string, privateKeyPem: string): Promise<string> {
    const [chosen, other] = await this.#route(lineage);
    // The key a retried FinalizeOrder offered before the lineage moved stays the order's key.
    const elsewhere = await other.getPendingCertificateKey(lineage, token);
    return elsewhere ?? chosen.putPendingCertificateKey(lineage, token, privateKeyPem);
  }

  async getPendingCertificateKey(lineage: string, token: string): Promise<string | undefined> {
    const [chosen, other] = await this.#route(lineage);
    return (await chosen.getPendingCertificateKey(lineage, token)) ?? other.getPendingCertificateKey(lineage, token);
  }

  async promoteCertificateKey(lineage: string, token: string, version: number, fullchainPem: string): Promise<void> {
    const [chosen, other] = await this.#route(lineage);
    const holder = (await other.getPendingCertificateKey(lineage, token)) === undefined ? chosen : other;
    try {
      await holder.promoteCertificateKey(lineage, token, version, fullchainPem);
    } catch (error) {
      if (!(error instanceof KeyNotFoundError) || holder === other) throw error;
      // No pending key in either store: an attempt before the move may have promoted it in the other
      // one, where a retry is a no-op. If it did not, the original error stands.
      if ((await other.getCertificateKey?.(lineage, version)) === undefined && (await other.getCurrentCertificateKey(lineage)) === undefined) throw error;
      await other.promoteCertificateKey(lineage, token, version, fullchainPem);
    }
  }

  async discardPendingCertificateKey(lineage: string, token: string): Promise<void> {
    const [chosen, other] = await this.#route(lineage);
    await chosen.discardPendingCertificateKey(lineage, token);
    await other.discardPendingCertificateKey(lineage, token);
  }

  async getCurrentCertificateKey(lineage: string): Promise<string | undefined> {
    const [chosen, other] = await this.#route(lineage);
    return (await chosen.getCurrentCertificateKey(lineage)) ?? other.getCurrentCertificateKey(lineage);
  }

  async getCertificateKey(lineage: string, version: number): Promise<string | undefined> {
    const [chosen, other] = await this.#route(lineage);
    return (await chosen.getCertificateKey?.(lineage, version)) ?? other.getCertificateKey?.(lineage, version);
  }

  async removeMovedCertificateKeys(lineage: string, from: KeyStoreKind): Promise<void> {
    const [chosen] = await this.#route(lineage);
    if ((await this.#keyStoreOf(lineage)) === from) throw new StoreError(`"${lineage}" keeps its keys in ${from}; they are not a moved lineage's old copies.`);
    // The last copy of the served key is never the one removed.
    if ((await chosen.getCurrentCertificateKey(lineage)) === undefined) throw new StoreError(`"${lineage}" has no current key in the store it uses; its copies in ${from} stay.`);
    await this.#stores[from].removeCertificateKeys?.(lineage);
  }

  getAccountKey(accountId: string): Promise<StoredAccountKey | undefined> {
    return this.#accounts.getAccountKey(accountId);
  }

  putAccountKey(accountId: string, key: StoredAccountKey): Promise<void> {
    return this.#accounts.putAccountKey(accountId, key);
  }

  /** The lineage's store and the other one. */
  async #route(lineage: string): Promise<[CertificateKeyStore, CertificateKeyStore]> {
    const kind = await this.#keyStoreOf(lineage);
    return kind === 's3' ? [this.#stores.s3, this.#stores.secretsManager] : [this.#stores.secretsManager, this.#stores.s3];
  }
}
