import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { KeyNotFoundError, StoreError, VersionConflictError } from '../errors.js';
import type { CertificateKeyStore } from '../key-store.js';
import { assertLineageName, assertVersionNumber } from './lineage-name.js';
import { s3ObjectKeys } from './object-keys.js';
import { isNoSuchKey, isPreconditionFailed } from './s3-error-kind.js';

/** Options of {@link S3KeyStore}. */
export interface S3KeyStoreOptions {
  /** The certificate bucket: keys go under `keys/`, the current version is read from `live/<name>/version.json`. */
  readonly bucket: string;
  /** A ready S3 client. @default new S3Client({}): region and credentials from the environment */
  readonly client?: S3Client;
  /** KMS key (id, ARN or alias ARN) of the SSE-KMS encryption. @default the account's `aws/s3` key */
  readonly kmsKeyId?: string;
}

/** The encryption context key naming the lineage; the key policy and IAM conditions test it. */
export const LINEAGE_ENCRYPTION_CONTEXT_KEY = 'acmeflow:lineage';

const PEM = 'application/x-pem-file';

/**
 * The certificate half of the {@link KeyStore} on S3: one object per key, no per-object price
 * (Secrets Manager charges per secret and month).
 *
 * ```
 * keys/<name>/pending/<sha256(token)>.pem   the key of an order in flight
 * keys/<name>/<n>/privkey.pem               the key of certificate version n, write-once
 * ```
 *
 * - Every write is SSE-KMS with the encryption context `{ "acmeflow:lineage": name }` and without an
 *   S3 Bucket Key (a Bucket Key replaces the per-object context with the bucket's), so KMS decrypts a
 *   key only for a principal the key policy allows for that lineage, and CloudTrail names it.
 * - `putPendingCertificateKey` reads first, then writes with `If-None-Match: *` and reads back: a
 *   retried FinalizeOrder gets the key stored first, even on S3-compatible servers that ignore the
 *   condition (the read-back makes racers agree on the last write).
 * - `promoteCertificateKey` copies the pending key to `keys/<name>/<n>/privkey.pem` (write-once:
 *   another key there is a {@link VersionConflictError}) and deletes the pending object. The key is
 *   served when the certificate store's `promoteVersion` writes `live/<name>/version.json`:
 *   `getCurrentCertificateKey` follows that pointer, so key and certificate switch together.
 * - Getters answer undefined when the object is missing; other SDK errors (`AccessDenied`,
 *   `KMS.AccessDeniedException`) pass through with their names. No message or object key holds a key.
 *
 * @example
 * ```ts
 * const keys = new S3KeyStore({ bucket: 'certs', kmsKeyId: keyArn });
 * const keyPem = await keys.putPendingCertificateKey('example.com', orderToken, generatedPem);
 * await keys.promoteCertificateKey('example.com', orderToken, 3, fullchainPem);
 * ```
 */
export class S3KeyStore implements CertificateKeyStore {
  readonly #bucket: string;
  readonly #client: S3Client;
  readonly #kmsKeyId: string | undefined;

  constructor(options: S3KeyStoreOptions) {
    this.#bucket = options.bucket;
    this.#client = options.client ?? new S3Client({});
    this.#kmsKeyId = options.kmsKeyId;
  }

