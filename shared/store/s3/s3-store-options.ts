import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectReader } from './signed-object-reader.js';

/** What the S3 adapters ({@link S3CertificateStore}, {@link S3LineageLock}) are built with. */
export interface S3StoreOptions {
  /** The bucket holding `renewal/`, `archive/`, `live/` and `locks/`. */
  readonly bucket: string;
  /** A ready S3 client. @default new S3Client({}): region and credentials from the environment (the Lambda's) */
  readonly client?: S3Client;
  /**
   * KMS key (id, ARN or alias ARN) to encrypt every object written with: sent as
   * `ServerSideEncryption: 'aws:kms'` and `SSEKMSKeyId`. @default none: the bucket's default encryption applies
   */
  readonly kmsKeyId?: string;
  /**
   * Reads objects with this instead of the client's GetObject: the sweep's planning passes a
   * {@link SignedObjectReader} (thousands of reads per sweep). @default GetObject through `client`
   */
  readonly reader?: ObjectReader;
}
