/**
 * Where private keys live: Secrets Manager (KMS-encrypted) in AWS, mode-0600 files locally.
 * Keys never enter Step Functions state, events, logs or S3.
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
 */
export interface KeyStore {
  putPendingCertificateKey(lineage: string, token: string, privateKeyPem: string): Promise<string>;
  getPendingCertificateKey(lineage: string, token: string): Promise<string | undefined>;
  /** Makes the pending key current for `version`, stored with its certificate chain. */
  promoteCertificateKey(lineage: string, token: string, version: number, fullchainPem: string): Promise<void>;
  discardPendingCertificateKey(lineage: string, token: string): Promise<void>;
  getCurrentCertificateKey(lineage: string): Promise<string | undefined>;
  /** Account keys by account id (a slug of the directory URL and account name). */
  getAccountKey(accountId: string): Promise<StoredAccountKey | undefined>;
  putAccountKey(accountId: string, key: StoredAccountKey): Promise<void>;
}

export interface StoredAccountKey {
  readonly privateKeyPem: string;
  /** The account URL, once registered. */
  readonly accountUrl?: string;
  readonly directoryUrl: string;
}
