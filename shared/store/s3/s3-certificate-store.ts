import type { CertificateStore, LineageEtagPage, StoredLineage } from '../certificate-store.js';
import { LineageConflictError, LineageUnreadableError, StoreError, VersionConflictError } from '../errors.js';
import type { CertificateVersion, Lineage, VersionMeta } from '../lineage.js';
import { BucketObjects } from './bucket-objects.js';
import { assertLineageName, assertVersionNumber } from './lineage-name.js';
import { assertNoPrivateKey } from './no-private-key.js';
import { lineageNameOfRenewalKey, s3ObjectKeys, versionOfArchivePrefix } from './object-keys.js';
import { isConditionalConflict, isNoSuchKey, isPreconditionFailed } from './s3-error-kind.js';
import type { S3StoreOptions } from './s3-store-options.js';

/** Options of {@link S3CertificateStore}. */
export interface S3CertificateStoreOptions extends S3StoreOptions {
  /** Names per `listLineages` page when the call gives no `limit` (S3 returns at most 1000). @default 1000 */
  readonly pageSize?: number;
}

/** `live/<name>/version.json`: which archive version `live/` serves. */
interface LivePointer {
  readonly lineage: string;
  readonly version: number;
  readonly serialHex: string;
  readonly notAfter: string;
}

const PEM = 'application/x-pem-file';
const JSON_TYPE = 'application/json';
const MAX_KEYS = 1000;

