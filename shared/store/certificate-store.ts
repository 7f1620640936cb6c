import type { CertificateVersion, Lineage } from './lineage.js';

/**
 * Where lineages and certificate versions live (S3 in AWS, certbot's directory layout locally).
 *
 * Rules every adapter keeps:
 * - `getLineage` of an unknown name resolves `undefined` (it does not throw); a lineage that exists
 *   but cannot be read (damaged, not acmeflow's) throws `LineageUnreadableError` or a subclass,
 *   never a bare `StoreError`, so a sweep can skip that one and renew the rest.
 * - `putLineage` replaces the lineage atomically (a reader sees the old or the new, never a mix).
 *   With `expectedEtag` it fails with `LineageConflictError` if the stored lineage changed since.
 * - `putVersion` is write-once: writing the same version again with the same certificate is a
 *   no-op (so a retried step converges); with a different certificate it throws
 *   `VersionConflictError`. A version is complete (cert, chain, fullchain, meta) before it is visible.
 * - `promoteVersion` points `live/` at a complete version; until then `live/` serves the old one.
 *   Callers promote the version's key first (`KeyStore.promoteCertificateKey`). No adapter can
 *   switch several objects or links in one atomic step; what each promises:
 *   - filesystem: all four links (`cert`, `privkey`, `chain`, `fullchain`) switch in four renames
 *     back to back, journaled with certbot's `previous_*.pem` links. The served key matches the
 *     served certificate except inside that swap (microseconds, unless the process is preempted
 *     in it); a crash inside it leaves the journal, and the next promotion (or any certbot command
 *     loading the lineage) restores the old pair, while `getLive` and `getCurrentCertificateKey`
 *     answer the old pair already.
 *   - S3: `cert.pem`, `chain.pem`, `fullchain.pem` are rewritten, then `version.json`; `getLive`
 *     follows `version.json` into the immutable archive, so it always answers one whole version,
 *     while a reader of the `live/*.pem` objects may see two versions until `version.json` lands.
 *     The key is not in S3 (see `KeyStore` for the pair with Secrets Manager).
 * - `listLineages` pages through names in a stable order; `cursor` comes from the previous page.
 * - `listLineageEtags` (optional: stores that can list change tags as cheaply as names) pages like
 *   `listLineages` and gives each lineage's current etag, the same value `getLineage` returns for
 *   that content: an unchanged etag means an unchanged lineage. The sweep's planning index relies on
 *   it; a store without it is always read lineage by lineage.
 */
export interface CertificateStore {
  getLineage(name: string): Promise<StoredLineage | undefined>;
  putLineage(lineage: Lineage, options?: { expectedEtag?: string | null }): Promise<{ etag: string }>;
  deleteLineage?(name: string): Promise<void>;
  listLineages(options?: { cursor?: string; limit?: number }): Promise<{ names: string[]; cursor?: string }>;
  listLineageEtags?(options?: { cursor?: string; limit?: number }): Promise<LineageEtagPage>;
  putVersion(version: CertificateVersion): Promise<void>;
  getVersion(name: string, version: number): Promise<CertificateVersion | undefined>;
  /** The highest archive version number present, complete or not (0 when none). */
  latestVersion(name: string): Promise<number>;
  promoteVersion(name: string, version: number): Promise<void>;
  /** The version `live/` serves, if any. */
  getLive(name: string): Promise<CertificateVersion | undefined>;
}

/** One page of `listLineageEtags`. */
export interface LineageEtagPage {
  readonly lineages: { readonly name: string; readonly etag: string }[];
  readonly cursor?: string;
}

/** A lineage with the store's change tag, for optimistic concurrency. `etag` null means "must not exist". */
export interface StoredLineage {
  readonly lineage: Lineage;
  readonly etag: string;
}
