/**
 * S3CertificateStore and S3LineageLock against s3rver, a real S3 REST server: the layout, round trips,
 * pagination and everything that does not depend on conditional requests (s3rver ignores them, see
 * s3rver.test.ts; their behaviour is tested with aws-sdk-client-mock in test/unit/store/s3).
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3CertificateStore, S3LineageLock } from '../../../../shared/store/s3/index.js';
import { startS3rver, type S3rverHandle } from '../../../../harness/s3rver.js';
import { lineage, PRIVATE_KEY_PEM, version } from '../../../unit/store/s3/fixtures.js';

let s3: S3rverHandle;
let store: S3CertificateStore;

beforeAll(async () => {
  s3 = await startS3rver();
  store = new S3CertificateStore({ bucket: s3.bucket, client: s3.client, kmsKeyId: 'alias/acmeflow' });
});
afterAll(() => s3?.stop());

const read = async (Key: string) => (await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key }))).Body?.transformToString();
const etagOf = async (Key: string) => (await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key }))).ETag;
async function allKeys(prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix, ContinuationToken }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return keys;
}

describe('lineages', () => {
  it('round-trips a lineage at renewal/<name>.json with the ETag S3 reports', async () => {
    const l = lineage('round.example', { currentVersion: 2, accountUrl: 'https://acme.test/acct/1' });

    await expect(store.getLineage('round.example')).resolves.toBeUndefined();
    const { etag } = await store.putLineage(l, { expectedEtag: null });

    expect(etag).toBe(await etagOf('renewal/round.example.json'));
    expect(JSON.parse((await read('renewal/round.example.json')) ?? '')).toEqual(l);
    await expect(store.getLineage('round.example')).resolves.toEqual({ lineage: l, etag });

    const next = { ...l, state: { ...l.state, currentVersion: 3 } };
    const second = await store.putLineage(next, { expectedEtag: etag });
    expect(second.etag).not.toBe(etag);
    await expect(store.getLineage('round.example')).resolves.toEqual({ lineage: next, etag: second.etag });
  });

  it('lists every lineage across pages, in key order, skipping other keys under renewal/', async () => {
    const names = ['list-c', 'list-a', 'list-e', 'list-b', 'list-d'];
    const paged = new S3CertificateStore({ bucket: s3.bucket, client: s3.client, pageSize: 2 });
    for (const name of names) await paged.putLineage(lineage(name));
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'renewal/README.txt', Body: 'not a lineage' }));

    const seen: string[] = [];
    const pages: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await paged.listLineages(cursor === undefined ? {} : { cursor });
      seen.push(...page.names);
      pages.push(page.names.length);
      cursor = page.cursor;
    } while (cursor !== undefined);

    expect(seen.filter((name) => name.startsWith('list-'))).toEqual(['list-a', 'list-b', 'list-c', 'list-d', 'list-e']);
    expect(seen).not.toContain('README');
    expect(Math.max(...pages)).toBeLessThanOrEqual(2);
    expect(pages.length).toBeGreaterThanOrEqual(3);
  });

  it('deletes renewal/ and live/ of a lineage and keeps its archive', async () => {
    await store.putLineage(lineage('gone.example'));
    await store.putVersion(version('gone.example', 1));
    await store.promoteVersion('gone.example', 1);

    await store.deleteLineage('gone.example');

    await expect(store.getLineage('gone.example')).resolves.toBeUndefined();
    await expect(store.getLive('gone.example')).resolves.toBeUndefined();
    expect(await allKeys('live/gone.example/')).toEqual([]);
    await expect(store.getVersion('gone.example', 1)).resolves.toEqual(version('gone.example', 1));
    await expect(store.latestVersion('gone.example')).resolves.toBe(1);
  });
});

describe('versions', () => {
  it('writes the certbot layout and reads a version back', async () => {
    const v = version('layout.example', 1);
    await store.putVersion(v);

    expect((await allKeys('archive/layout.example/')).sort()).toEqual([
      'archive/layout.example/1/cert.pem',
      'archive/layout.example/1/chain.pem',
      'archive/layout.example/1/fullchain.pem',
      'archive/layout.example/1/meta.json',
    ]);
    await expect(read('archive/layout.example/1/fullchain.pem')).resolves.toBe(v.fullchainPem);
    await expect(store.getVersion('layout.example', 1)).resolves.toEqual(v);
    await expect(store.getVersion('layout.example', 2)).resolves.toBeUndefined();
  });

  it('hides a version without meta.json but counts it in latestVersion, comparing numbers', async () => {
    await store.putVersion(version('count.example', 1));
    await store.putVersion(version('count.example', 2));
    await store.putVersion(version('count.example', 9));
    // A step that crashed after cert.pem: version 10 is incomplete.
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'archive/count.example/10/cert.pem', Body: version('count.example', 10).certPem }));

    await expect(store.latestVersion('count.example')).resolves.toBe(10);
    await expect(store.getVersion('count.example', 10)).resolves.toBeUndefined();
    await expect(store.latestVersion('never.example')).resolves.toBe(0);
  });

  it('leaves a complete version untouched: the same certificate is a no-op, another one a VersionConflictError', async () => {
    const v = version('once.example', 1);
    await store.putVersion(v);
    const before = await Promise.all(['cert.pem', 'chain.pem', 'fullchain.pem', 'meta.json'].map((f) => etagOf(`archive/once.example/1/${f}`)));

    await store.putVersion({ ...v, meta: { ...v.meta, issuedAt: '2030-01-01T00:00:00.000Z' } });
    const error = await store.putVersion(version('once.example', 1, 'another certificate')).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'VersionConflictError', lineage: 'once.example', version: 1 });
    const after = await Promise.all(['cert.pem', 'chain.pem', 'fullchain.pem', 'meta.json'].map((f) => etagOf(`archive/once.example/1/${f}`)));
    expect(after).toEqual(before);
    await expect(store.getVersion('once.example', 1)).resolves.toEqual(v);
  });

  it('promotes a version into live/ and serves it; promoting it again is a no-op', async () => {
    const [v1, v2] = [version('live.example', 1), version('live.example', 2)];
    await store.putVersion(v1);
    await store.putVersion(v2);
    await expect(store.getLive('live.example')).resolves.toBeUndefined();

    await store.promoteVersion('live.example', 1);
    await expect(store.getLive('live.example')).resolves.toEqual(v1);
    await store.promoteVersion('live.example', 2);

    await expect(store.getLive('live.example')).resolves.toEqual(v2);
    await expect(read('live/live.example/cert.pem')).resolves.toBe(v2.certPem);
    await expect(read('live/live.example/chain.pem')).resolves.toBe(v2.chainPem);
    await expect(read('live/live.example/fullchain.pem')).resolves.toBe(v2.fullchainPem);
    expect(JSON.parse((await read('live/live.example/version.json')) ?? '')).toMatchObject({ lineage: 'live.example', version: 2 });

    const pointer = await etagOf('live/live.example/version.json');
    const certTag = await etagOf('live/live.example/cert.pem');
    await store.promoteVersion('live.example', 2);
    expect(await etagOf('live/live.example/version.json')).toBe(pointer);
    expect(await etagOf('live/live.example/cert.pem')).toBe(certTag);
  });

  it('refuses to promote an incomplete version and leaves live/ as it was', async () => {
    await store.putVersion(version('stay.example', 1));
    await store.promoteVersion('stay.example', 1);
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'archive/stay.example/2/cert.pem', Body: version('stay.example', 2).certPem }));

    await expect(store.promoteVersion('stay.example', 2)).rejects.toMatchObject({ name: 'StoreError' });
    await expect(store.getLive('stay.example')).resolves.toEqual(version('stay.example', 1));
  });

  it('writes no private key anywhere in the bucket, and refuses one passed as a chain', async () => {
    await expect(store.putVersion({ ...version('leak.example', 1), chainPem: PRIVATE_KEY_PEM })).rejects.toMatchObject({ name: 'StoreError' });
    expect(await allKeys('archive/leak.example/')).toEqual([]);

    for (const key of await allKeys()) {
      expect(await read(key), key).not.toMatch(/PRIVATE KEY/);
    }
  });
});

describe('S3LineageLock on s3rver', () => {
  it('writes the lease, and release deletes it only with the handle that wrote it', async () => {
    let now = new Date('2025-06-01T00:00:00.000Z');
    const lock = new S3LineageLock({ bucket: s3.bucket, client: s3.client, now: () => now });

    const first = await lock.acquire('locked.example', { owner: 'run-a', leaseSeconds: 60 });
    expect(first.token).toBe(await etagOf('locks/locked.example.json'));
    expect(JSON.parse((await read('locks/locked.example.json')) ?? '')).toEqual({ lineage: 'locked.example', owner: 'run-a', expiresAt: '2025-06-01T00:01:00.000Z' });

    // run-a outlives its lease; run-b takes the lock over.
    now = new Date('2025-06-01T00:05:00.000Z');
    const second = await lock.acquire('locked.example', { owner: 'run-b', leaseSeconds: 60 });
    expect(second.token).not.toBe(first.token);

    await lock.release(first);
    expect(JSON.parse((await read('locks/locked.example.json')) ?? '')).toMatchObject({ owner: 'run-b' });

    await lock.release(second);
    expect(await allKeys('locks/locked.example')).toEqual([]);
    await expect(lock.release(second)).resolves.toBeUndefined();
  });
});
