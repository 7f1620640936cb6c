/**
 * S3KeyStore's call shapes and conditional behaviour: the SSE-KMS headers with the lineage as
 * encryption context, and what a 412 turns into (s3rver ignores conditional headers, so S3's answers
 * are simulated here).
 */
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3KeyStore } from '../../../../shared/store/s3/index.js';
import { accessDenied, objectOutput, pem, preconditionFailed } from './fixtures.js';

const s3 = mockClient(S3Client);
const KEY_A = pem('PRIVATE KEY', 'a');
const KEY_B = pem('PRIVATE KEY', 'b');
const noSuchKey = () => new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' });
const keys = (kmsKeyId?: string) => new S3KeyStore({ bucket: 'certs', client: new S3Client({ region: 'eu-west-1' }), ...(kmsKeyId ? { kmsKeyId } : {}) });
const puts = (): PutObjectCommandInput[] => s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
const FINAL = 'keys/example.com/1/privkey.pem';

beforeEach(() => {
  s3.reset();
  s3.on(GetObjectCommand).rejects(noSuchKey());
  s3.on(PutObjectCommand).resolves({ ETag: '"new"' });
  s3.on(DeleteObjectCommand).resolves({});
});

describe('S3KeyStore writes', () => {
  it('writes a pending key create-only, SSE-KMS under the key, with the lineage as context and no Bucket Key', async () => {
    s3.on(GetObjectCommand).rejectsOnce(noSuchKey()).resolves(objectOutput(KEY_A, '"new"'));

    await expect(keys('arn:aws:kms:eu-west-1:111122223333:key/k1').putPendingCertificateKey('example.com', 'order-1', KEY_A)).resolves.toBe(KEY_A);

    expect(puts()).toEqual([
      expect.objectContaining({
        Bucket: 'certs',
        Key: expect.stringMatching(/^keys\/example\.com\/pending\/[0-9a-f]{64}\.pem$/),
        IfNoneMatch: '*',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k1',
        SSEKMSEncryptionContext: Buffer.from('{"acmeflow:lineage":"example.com"}').toString('base64'),
        BucketKeyEnabled: false,
      }),
    ]);
  });

  it('uses SSE-KMS with the aws/s3 key when no key is configured: a key is never stored unencrypted by KMS', async () => {
    s3.on(GetObjectCommand).rejectsOnce(noSuchKey()).resolves(objectOutput(KEY_A, '"new"'));
    await keys().putPendingCertificateKey('example.com', 'order-1', KEY_A);
    expect(puts()[0]).toMatchObject({ ServerSideEncryption: 'aws:kms' });
    expect(puts()[0]).not.toHaveProperty('SSEKMSKeyId');
  });

  it('answers the key stored first when a racing attempt won the create-only write (412)', async () => {
    s3.on(GetObjectCommand).rejectsOnce(noSuchKey()).resolves(objectOutput(KEY_B, '"theirs"'));
    s3.on(PutObjectCommand).rejects(preconditionFailed());

    await expect(keys().putPendingCertificateKey('example.com', 'order-1', KEY_A)).resolves.toBe(KEY_B);
  });

  it('promotes create-only to keys/<name>/<n>/privkey.pem, then deletes the pending key', async () => {
    s3.on(GetObjectCommand).resolves(objectOutput(KEY_A, '"p"'));
    s3.on(GetObjectCommand, { Key: FINAL }).rejects(noSuchKey());

    await keys().promoteCertificateKey('example.com', 'order-1', 1, 'fullchain');

    expect(puts()).toEqual([expect.objectContaining({ Key: FINAL, IfNoneMatch: '*', Body: KEY_A })]);
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input.Key)).toEqual([expect.stringMatching(/^keys\/example\.com\/pending\//)]);
  });

  it('turns a 412 on the version key holding another key into VersionConflictError, keeping the pending key', async () => {
    s3.on(GetObjectCommand).resolves(objectOutput(KEY_A, '"p"'));
    s3.on(GetObjectCommand, { Key: FINAL }).rejectsOnce(noSuchKey()).resolves(objectOutput(KEY_B, '"f"'));
    s3.on(PutObjectCommand).rejects(preconditionFailed());

    await expect(keys().promoteCertificateKey('example.com', 'order-1', 1, 'fullchain')).rejects.toMatchObject({ name: 'VersionConflictError', version: 1 });
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('lets AccessDenied through with its name, and never puts a key in a message', async () => {
    s3.on(GetObjectCommand).rejects(accessDenied());
    const error = (await keys()
      .getCurrentCertificateKey('example.com')
      .catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('AccessDenied');
    s3.on(GetObjectCommand).resolves(objectOutput(KEY_A, '"v"'));
    const garbled = (await keys()
      .getCurrentCertificateKey('example.com')
      .catch((e: unknown) => e)) as Error;
    expect(garbled.name).toBe('StoreError');
    expect(garbled.message).not.toContain('PRIVATE KEY');
  });
});
