import type { CertificateVersion, Lineage } from './lineage.js';

/**
 * Where lineages and certificate versions live (S3 in AWS, certbot's directory layout locally).
 *
 * Rules every adapter keeps:
 * - `getLineage` of an unknown name resolves `undefined` (it does not throw).
 * - `putLineage` replaces the lineage atomically (a reader sees the old or the new, never a mix).
 *   With `expectedEtag` it fails with `LineageConflictError` if the stored lineage changed since.
 * - `putVersion` is write-once: writing the same version again with the same certificate is a
 *   no-op (so a retried step converges); with a different certificate it throws
 *   `VersionConflictError`. A version is complete (cert, chain, fullchain, meta) before it is visible.
 * - `promoteVersion` points `live/` at a complete version; until then `live/` serves the old one.
 * - `listLineages` pages through names in a stable order; `cursor` comes from the previous page.
 */
export interface CertificateStore {
  getLineage(name: string): Promise<StoredLineage | undefined>;
  putLineage(lineage: Lineage, options?: { expectedEtag?: string | null }): Promise<{ etag: string }>;
  deleteLineage?(name: string): Promise<void>;
  listLineages(options?: { cursor?: string; limit?: number }): Promise<{ names: string[]; cursor?: string }>;
  putVersion(version: CertificateVersion): Promise<void>;
  getVersion(name: string, version: number): Promise<CertificateVersion | undefined>;
  /** The highest archive version number present, complete or not (0 when none). */
  latestVersion(name: string): Promise<number>;
  promoteVersion(name: string, version: number): Promise<void>;
  /** The version `live/` serves, if any. */
  getLive(name: string): Promise<CertificateVersion | undefined>;
}

/** A lineage with the store's change tag, for optimistic concurrency. `etag` null means "must not exist". */
export interface StoredLineage {
  readonly lineage: Lineage;
  readonly etag: string;
}
