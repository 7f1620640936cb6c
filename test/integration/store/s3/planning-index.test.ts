/**
 * The planning index against s3rver: the ETags ListObjectsV2 gives are the ones GetObject gives (so
 * an unchanged lineage is recognised without reading it), the index round-trips at
 * `sweeps/planning-index.json`, and a sweep over S3CertificateStore + S3SweepStore reads each
 * lineage once, then only what changed. (Conditional writes: test/unit/store/s3, s3rver ignores them.)
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveLineageSpec } from '../../../../shared/config/index.js';
import type { Lineage } from '../../../../shared/store/index.js';
import { S3CertificateStore, S3SweepStore } from '../../../../shared/store/s3/index.js';
import { planSweep, type WorkflowDeps } from '../../../../shared/workflow/index.js';
import { PLANNING_INDEX_FORMAT, planningFactsOf, type PlanningIndex } from '../../../../shared/store/index.js';
import { startS3rver, type S3rverHandle } from '../../../../harness/s3rver.js';

const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const DAY = 86_400_000;

let s3: S3rverHandle;
let store: S3CertificateStore;
let sweeps: S3SweepStore;

beforeAll(async () => {
  s3 = await startS3rver();
  store = new S3CertificateStore({ bucket: s3.bucket, client: s3.client, kmsKeyId: 'alias/acmeflow', pageSize: 3 });
  sweeps = new S3SweepStore({ bucket: s3.bucket, client: s3.client, kmsKeyId: 'alias/acmeflow' });
});
afterAll(() => s3?.stop());

/** A lineage issued `ageDays` ago (90-day certificate, no ARI id, so no CA is asked). */
function issued(name: string, ageDays: number, serialHex = '0a'): Lineage {
  const spec = resolveLineageSpec({ name, domains: [name], keyType: 'ecdsa-p256', ca: { directoryUrl: 'https://acme.test/dir' }, dns: { provider: 'route53' } });
  const notBefore = T0 - ageDays * DAY;
  return {
    spec,
    state: {
      currentVersion: 1,
      current: { serialHex, notBefore: new Date(notBefore).toISOString(), notAfter: new Date(notBefore + 90 * DAY).toISOString(), domains: [name] },
    },
  };
}

function deps(): WorkflowDeps {
  const unused = () => {
    throw new Error('planning must not use this port');
  };
  return {
    store,
    sweeps,
    keys: {} as WorkflowDeps['keys'],
    lock: {} as WorkflowDeps['lock'],
    events: { publish: unused },
    acme: unused,
    dnsProvider: unused,
    resolveEab: unused,
    checkPropagation: unused,
    locate: (lineage) => ({ location: lineage, keyLocation: lineage }),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    now: () => new Date(T0),
    random: () => 0.5,
  };
}

describe('ETags from the listing', () => {
  it('are the ETags GetObject answers, and change with every write', async () => {
    await store.putLineage(issued('etag-a.example', 10));
    const { etag } = await store.putLineage(issued('etag-b.example', 10));
    const listed = async () => {
      const all: { name: string; etag: string }[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.listLineageEtags(cursor === undefined ? {} : { cursor });
        all.push(...page.lineages);
        cursor = page.cursor;
      } while (cursor !== undefined);
      return all.filter((l) => l.name.startsWith('etag-'));
    };
    const before = await listed();
    expect(before.map((l) => l.name)).toEqual(['etag-a.example', 'etag-b.example']);
    for (const l of before) expect(l.etag).toBe((await store.getLineage(l.name))?.etag);
    expect(before[1]?.etag).toBe(etag);

    await store.putLineage(issued('etag-b.example', 80));
    const after = await listed();
    expect(after[0]?.etag).toBe(before[0]?.etag);
    expect(after[1]?.etag).not.toBe(before[1]?.etag);
    expect(after[1]?.etag).toBe((await store.getLineage('etag-b.example'))?.etag);
  });
});

describe('the planning index in the bucket', () => {
  beforeEach(async () => {
    await s3.client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: sweeps.planningIndexKey }));
  });

  it('round-trips at sweeps/planning-index.json', async () => {
    await expect(sweeps.getPlanningIndex()).resolves.toBeUndefined();
    const index: PlanningIndex = {
      format: PLANNING_INDEX_FORMAT,
      writtenAt: new Date(T0).toISOString(),
      lineages: { 'round.example': { etag: '"x"', facts: planningFactsOf(issued('round.example', 3)) } },
    };
    const { etag } = await sweeps.putPlanningIndex(index, { expectedEtag: null });
    await expect(sweeps.getPlanningIndex()).resolves.toEqual({ index, etag });
    expect(sweeps.planningIndexKey).toBe('sweeps/planning-index.json');
  });

  it('lets a sweep read each lineage once, then only those that changed; a damaged index only costs reads', async () => {
    const names = ['sweep-a.example', 'sweep-b.example', 'sweep-c.example', 'sweep-d.example', 'sweep-e.example'];
    for (const [i, name] of names.entries()) await store.putLineage(issued(name, i === 0 ? 75 : 10, `0${i + 1}`));
    const reads = vi.spyOn(store, 'getLineage');
    const sweepOf = async (id: string) => planSweep({ input: {}, sweepId: id }, deps());
    const mine = (plan: unknown) => (plan as { lineage: string }[]).filter((item) => item.lineage.startsWith('sweep-'));
    const planOf = async (key: string) =>
      mine(JSON.parse((await (await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body?.transformToString()) ?? '[]'));

    const first = await sweepOf('first');
    const lineageCount = first.due + first.skipped;
    expect(reads).toHaveBeenCalledTimes(lineageCount);
    expect(await planOf(first.planKey!)).toEqual([{ lineage: 'sweep-a.example', expectedVersion: 1, force: false, dryRun: false }]);
    const stored = await sweeps.getPlanningIndex();
    expect(Object.keys(stored!.index.lineages)).toEqual(expect.arrayContaining(names));

    reads.mockClear();
    const second = await sweepOf('second');
    expect(reads).not.toHaveBeenCalled();
    expect(await planOf(second.planKey!)).toEqual(await planOf(first.planKey!));

    await store.putLineage(issued('sweep-c.example', 80, '03'));
    const third = await sweepOf('third');
    expect(reads.mock.calls.map(([name]) => name)).toEqual(['sweep-c.example']);
    expect((await planOf(third.planKey!)).map((i) => i.lineage)).toEqual(['sweep-a.example', 'sweep-c.example']);

    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: sweeps.planningIndexKey, Body: 'not an index' }));
    reads.mockClear();
    const fourth = await sweepOf('fourth');
    expect(reads).toHaveBeenCalledTimes(lineageCount);
    expect(await planOf(fourth.planKey!)).toEqual(await planOf(third.planKey!));
    expect((await sweeps.getPlanningIndex())?.index.format).toBe(PLANNING_INDEX_FORMAT);
    reads.mockRestore();
  });
});
