import type { KeyStoreKind } from '../config/key-stores.js';

/**
 * Where private keys live: in AWS, S3 objects under `keys/` (SSE-KMS with the lineage as encryption
 * context; the default, no per-object price) or one Secrets Manager secret per lineage, chosen per
 * lineage by its spec's `keyStore`; account keys always in Secrets Manager. Locally, mode-0600 files.
 * Keys never enter Step Functions state, events, logs or S3 outside `keys/`.
 *
 * Certificate keys follow Secrets Manager's staging labels: FinalizeOrder stores the new key as a
 * **pending** version named by a token (derived from the order URL); StoreCertificate **promotes**
 * it to current together with the chain, and the former current becomes previous.
 *
 * Rules every adapter keeps:
 * - `putPendingCertificateKey` with a token that already holds a key keeps the stored key and
 *   returns it (a retried FinalizeOrder must sign its CSR with the same key the CA may have seen).
 * - `promoteCertificateKey` is idempotent: promoting the version that is already current is a no-op.
 * - `discardPendingCertificateKey` of an unknown token is a no-op.
 * - getters resolve `undefined` when there is nothing (they do not throw).
 *
 * Promotion, and the key/certificate pair readers see (StoreCertificate calls
 * `promoteCertificateKey` after `CertificateStore.putVersion` and before `promoteVersion`):
 * - Filesystem (certbot's layout): `promoteCertificateKey` only writes `archive/<name>/privkey<N>.pem`;
 *   `live/privkey.pem` switches with `cert`, `chain` and `fullchain` in the certificate store's
 *   `promoteVersion` (see there for what a crash inside that switch leaves), and
 *   `getCurrentCertificateKey` answers the key `live/` serves. The pair in `live/` matches except
 *   inside that switch.
 * - Secrets Manager + S3: the secret's current value holds the key *and* its `fullchainPem` and
 *   version, moved together by one `UpdateSecretVersionStage`, so the secret alone is always a
 *   matching pair (the SSM deploy hook writes servers' files from it). S3 `live/` follows in
 *   `promoteVersion`; between the two calls — and, after a crash there, until the next run finishes
 *   the version — S3 `live/` serves the previous certificate while the secret holds the new key.
 *   Readers that pair them (the ACM deploy hook) check the match and fail, to be delivered again;
 *   the deploy events are sent only after both moved.
 * - S3 (`keys/<name>/<n>/privkey.pem`, write-once per version): like the filesystem,
 *   `promoteCertificateKey` only writes the version's key, and `getCurrentCertificateKey` answers the
 *   key of the version `live/<name>/version.json` names, so key and certificate switch together in
 *   the certificate store's `promoteVersion` and a reader following the pointer always gets a pair.
 */
export interface KeyStore extends CertificateKeyStore {
  /** Account keys by account id (a slug of the directory URL and account name). */
  getAccountKey(accountId: string): Promise<StoredAccountKey | undefined>;
  putAccountKey(accountId: string, key: StoredAccountKey): Promise<void>;
  /**
   * Removes the certificate keys a lineage left in `from` when it moved to the other store
   * (`shared/store/key-store-move.ts`). Refuses (`StoreError`) when the lineage uses `from` now.
   * Optional: only a store that routes lineages between places (`LineageRoutedKeyStore`) has it.
   */
  removeMovedCertificateKeys?(lineage: string, from: KeyStoreKind): Promise<void>;
}

/**
 * The certificate-key half of {@link KeyStore}, with the same rules: what a store that keeps only
 * certificate keys (`S3KeyStore`) implements.
 */
export interface CertificateKeyStore {
  putPendingCertificateKey(lineage: string, token: string, privateKeyPem: string): Promise<string>;
  getPendingCertificateKey(lineage: string, token: string): Promise<string | undefined>;
  /** Stores the pending key as `version`'s key (with its certificate chain where the adapter keeps it) and drops the pending one; see above for when it is served. */
  promoteCertificateKey(lineage: string, token: string, version: number, fullchainPem: string): Promise<void>;
  discardPendingCertificateKey(lineage: string, token: string): Promise<void>;
  getCurrentCertificateKey(lineage: string): Promise<string | undefined>;
  /**
   * The key promoted for `version`, served or not (filesystem: `archive/<name>/privkey<N>.pem`);
   * undefined when there is none. Optional: a store whose promotion makes the key current at once
   * (Secrets Manager) has no gap between the two for a retried StoreCertificate to fall into.
   */
  getCertificateKey?(lineage: string, version: number): Promise<string | undefined>;
  /**
   * Removes the lineage's promoted certificate keys from this store (pending keys of orders in flight
   * stay): what a lineage moved to the other store leaves behind. Idempotent; nothing there is fine.
   * Optional: only the AWS stores, between which a lineage moves, have it.
   */
  removeCertificateKeys?(lineage: string): Promise<void>;
}

export interface StoredAccountKey {
  readonly privateKeyPem: string;
  /** The account URL, once registered. */
  readonly accountUrl?: string;
  readonly directoryUrl: string;
}