function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function parseJson(key: string, body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    throw new StoreError(`${key} is not JSON; it was not written by acmeflow or was damaged.`, { cause: error });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The {@link CertificateStore} on Amazon S3, in certbot's layout (see `object-keys.ts`).
 *
 * - Lineages: `renewal/<name>.json`, replaced whole by one PutObject (S3 writes are atomic per
 *   object); `expectedEtag` becomes `If-Match` (or `If-None-Match: *` for null), and a 412 becomes
 *   {@link LineageConflictError}.
 * - Versions are write-once: every archive object is written with `If-None-Match: *`, `cert.pem`
 *   first and `meta.json` last, so a version is complete exactly when `meta.json` exists. A 412 means
 *   the object is there already: it is read back, and the same content is accepted (a retried step
 *   converges) while other content is a {@link VersionConflictError}. Before writing, `putVersion`
 *   reads `meta.json`: a complete version is compared, never rewritten, which also keeps versions
 *   write-once on S3-compatible servers that ignore conditional headers.
 * - `promoteVersion` copies a complete version to `live/` and writes `live/<name>/version.json`
 *   last. `getLive` follows that pointer into the (immutable) archive, so it never sees a mix of
 *   two versions even while `live/` is being rewritten.
 * - `listLineages` pages with ListObjectsV2 over `renewal/` (key order); the cursor is S3's
 *   continuation token. `listLineageEtags` is the same listing with each object's ETag, which is
 *   the ETag `getLineage` reads (one object version, one ETag), so no GetObject is needed to see
 *   that a lineage has not changed.
 * - Every write carries `ServerSideEncryption: 'aws:kms'` and `SSEKMSKeyId` when `kmsKeyId` is set,
 *   and refuses a body holding a PEM private key.
 *
 * Errors other than the mapped ones are the SDK's own (`AccessDenied`, `NoSuchBucket`, `SlowDown`).
 *
 * @example
 * ```ts
 * const store = new S3CertificateStore({ bucket: 'acmeflow-certificates-123456789012', kmsKeyId: 'alias/acmeflow' });
 * const stored = await store.getLineage('example.com');
 * await store.putLineage(next, { expectedEtag: stored?.etag ?? null });
 * await store.putVersion(version);
 * await store.promoteVersion('example.com', version.version);
 * ```
 */
export class S3CertificateStore implements CertificateStore {
  readonly #objects: BucketObjects;
  readonly #pageSize: number;

  constructor(options: S3CertificateStoreOptions) {
    this.#objects = new BucketObjects(options);
    this.#pageSize = Math.min(Math.max(Math.trunc(options.pageSize ?? MAX_KEYS), 1), MAX_KEYS);
  }

  async getLineage(name: string): Promise<StoredLineage | undefined> {
    assertLineageName(name);
    const key = s3ObjectKeys.renewal(name);
    const object = await this.#objects.get(key);
    if (object === undefined) return undefined;
    let value: unknown;
    try {
      value = parseJson(key, object.body);
    } catch (error) {
      throw new LineageUnreadableError((error as Error).message, { cause: error });
    }
    if (!isObject(value) || !isObject(value.spec) || !isObject(value.state) || value.spec.name !== name) {
      throw new LineageUnreadableError(`${key} does not hold the lineage "${name}" (a spec named "${name}" and a state); it was not written by acmeflow or was damaged.`);
    }
    return { lineage: value as unknown as Lineage, etag: object.etag };
  }

  async putLineage(lineage: Lineage, options: { expectedEtag?: string | null } = {}): Promise<{ etag: string }> {
    const name = lineage.spec.name;
    assertLineageName(name);
    const { expectedEtag } = options;
    const condition = expectedEtag === undefined ? undefined : expectedEtag === null ? ({ ifNoneMatch: '*' } as const) : { ifMatch: expectedEtag };
    try {
      return { etag: await this.#objects.put(s3ObjectKeys.renewal(name), toJson(lineage), JSON_TYPE, condition) };
    } catch (error) {
      // 412: changed (or created) since it was read; 404 on If-Match: deleted since; 409: a concurrent
      // write was still settling. Each means "reread and try again".
      if (condition !== undefined && (isPreconditionFailed(error) || isNoSuchKey(error) || isConditionalConflict(error))) {
        throw new LineageConflictError(name);
      }
      throw error;
    }
  }

  /**
   * Deletes `renewal/<name>.json` (the sweep stops seeing the lineage) and then `live/<name>/`.
   * The archive stays: versions are write-once history, and `latestVersion` keeps counting them so a
   * lineage created again under the same name never reuses a version number.
   */
  async deleteLineage(name: string): Promise<void> {
    assertLineageName(name);
    await this.#objects.delete(s3ObjectKeys.renewal(name));
    const live = s3ObjectKeys.live(name);
    // The pointer first, so getLive stops answering before the files go. One at a time: deleting is
    // rare, and S3-compatible servers that keep objects as files (s3rver) race when pruning the
    // directory of concurrent deletes.
    for (const key of [live.version, live.cert, live.chain, live.fullchain]) await this.#objects.delete(key);
  }

  async listLineages(options: { cursor?: string; limit?: number } = {}): Promise<{ names: string[]; cursor?: string }> {
    const page = await this.listLineageEtags(options);
    const names = page.lineages.map((lineage) => lineage.name);
    return page.cursor === undefined ? { names } : { names, cursor: page.cursor };
  }

  async listLineageEtags(options: { cursor?: string; limit?: number } = {}): Promise<LineageEtagPage> {
    const limit = options.limit === undefined ? this.#pageSize : Math.min(Math.max(Math.trunc(options.limit), 1), MAX_KEYS);
    const page = await this.#objects.list({
      prefix: s3ObjectKeys.renewalPrefix,
      maxKeys: limit,
      ...(options.cursor === undefined ? {} : { continuationToken: options.cursor }),
    });
    const lineages = (page.Contents ?? []).flatMap((object) => {
      const name = object.Key === undefined ? undefined : lineageNameOfRenewalKey(object.Key);
      // ListObjectsV2 gives the same ETag a GetObject of that object version answers with.
      return name === undefined ? [] : [{ name, etag: object.ETag ?? '' }];
    });
    return page.IsTruncated && page.NextContinuationToken !== undefined ? { lineages, cursor: page.NextContinuationToken } : { lineages };
  }

  async putVersion(version: CertificateVersion): Promise<void> {
    const { lineage: name, version: n } = version;
    assertLineageName(name);
    assertVersionNumber(name, n);
    if (version.meta.serialHex === '') throw new StoreError(`Version ${n} of "${name}" has no serial number in its meta.`);
    const keys = s3ObjectKeys.archive(name, n);
    const metaBody = toJson(version.meta);
    // Checked before anything is written, so a misplaced key never leaves a partial version behind.
    assertNoPrivateKey(keys.cert, version.certPem);
    assertNoPrivateKey(keys.chain, version.chainPem);
    assertNoPrivateKey(keys.fullchain, version.fullchainPem);
    assertNoPrivateKey(keys.meta, metaBody);

    const existingMeta = await this.#objects.get(keys.meta);
    if (existingMeta !== undefined) {
      await this.#assertSameVersion(version, existingMeta.body);
      return;
    }

    // cert.pem alone first: if the version belongs to another certificate, nothing of ours is added to it.
    await this.#writeOnce(version, keys.cert, version.certPem, PEM);
    await Promise.all([
      this.#writeOnce(version, keys.chain, version.chainPem, PEM),
      this.#writeOnce(version, keys.fullchain, version.fullchainPem, PEM),
    ]);
    await this.#writeOnce(version, keys.meta, metaBody, JSON_TYPE);
  }

  async getVersion(name: string, version: number): Promise<CertificateVersion | undefined> {
    assertLineageName(name);
    assertVersionNumber(name, version);
    const keys = s3ObjectKeys.archive(name, version);
    const meta = await this.#objects.get(keys.meta);
    // Without meta.json the version is incomplete, and incomplete versions are invisible.
    if (meta === undefined) return undefined;
    const [cert, chain, fullchain] = await Promise.all([keys.cert, keys.chain, keys.fullchain].map((key) => this.#objects.get(key)));
    if (cert === undefined || chain === undefined || fullchain === undefined) {
      throw new StoreError(`Version ${version} of "${name}" has meta.json but lacks a PEM file; the archive was changed outside acmeflow.`);
    }
    return {
      lineage: name,
      version,
      certPem: cert.body,
      chainPem: chain.body,
      fullchainPem: fullchain.body,
      meta: this.#parseMeta(keys.meta, meta.body),
    };
  }

  async latestVersion(name: string): Promise<number> {
    assertLineageName(name);
    let latest = 0;
    let continuationToken: string | undefined;
    // Prefixes sort as text ("10/" before "9/"), so every page is read.
    do {
      const page = await this.#objects.list({
        prefix: s3ObjectKeys.archivePrefix(name),
        delimiter: '/',
        ...(continuationToken === undefined ? {} : { continuationToken }),
      });
      for (const { Prefix } of page.CommonPrefixes ?? []) {
        const n = Prefix === undefined ? undefined : versionOfArchivePrefix(name, Prefix);
        if (n !== undefined && n > latest) latest = n;
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
    return latest;
  }

  async promoteVersion(name: string, version: number): Promise<void> {
    const complete = await this.getVersion(name, version);
    if (complete === undefined) {
      throw new StoreError(`Version ${version} of "${name}" is not complete in the archive (no meta.json); store it before promoting it.`);
    }
    const live = s3ObjectKeys.live(name);
    const current = await this.#readLivePointer(name);
    // version.json is written after the files, so a pointer at this version means the files are in place.
    if (current?.version === version) return;
    await Promise.all([
      this.#objects.put(live.cert, complete.certPem, PEM),
      this.#objects.put(live.chain, complete.chainPem, PEM),
      this.#objects.put(live.fullchain, complete.fullchainPem, PEM),
    ]);
    const pointer: LivePointer = { lineage: name, version, serialHex: complete.meta.serialHex, notAfter: complete.meta.notAfter };
    await this.#objects.put(live.version, toJson(pointer), JSON_TYPE);
  }

  async getLive(name: string): Promise<CertificateVersion | undefined> {
    assertLineageName(name);
    const pointer = await this.#readLivePointer(name);
    if (pointer === undefined) return undefined;
    const version = await this.getVersion(name, pointer.version);
    if (version === undefined) {
      throw new StoreError(`live/${name}/version.json points at version ${pointer.version}, which is not complete in the archive.`);
    }
    return version;
  }

  async #readLivePointer(name: string): Promise<LivePointer | undefined> {
    const key = s3ObjectKeys.live(name).version;
    const object = await this.#objects.get(key);
    if (object === undefined) return undefined;
    const value = parseJson(key, object.body);
    if (!isObject(value) || typeof value.version !== 'number' || !Number.isSafeInteger(value.version) || value.version < 1) {
      throw new StoreError(`${key} does not name a version; it was not written by acmeflow or was damaged.`);
    }
    return value as unknown as LivePointer;
  }

  #parseMeta(key: string, body: string): VersionMeta {
    const value = parseJson(key, body);
    if (!isObject(value) || typeof value.serialHex !== 'string' || !Array.isArray(value.domains)) {
      throw new StoreError(`${key} is not a version's meta (serialHex, domains, ...); it was not written by acmeflow or was damaged.`);
    }
    return value as unknown as VersionMeta;
  }

  /**
   * Writes one archive object with `If-None-Match: *`. A 412 means it exists: same content is fine,
   * other content a conflict. `meta.json` compares by serial only: it records when the version was
   * stored, which differs between a first attempt and its retry, and the first record stands.
   */
  async #writeOnce(version: CertificateVersion, key: string, body: string, contentType: string): Promise<void> {
    try {
      await this.#objects.put(key, body, contentType, { ifNoneMatch: '*' });
      return;
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
    }
    const stored = await this.#objects.get(key);
    if (stored === undefined) {
      throw new StoreError(`${key} existed a moment ago and is gone now; archive objects are never deleted by acmeflow, so something else is changing the archive.`);
    }
    const same = key.endsWith('/meta.json') ? this.#parseMeta(key, stored.body).serialHex === version.meta.serialHex : stored.body === body;
    if (!same) throw new VersionConflictError(version.lineage, version.version);
  }

  /** A complete version is accepted when it holds exactly these PEM files and the same serial. */
  async #assertSameVersion(version: CertificateVersion, storedMetaBody: string): Promise<void> {
    const keys = s3ObjectKeys.archive(version.lineage, version.version);
    const meta = this.#parseMeta(keys.meta, storedMetaBody);
    if (meta.serialHex !== version.meta.serialHex) throw new VersionConflictError(version.lineage, version.version);
    const [cert, chain, fullchain] = await Promise.all([keys.cert, keys.chain, keys.fullchain].map((key) => this.#objects.get(key)));
    if (cert?.body !== version.certPem || chain?.body !== version.chainPem || fullchain?.body !== version.fullchainPem) {
      throw new VersionConflictError(version.lineage, version.version);
    }
  }
}
