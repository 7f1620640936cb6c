/**
 * S3LineageLock against aws-sdk-client-mock: the conditional writes and deletes it sends and what it
 * makes of S3's 412 answers (which s3rver never gives).
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3LineageLock } from '../../../../shared/store/s3/index.js';
import { preconditionFailed } from './fixtures.js';

const s3 = mockClient(S3Client);
const NOW = new Date('2025-06-01T12:00:00.000Z');
const KEY = 'locks/example.com.json';

const notFound = () => new S3ServiceException({ name: 'NotFound', $fault: 'client', $metadata: { httpStatusCode: 404 }, message: 'UnknownError' });
const lease = (owner: string, expiresAt: string, etag: string) =>
  ({ Body: { transformToString: async () => JSON.stringify({ lineage: 'example.com', owner, expiresAt }) }, ETag: etag, $metadata: {} }) as unknown as GetObjectCommandOutput;

const lock = () => new S3LineageLock({ bucket: 'b', client: new S3Client({ region: 'eu-west-1' }), kmsKeyId: 'alias/acmeflow', now: () => NOW });
const putInputs = () => s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);

beforeEach(() => {
  s3.reset();
});

describe('acquire', () => {
  it('creates locks/<name>.json with If-None-Match: * holding owner and expiry; the token is its ETag', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"lease-1"' });

    const handle = await lock().acquire('example.com', { owner: 'run-a', leaseSeconds: 900 });

    expect(handle).toEqual({ lineage: 'example.com', owner: 'run-a', expiresAt: '2025-06-01T12:15:00.000Z', token: '"lease-1"' });
    const [input] = putInputs();
    expect(input).toMatchObject({ Bucket: 'b', Key: KEY, IfNoneMatch: '*', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/acmeflow' });
    expect(JSON.parse(String(input?.Body))).toEqual({ lineage: 'example.com', owner: 'run-a', expiresAt: '2025-06-01T12:15:00.000Z' });
  });

  it('throws LineageLockedError naming the holder while another owner\'s lease runs', async () => {
    s3.on(PutObjectCommand).rejects(preconditionFailed());
    s3.on(GetObjectCommand).resolves(lease('run-b', '2025-06-01T12:00:01.000Z', '"held"'));

    await expect(lock().acquire('example.com', { owner: 'run-a', leaseSeconds: 60 })).rejects.toMatchObject({
      name: 'LineageLockedError',
      lineage: 'example.com',
      holder: 'run-b',
      expiresAt: '2025-06-01T12:00:01.000Z',
    });
    expect(putInputs()).toHaveLength(1);
  });

  it('takes over an expired lease with If-Match on the expired object\'s ETag', async () => {
    s3.on(PutObjectCommand, { IfNoneMatch: '*' }).rejects(preconditionFailed());
    s3.on(PutObjectCommand, { IfMatch: '"expired"' }).resolves({ ETag: '"lease-2"' });
    s3.on(GetObjectCommand).resolves(lease('crashed-run', '2025-06-01T11:59:59.999Z', '"expired"'));

    const handle = await lock().acquire('example.com', { owner: 'run-a', leaseSeconds: 60 });

    expect(handle.token).toBe('"lease-2"');
    const [, takeover] = putInputs();
    expect(takeover).toMatchObject({ Key: KEY, IfMatch: '"expired"' });
    expect(takeover?.IfNoneMatch).toBeUndefined();
  });

  it('loses a takeover race to the run whose If-Match landed first', async () => {
    s3.on(PutObjectCommand).rejects(preconditionFailed());
    s3.on(GetObjectCommand)
      .resolvesOnce(lease('crashed-run', '2025-06-01T11:00:00.000Z', '"expired"'))
      .resolves(lease('run-c', '2025-06-01T12:10:00.000Z', '"taken"'));

    await expect(lock().acquire('example.com', { owner: 'run-a', leaseSeconds: 60 })).rejects.toMatchObject({ name: 'LineageLockedError', holder: 'run-c' });
    expect(putInputs().map((input) => input.IfMatch ?? input.IfNoneMatch)).toEqual(['*', '"expired"']);
  });

  it('lets the owner of an unexpired lease take it back (a retried step of the same run)', async () => {
    s3.on(PutObjectCommand, { IfNoneMatch: '*' }).rejects(preconditionFailed());
    s3.on(PutObjectCommand, { IfMatch: '"mine"' }).resolves({ ETag: '"mine-2"' });
    s3.on(GetObjectCommand).resolves(lease('run-a', '2025-06-01T12:30:00.000Z', '"mine"'));

    await expect(lock().acquire('example.com', { owner: 'run-a', leaseSeconds: 60 })).resolves.toMatchObject({ token: '"mine-2"' });
  });

  it('creates the lock again when it was released between the 412 and the read', async () => {
    s3.on(PutObjectCommand).rejectsOnce(preconditionFailed()).resolves({ ETag: '"fresh"' });
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' }));

    await expect(lock().acquire('example.com', { owner: 'run-a', leaseSeconds: 60 })).resolves.toMatchObject({ token: '"fresh"' });
    expect(putInputs().map((input) => input.IfNoneMatch)).toEqual(['*', '*']);
  });

  it('treats a lock object that is no lease as expired', async () => {
    s3.on(PutObjectCommand, { IfNoneMatch: '*' }).rejects(preconditionFailed());
    s3.on(PutObjectCommand, { IfMatch: '"junk"' }).resolves({ ETag: '"ok"' });
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => 'not json' }, ETag: '"junk"', $metadata: {} } as unknown as GetObjectCommandOutput);

    await expect(lock().acquire('example.com', { owner: 'run-a', leaseSeconds: 60 })).resolves.toMatchObject({ token: '"ok"' });
  });

  it('refuses a lease that is not a positive number of seconds', async () => {
    await expect(lock().acquire('example.com', { owner: 'run-a', leaseSeconds: 0 })).rejects.toMatchObject({ name: 'StoreError' });
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('release', () => {
  const handle = { lineage: 'example.com', owner: 'run-a', expiresAt: '2025-06-01T12:15:00.000Z', token: '"lease-1"' };

  it('deletes with If-Match on the handle\'s ETag', async () => {
    s3.on(HeadObjectCommand).resolves({ ETag: '"lease-1"' });
    s3.on(DeleteObjectCommand).resolves({});

    await lock().release(handle);

    expect(s3.commandCalls(DeleteObjectCommand).map((call) => call.args[0].input)).toEqual([{ Bucket: 'b', Key: KEY, IfMatch: '"lease-1"' }]);
  });

  it('leaves a lease taken over by another run alone', async () => {
    s3.on(HeadObjectCommand).resolves({ ETag: '"someone-else"' });
    await lock().release(handle);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('is a no-op when the lock is gone or S3 answers 412 to the conditional delete', async () => {
    s3.on(HeadObjectCommand).rejectsOnce(notFound()).resolves({ ETag: '"lease-1"' });
    s3.on(DeleteObjectCommand).rejects(preconditionFailed());

    await expect(lock().release(handle)).resolves.toBeUndefined();
    await expect(lock().release(handle)).resolves.toBeUndefined();
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(1);
  });
});
