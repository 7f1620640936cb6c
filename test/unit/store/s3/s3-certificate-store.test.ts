/**
 * Call shapes and the conditional behaviour of S3CertificateStore: the exact headers (If-None-Match on
 * archive writes, If-Match / If-None-Match on lineages, SSE-KMS) and what a 412 turns into. s3rver
 * ignores conditional headers, so these answers are simulated here in the shape S3 sends them.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3CertificateStore } from '../../../../shared/store/s3/index.js';
import { accessDenied, lineage, objectOutput, preconditionFailed, PRIVATE_KEY_PEM, version } from './fixtures.js';

const s3 = mockClient(S3Client);
const BUCKET = 'acmeflow-certs';

const noSuchKey = () => new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' });
const object = (text: string, etag = '"e1"') => objectOutput(text, etag);

const store = (options: { kmsKeyId?: string; pageSize?: number } = {}) => new S3CertificateStore({ bucket: BUCKET, client: new S3Client({ region: 'eu-west-1' }), ...options });
const puts = (): PutObjectCommandInput[] => s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);

beforeEach(() => {
  s3.reset();
  s3.on(GetObjectCommand).rejects(noSuchKey());
  s3.on(PutObjectCommand).resolves({ ETag: '"new"' });
});

describe('putVersion', () => {
  it('writes cert.pem first and meta.json last, every archive object with If-None-Match: * and SSE-KMS', async () => {
    await store({ kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k1' }).putVersion(version('example.com', 3));

    const written = puts();
    expect(written.map((input) => input.Key)).toEqual([
      'archive/example.com/3/cert.pem',
      expect.stringMatching(/^archive\/example\.com\/3\/(full)?chain\.pem$/),
      expect.stringMatching(/^archive\/example\.com\/3\/(full)?chain\.pem$/),
      'archive/example.com/3/meta.json',
    ]);
    for (const input of written) {
      expect(input).toMatchObject({
        Bucket: BUCKET,
        IfNoneMatch: '*',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k1',
      });
      expect(input.IfMatch).toBeUndefined();
    }
    expect(written[0]?.ContentType).toBe('application/x-pem-file');
    expect(JSON.parse(String(written[3]?.Body))).toEqual(version('example.com', 3).meta);
  });

  it('sends no encryption parameters without kmsKeyId (the bucket default applies)', async () => {
    await store().putVersion(version('example.com', 1));
    for (const input of puts()) {
      expect(input).not.toHaveProperty('ServerSideEncryption');
      expect(input).not.toHaveProperty('SSEKMSKeyId');
    }
  });

  it('accepts a 412 on an object that holds the same content: a retried step converges', async () => {
    const v = version('example.com', 2);
    s3.on(PutObjectCommand, { Key: 'archive/example.com/2/cert.pem' }).rejects(preconditionFailed());
    s3.on(GetObjectCommand, { Key: 'archive/example.com/2/cert.pem' }).resolves(object(v.certPem));

    await store().putVersion(v);

    expect(puts().map((input) => input.Key)).toContain('archive/example.com/2/meta.json');
  });

  it('turns a 412 on cert.pem holding another certificate into VersionConflictError and writes nothing more', async () => {
    s3.on(PutObjectCommand, { Key: 'archive/example.com/2/cert.pem' }).rejects(preconditionFailed());
    s3.on(GetObjectCommand, { Key: 'archive/example.com/2/cert.pem' }).resolves(object(version('example.com', 2, 'other').certPem));

    const error = await store().putVersion(version('example.com', 2)).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'VersionConflictError', lineage: 'example.com', version: 2 });
    expect(puts().map((input) => input.Key)).toEqual(['archive/example.com/2/cert.pem']);
  });

  it('turns a 412 on chain.pem with other content into VersionConflictError and never writes meta.json', async () => {
    s3.on(PutObjectCommand, { Key: 'archive/example.com/2/chain.pem' }).rejects(preconditionFailed());
    s3.on(GetObjectCommand, { Key: 'archive/example.com/2/chain.pem' }).resolves(object('-----BEGIN CERTIFICATE-----\nb3RoZXI=\n-----END CERTIFICATE-----\n'));

    await expect(store().putVersion(version('example.com', 2))).rejects.toMatchObject({ name: 'VersionConflictError' });
    expect(puts().map((input) => input.Key)).not.toContain('archive/example.com/2/meta.json');
  });

  it('keeps the first meta.json of the same certificate (its issuedAt differs on a retry)', async () => {
    const v = version('example.com', 2);
    s3.on(PutObjectCommand, { Key: 'archive/example.com/2/meta.json' }).rejects(preconditionFailed());
    s3.on(GetObjectCommand, { Key: 'archive/example.com/2/meta.json' })
      .rejectsOnce(noSuchKey())
      .resolves(object(JSON.stringify({ ...v.meta, issuedAt: '2025-01-01T00:04:00.000Z' })));

    await expect(store().putVersion(v)).resolves.toBeUndefined();
  });

  it('compares a complete version instead of writing it again', async () => {
    const v = version('example.com', 4);
    s3.on(GetObjectCommand, { Key: 'archive/example.com/4/meta.json' }).resolves(object(JSON.stringify(v.meta)));
    s3.on(GetObjectCommand, { Key: 'archive/example.com/4/cert.pem' }).resolves(object(v.certPem));
    s3.on(GetObjectCommand, { Key: 'archive/example.com/4/chain.pem' }).resolves(object(v.chainPem));
    s3.on(GetObjectCommand, { Key: 'archive/example.com/4/fullchain.pem' }).resolves(object(v.fullchainPem));

    await store().putVersion(v);
    expect(puts()).toEqual([]);

    await expect(store().putVersion(version('example.com', 4, 'different'))).rejects.toMatchObject({ name: 'VersionConflictError' });
    expect(puts()).toEqual([]);
  });

  it('refuses a body holding a private key before sending anything, without quoting it', async () => {
    const v = { ...version('example.com', 1), chainPem: PRIVATE_KEY_PEM };

    const error = (await store().putVersion(v).catch((e: unknown) => e)) as Error;

    expect(error.name).toBe('StoreError');
    expect(error.message).toContain('archive/example.com/1/chain.pem');
    expect(error.message).not.toContain(PRIVATE_KEY_PEM.split('\n')[1]);
    expect(s3.calls()).toHaveLength(0);
  });

  it('refuses names and numbers that would leave the lineage prefix', async () => {
    await expect(store().putVersion(version('../live', 1))).rejects.toMatchObject({ name: 'StoreError' });
    await expect(store().putVersion(version('example.com', 0))).rejects.toMatchObject({ name: 'StoreError' });
    await expect(store().getVersion('a/b', 1)).rejects.toMatchObject({ name: 'StoreError' });
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('putLineage', () => {
  it('sends If-Match for an ETag, If-None-Match: * for null and neither without expectedEtag', async () => {
    const l = lineage('example.com');
    await store().putLineage(l, { expectedEtag: '"abc"' });
    await store().putLineage(l, { expectedEtag: null });
    await store().putLineage(l);

    const [ifMatch, ifNoneMatch, plain] = puts();
    expect(ifMatch).toMatchObject({ Key: 'renewal/example.com.json', IfMatch: '"abc"', ContentType: 'application/json' });
    expect(ifMatch?.IfNoneMatch).toBeUndefined();
    expect(ifNoneMatch).toMatchObject({ Key: 'renewal/example.com.json', IfNoneMatch: '*' });
    expect(ifNoneMatch?.IfMatch).toBeUndefined();
    expect(plain?.IfMatch).toBeUndefined();
    expect(plain?.IfNoneMatch).toBeUndefined();
    expect(JSON.parse(String(plain?.Body))).toEqual(l);
  });

  it('resolves the ETag S3 returned', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"9f2c"' });
    await expect(store().putLineage(lineage('example.com'), { expectedEtag: null })).resolves.toEqual({ etag: '"9f2c"' });
  });

  it('turns 412, and 404 on If-Match (deleted since), into LineageConflictError', async () => {
    s3.on(PutObjectCommand).rejectsOnce(preconditionFailed()).rejectsOnce(noSuchKey());
    await expect(store().putLineage(lineage('example.com'), { expectedEtag: '"old"' })).rejects.toMatchObject({
      name: 'LineageConflictError',
      lineage: 'example.com',
    });
    await expect(store().putLineage(lineage('example.com'), { expectedEtag: '"old"' })).rejects.toMatchObject({ name: 'LineageConflictError' });
  });

  it('lets other S3 errors through with their own name', async () => {
    s3.on(PutObjectCommand).rejects(accessDenied());
    await expect(store().putLineage(lineage('example.com'), { expectedEtag: null })).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('getLineage', () => {
  it('answers undefined for an unknown name and the lineage with its ETag otherwise', async () => {
    const l = lineage('example.com', { currentVersion: 3 });
    s3.on(GetObjectCommand, { Key: 'renewal/example.com.json' }).resolves(object(JSON.stringify(l), '"v7"'));

    await expect(store().getLineage('unknown.example')).resolves.toBeUndefined();
    await expect(store().getLineage('example.com')).resolves.toEqual({ lineage: l, etag: '"v7"' });
  });

  it('refuses an object that holds another lineage, or no JSON, as unreadable (a sweep skips and names it)', async () => {
    s3.on(GetObjectCommand, { Key: 'renewal/example.com.json' }).resolves(object(JSON.stringify(lineage('example.org'))));
    await expect(store().getLineage('example.com')).rejects.toMatchObject({ name: 'LineageUnreadableError', message: expect.stringContaining('renewal/example.com.json') });
    s3.on(GetObjectCommand, { Key: 'renewal/example.net.json' }).resolves(object('{"spec":'));
    await expect(store().getLineage('example.net')).rejects.toMatchObject({ name: 'LineageUnreadableError', message: expect.stringContaining('is not JSON') });
  });
});

describe('listLineages', () => {
  it('pages renewal/ with MaxKeys from the limit or the pageSize option and the cursor as continuation token', async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: 'renewal/a.example.json' }, { Key: 'renewal/notes.txt' }, { Key: 'renewal/sub/x.json' }, { Key: 'renewal/b.example.json' }],
      IsTruncated: true,
      NextContinuationToken: 'token-2',
    });

    await expect(store({ pageSize: 25 }).listLineages()).resolves.toEqual({ names: ['a.example', 'b.example'], cursor: 'token-2' });
    await store({ pageSize: 25 }).listLineages({ cursor: 'token-2', limit: 5000 });

    const [first, second] = s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input);
    expect(first).toEqual({ Bucket: BUCKET, Prefix: 'renewal/', MaxKeys: 25 });
    expect(second).toEqual({ Bucket: BUCKET, Prefix: 'renewal/', MaxKeys: 1000, ContinuationToken: 'token-2' });
  });

  it('answers no cursor on the last page', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: 'renewal/a.json' }], IsTruncated: false });
    await expect(store().listLineages()).resolves.toEqual({ names: ['a'] });
  });
});

describe('latestVersion', () => {
  it('reads every page of archive/<name>/ and compares numbers, not text', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ CommonPrefixes: [{ Prefix: 'archive/a/1/' }, { Prefix: 'archive/a/10/' }], IsTruncated: true, NextContinuationToken: 't' })
      .resolvesOnce({ CommonPrefixes: [{ Prefix: 'archive/a/9/' }, { Prefix: 'archive/a/tmp/' }], IsTruncated: false });

    await expect(store().latestVersion('a')).resolves.toBe(10);
    const inputs = s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      { Bucket: BUCKET, Prefix: 'archive/a/', Delimiter: '/' },
      { Bucket: BUCKET, Prefix: 'archive/a/', Delimiter: '/', ContinuationToken: 't' },
    ]);
  });
});

describe('promoteVersion', () => {
  it('writes live/ files with SSE-KMS and version.json last, and does nothing when live/ serves the version already', async () => {
    const v = version('example.com', 5);
    s3.on(GetObjectCommand, { Key: 'archive/example.com/5/meta.json' }).resolves(object(JSON.stringify(v.meta)));
    s3.on(GetObjectCommand, { Key: 'archive/example.com/5/cert.pem' }).resolves(object(v.certPem));
    s3.on(GetObjectCommand, { Key: 'archive/example.com/5/chain.pem' }).resolves(object(v.chainPem));
    s3.on(GetObjectCommand, { Key: 'archive/example.com/5/fullchain.pem' }).resolves(object(v.fullchainPem));

    await store({ kmsKeyId: 'alias/acmeflow' }).promoteVersion('example.com', 5);

    const written = puts();
    expect(written.map((input) => input.Key).slice(0, 3).sort()).toEqual(['live/example.com/cert.pem', 'live/example.com/chain.pem', 'live/example.com/fullchain.pem']);
    expect(written[3]).toMatchObject({ Key: 'live/example.com/version.json', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/acmeflow' });
    expect(JSON.parse(String(written[3]?.Body))).toMatchObject({ version: 5, serialHex: v.meta.serialHex });
    expect(written.find((input) => input.Key === 'live/example.com/fullchain.pem')?.Body).toBe(v.fullchainPem);

    s3.on(GetObjectCommand, { Key: 'live/example.com/version.json' }).resolves(object(String(written[3]?.Body)));
    s3.resetHistory();
    await store().promoteVersion('example.com', 5);
    expect(puts()).toEqual([]);
  });

  it('refuses a version that is not complete', async () => {
    await expect(store().promoteVersion('example.com', 6)).rejects.toMatchObject({ name: 'StoreError' });
    expect(puts()).toEqual([]);
  });
});

describe('deleteLineage', () => {
  it('deletes renewal/ and live/ but keeps the archive', async () => {
    s3.on(DeleteObjectCommand).resolves({});
    await store().deleteLineage('example.com');
    const keys = s3.commandCalls(DeleteObjectCommand).map((call) => call.args[0].input.Key);
    expect(keys).toEqual([
      'renewal/example.com.json',
      'live/example.com/version.json',
      'live/example.com/cert.pem',
      'live/example.com/chain.pem',
      'live/example.com/fullchain.pem',
    ]);
  });
});