  async putPendingCertificateKey(lineage: string, token: string, privateKeyPem: string): Promise<string> {
    const key = pendingKey(lineage, token);
    const stored = await this.#read(key);
    if (stored !== undefined) return stored;
    const written = await this.#writeOnce(lineage, key, privateKeyPem);
    if (!written) {
      const winner = await this.#read(key);
      if (winner === undefined) throw new StoreError(`The pending key ${key} exists and cannot be read.`);
      return winner;
    }
    return (await this.#read(key)) ?? privateKeyPem;
  }

  async getPendingCertificateKey(lineage: string, token: string): Promise<string | undefined> {
    return this.#read(pendingKey(lineage, token));
  }

  async promoteCertificateKey(lineage: string, token: string, version: number, _fullchainPem: string): Promise<void> {
    assertVersionNumber(lineage, version);
    const pending = pendingKey(lineage, token);
    const final = s3ObjectKeys.certificateKey(lineage, version);
    const [pendingPem, promotedPem] = await Promise.all([this.#read(pending), this.#read(final)]);
    if (promotedPem === undefined) {
      if (pendingPem === undefined) throw new KeyNotFoundError(`The pending certificate key of "${lineage}" for this order (${pending})`);
      const written = await this.#writeOnce(lineage, final, pendingPem);
      if (!written && (await this.#read(final)) !== pendingPem) throw new VersionConflictError(lineage, version);
    } else if (pendingPem !== undefined && pendingPem !== promotedPem) {
      throw new VersionConflictError(lineage, version);
    }
    // Promoted already (a retry), or just now: the pending copy has done its job.
    await this.#delete(pending);
  }

  async discardPendingCertificateKey(lineage: string, token: string): Promise<void> {
    await this.#delete(pendingKey(lineage, token));
  }

  async getCurrentCertificateKey(lineage: string): Promise<string | undefined> {
    assertLineageName(lineage);
    const pointer = await this.#read(s3ObjectKeys.live(lineage).version);
    if (pointer === undefined) return undefined;
    return this.getCertificateKey(lineage, livePointerVersion(lineage, pointer));
  }

  async getCertificateKey(lineage: string, version: number): Promise<string | undefined> {
    assertVersionNumber(lineage, version);
    return this.#read(s3ObjectKeys.certificateKey(lineage, version));
  }

  /**
   * Deletes `keys/<name>/<n>/privkey.pem` of every version (pending keys of orders in flight stay).
   * On a versioned bucket each becomes a delete marker, so the key stays recoverable until the
   * bucket's noncurrent-version rule expires it.
   */
  async removeCertificateKeys(lineage: string): Promise<void> {
    assertLineageName(lineage);
    const prefix = `${s3ObjectKeys.keysPrefix}${lineage}/`;
    let token: string | undefined;
    do {
      const page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ...(token === undefined ? {} : { ContinuationToken: token }) }));
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined && /^\d+\/privkey\.pem$/.test(object.Key.slice(prefix.length))) await this.#delete(object.Key);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /** PutObject with `If-None-Match: *`; false when the object exists (412). */
  async #writeOnce(lineage: string, key: string, body: string): Promise<boolean> {
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: body,
          ContentType: PEM,
          IfNoneMatch: '*',
          ServerSideEncryption: 'aws:kms',
          ...(this.#kmsKeyId === undefined ? {} : { SSEKMSKeyId: this.#kmsKeyId }),
          SSEKMSEncryptionContext: lineageEncryptionContext(lineage),
          BucketKeyEnabled: false,
        }),
      );
      return true;
    } catch (error) {
      if (isPreconditionFailed(error)) return false;
      throw error;
    }
  }

  async #read(key: string): Promise<string | undefined> {
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return (await answer.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (isNoSuchKey(error)) return undefined;
      throw error;
    }
  }

  async #delete(key: string): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
    } catch (error) {
      if (isNoSuchKey(error)) return;
      throw error;
    }
  }
}

/**
 * `x-amz-server-side-encryption-context`: base64 of the JSON context. KMS binds the ciphertext to it,
 * and policies match it as `kms:EncryptionContext:acmeflow:lineage`.
 *
 * @example
 * ```ts
 * lineageEncryptionContext('example.com'); // base64 of {"acmeflow:lineage":"example.com"}
 * ```
 */
export function lineageEncryptionContext(lineage: string): string {
  return Buffer.from(JSON.stringify({ [LINEAGE_ENCRYPTION_CONTEXT_KEY]: lineage }), 'utf8').toString('base64');
}

/** `keys/<name>/pending/<sha256(token)>.pem`: the token (an order URL) hashed into one safe path segment. */
function pendingKey(lineage: string, token: string): string {
  assertLineageName(lineage);
  if (token === '') throw new StoreError(`The pending key of "${lineage}" needs a non-empty token.`);
  return s3ObjectKeys.pendingCertificateKey(lineage, createHash('sha256').update(token).digest('hex'));
}

/** The version `live/<name>/version.json` names (the certificate store writes it). */
function livePointerVersion(lineage: string, body: string): number {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    value = undefined;
  }
  const version = typeof value === 'object' && value !== null ? (value as { version?: unknown }).version : undefined;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new StoreError(`live/${lineage}/version.json does not name a version; it was not written by acmeflow or was damaged.`);
  }
  return version;
}
