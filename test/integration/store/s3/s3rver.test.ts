/**
 * What s3rver (the S3 server the integration tests use) does with S3's conditional requests,
 * measured through the real SDK. The S3 adapters send these headers because real S3 honours them;
 * where s3rver does not, the behaviour is covered by the aws-sdk-client-mock tests in
 * test/unit/store/s3. If an s3rver upgrade starts honouring a header, the matching test here fails:
 * then move that behaviour's test to s3rver.
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver, type S3rverHandle } from '../../../../harness/s3rver.js';

let s3: S3rverHandle;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(() => s3?.stop());

const put = (Key: string, Body: string, extra: { IfNoneMatch?: string; IfMatch?: string } = {}) =>
  s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body, ...extra }));
const read = async (Key: string) => (await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key }))).Body?.transformToString();

describe('s3rver 3.7 and conditional requests', () => {
  it('ignores If-None-Match: * on PutObject: it overwrites an existing object', async () => {
    await put('cond/none-match', 'first');
    await expect(put('cond/none-match', 'second', { IfNoneMatch: '*' })).resolves.toMatchObject({ ETag: expect.any(String) });
    await expect(read('cond/none-match')).resolves.toBe('second');
  });

  it('ignores If-Match on PutObject: a wrong ETag overwrites, and a missing key is created', async () => {
    await put('cond/match', 'first');
    await put('cond/match', 'second', { IfMatch: '"00000000000000000000000000000000"' });
    await expect(read('cond/match')).resolves.toBe('second');
    await put('cond/match-missing', 'created', { IfMatch: '"00000000000000000000000000000000"' });
    await expect(read('cond/match-missing')).resolves.toBe('created');
  });

  it('ignores If-Match on DeleteObject: a wrong ETag deletes', async () => {
    await put('cond/delete', 'x');
    await s3.client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: 'cond/delete', IfMatch: '"00000000000000000000000000000000"' }));
    await expect(s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'cond/delete' }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('returns quoted MD5 ETags, consistent between PutObject, GetObject and HeadObject', async () => {
    const { ETag } = await put('cond/etag', 'abc');
    expect(ETag).toBe('"900150983cd24fb0d6963f7d28e17f72"');
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'cond/etag' }));
    expect(head.ETag).toBe(ETag);
  });

  it('pages ListObjectsV2 with continuation tokens (needs the child process\'s legacy OpenSSL provider)', async () => {
    for (const key of ['page/a', 'page/b', 'page/c']) await put(key, key);
    const first = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'page/', MaxKeys: 2 }));
    const second = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'page/', MaxKeys: 2, ContinuationToken: first.NextContinuationToken }));
    expect(first).toMatchObject({ IsTruncated: true, NextContinuationToken: expect.any(String) });
    expect([...(first.Contents ?? []), ...(second.Contents ?? [])].map((o) => o.Key)).toEqual(['page/a', 'page/b', 'page/c']);
    expect(second.IsTruncated).toBe(false);
  });
});
