import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ListObjectsV2CommandOutput,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { StoreError } from '../errors.js';
import { assertNoPrivateKey } from './no-private-key.js';
import { isNoSuchKey } from './s3-error-kind.js';
import type { ObjectReader } from './signed-object-reader.js';
import type { S3StoreOptions } from './s3-store-options.js';

/** A text object as read: its content and its ETag (quoted, as S3 sends it). */
export interface TextObject {
  readonly body: string;
  readonly etag: string;
}

/** The condition of a write: create only (`If-None-Match: *`) or replace only this ETag (`If-Match`). */
export type WriteCondition = { readonly ifNoneMatch: '*' } | { readonly ifMatch: string } | undefined;

/**
 * The small S3 vocabulary the adapters share: text objects read and written whole, with the
 * bucket's encryption settings applied to every write and the private-key guard on every body.
 * Errors other than "no such key" are the SDK's own, so their names (`AccessDenied`, `SlowDown`,
 * `PreconditionFailed`) reach the caller unchanged.
 */
export class BucketObjects {
  readonly bucket: string;
  readonly #client: S3Client;
  readonly #kmsKeyId: string | undefined;
  readonly #reader: ObjectReader | undefined;

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.#client = options.client ?? new S3Client({});
    this.#kmsKeyId = options.kmsKeyId;
    this.#reader = options.reader;
  }

  /** The object's text and ETag, or undefined when the key does not exist. */
  async get(key: string): Promise<TextObject | undefined> {
    if (this.#reader) return this.#reader.get(key);
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = (await answer.Body?.transformToString('utf-8')) ?? '';
      return { body, etag: answer.ETag ?? '' };
    } catch (error) {
      if (isNoSuchKey(error)) return undefined;
      throw error;
    }
  }

  /** The object's ETag, or undefined when the key does not exist. */
  async etag(key: string): Promise<string | undefined> {
    try {
      const answer = await this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return answer.ETag;
    } catch (error) {
      if (isNoSuchKey(error)) return undefined;
      throw error;
    }
  }

  /** Writes `body` at `key` under `condition`; resolves the new ETag. A failed condition throws the SDK's 412. */
  async put(key: string, body: string, contentType: string, condition?: WriteCondition): Promise<string> {
    assertNoPrivateKey(key, body);
    const input: PutObjectCommandInput = {
      Bucket: this.bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      ...(condition === undefined ? {} : 'ifNoneMatch' in condition ? { IfNoneMatch: condition.ifNoneMatch } : { IfMatch: condition.ifMatch }),
      ...(this.#kmsKeyId === undefined ? {} : { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: this.#kmsKeyId }),
    };
    const answer = await this.#client.send(new PutObjectCommand(input));
    if (answer.ETag === undefined) throw new StoreError(`S3 answered the write of ${key} without an ETag.`);
    return answer.ETag;
  }

  /** Deletes `key`, only while its ETag is `ifMatch` when given. A missing key is fine. */
  async delete(key: string, ifMatch?: string): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, ...(ifMatch === undefined ? {} : { IfMatch: ifMatch }) }));
    } catch (error) {
      // A conditional delete of a key that is gone answers 404; an unconditional one answers 204.
      if (isNoSuchKey(error)) return;
      throw error;
    }
  }

  /** One page of ListObjectsV2. */
  async list(input: { prefix: string; delimiter?: string; maxKeys?: number; continuationToken?: string }): Promise<ListObjectsV2CommandOutput> {
    return this.#client.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: input.prefix,
        ...(input.delimiter === undefined ? {} : { Delimiter: input.delimiter }),
        ...(input.maxKeys === undefined ? {} : { MaxKeys: input.maxKeys }),
        ...(input.continuationToken === undefined ? {} : { ContinuationToken: input.continuationToken }),
      }),
    );
  }
}
