/**
 * The planning index on S3, call shapes and conditional answers (s3rver ignores conditional headers;
 * its round trip is in test/integration/store/s3/planning-index.test.ts): S3SweepStore's
 * `getPlanningIndex` / `putPlanningIndex` and S3CertificateStore's `listLineageEtags`.
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3CertificateStore, S3SweepStore } from '../../../../shared/store/s3/index.js';
import { PLANNING_INDEX_FORMAT, planningFactsOf, type PlanningIndex } from '../../../../shared/store/index.js';
import { accessDenied, lineage, objectOutput, preconditionFailed } from './fixtures.js';

const s3 = mockClient(S3Client);
const BUCKET = 'acmeflow-certs';
const KEY = 'sweeps/planning-index.json';

const conflict = () =>
  new S3ServiceException({ name: 'ConditionalRequestConflict', $fault: 'client', $metadata: { httpStatusCode: 409 }, message: 'A conflicting conditional operation is in progress' });
const object = (text: string, etag = '"i1"') => objectOutput(text, etag);

const sweeps = (kmsKeyId?: string) => new S3SweepStore({ bucket: BUCKET, client: new S3Client({ region: 'eu-west-1' }), ...(kmsKeyId ? { kmsKeyId } : {}) });
const puts = (): PutObjectCommandInput[] => s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);

const index: PlanningIndex = {
  format: PLANNING_INDEX_FORMAT,
  writtenAt: '2026-03-01T00:00:00.000Z',
  lineages: { 'a.example': { etag: '"l1"', facts: planningFactsOf(lineage('a.example', { currentVersion: 1 })) } },
};

beforeEach(() => s3.reset());

describe('S3SweepStore planning index', () => {
  it('reads sweeps/planning-index.json with its ETag; none when absent', async () => {
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: KEY }).resolvesOnce(object(JSON.stringify(index), '"i7"')).rejectsOnce(new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'no' }));
    await expect(sweeps().getPlanningIndex()).resolves.toEqual({ index, etag: '"i7"' });
    await expect(sweeps().getPlanningIndex()).resolves.toBeUndefined();
  });

  it.each([
    ['not JSON', '{"format": "acmeflow-planning'],
    ['another format', JSON.stringify({ ...index, format: 'acmeflow-planning-index/2' })],
    ['not an object', '[]'],
  ])('refuses an index object that is %s, naming its ETag so the sweep can replace it', async (_what, text) => {
    s3.on(GetObjectCommand).resolves(object(text, '"bad"'));
    await expect(sweeps().getPlanningIndex()).rejects.toMatchObject({ name: 'PlanningIndexFormatError', key: KEY, etag: '"bad"' });
  });

  it('leaves out malformed entries and entries under names that are not lineage names', async () => {
    const entry = JSON.stringify(index.lineages['a.example']);
    const lineages = `{"a.example":${entry},"b.example":{"etag":"\\"l2\\"","facts":{"name":"other"}},"__proto__":${entry},"../x":${entry}}`;
    const text = JSON.stringify({ ...index, lineages: {} }).replace('"lineages":{}', `"lineages":${lineages}`);
    expect(Object.keys((JSON.parse(text) as PlanningIndex).lineages)).toEqual(['a.example', 'b.example', '__proto__', '../x']);
    s3.on(GetObjectCommand).resolves(object(text));
    const read = await sweeps().getPlanningIndex();
    expect(Object.keys(read!.index.lineages)).toEqual(['a.example']);
    expect(Object.getPrototypeOf(read!.index.lineages)).toBe(Object.prototype);
  });

  it('creates the index only where there is none, and replaces it only at the ETag it read, with SSE-KMS', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"i2"' });
    await expect(sweeps('alias/acmeflow').putPlanningIndex(index, { expectedEtag: null })).resolves.toEqual({ etag: '"i2"' });
    await sweeps('alias/acmeflow').putPlanningIndex(index, { expectedEtag: '"i1"' });
    const [create, replace] = puts();
    expect(create).toMatchObject({ Bucket: BUCKET, Key: KEY, IfNoneMatch: '*', ContentType: 'application/json', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/acmeflow' });
    expect(create).not.toHaveProperty('IfMatch');
    expect(replace).toMatchObject({ Key: KEY, IfMatch: '"i1"' });
    expect(JSON.parse(String(create?.Body))).toEqual(index);
  });

  it.each([
    ['412', preconditionFailed],
    ['409', conflict],
  ])('turns a %s into PlanningIndexConflictError; other errors pass unchanged', async (_status, error) => {
    s3.on(PutObjectCommand).rejectsOnce(error()).rejectsOnce(accessDenied());
    await expect(sweeps().putPlanningIndex(index, { expectedEtag: '"i1"' })).rejects.toMatchObject({ name: 'PlanningIndexConflictError' });
    await expect(sweeps().putPlanningIndex(index, { expectedEtag: '"i1"' })).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('S3CertificateStore.listLineageEtags', () => {
  it('lists renewal/ with each lineage\u2019s ETag, page by page, and listLineages gives the same names', async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: 'renewal/a.example.json', ETag: '"1"' },
        { Key: 'renewal/README.txt', ETag: '"2"' },
        { Key: 'renewal/b.example.json', ETag: '"3"' },
      ],
      IsTruncated: true,
      NextContinuationToken: 'tok',
    });
    const store = new S3CertificateStore({ bucket: BUCKET, client: new S3Client({ region: 'eu-west-1' }) });
    await expect(store.listLineageEtags({ limit: 3, cursor: 'prev' })).resolves.toEqual({
      lineages: [
        { name: 'a.example', etag: '"1"' },
        { name: 'b.example', etag: '"3"' },
      ],
      cursor: 'tok',
    });
    await expect(store.listLineages({ limit: 3, cursor: 'prev' })).resolves.toEqual({ names: ['a.example', 'b.example'], cursor: 'tok' });
    expect(s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toEqual({ Bucket: BUCKET, Prefix: 'renewal/', MaxKeys: 3, ContinuationToken: 'prev' });
  });
});
