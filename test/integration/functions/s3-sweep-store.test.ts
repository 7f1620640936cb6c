/**
 * S3SweepStore against s3rver: the plan object the Distributed Map's ItemReader reads, and the
 * results its ResultWriter writes (a manifest naming SUCCEEDED / FAILED / PENDING result files,
 * each a JSON array of child executions), hand-made here in the format of the Step Functions
 * developer guide ("ResultWriter (Map)").
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3SweepStore } from '../../../shared/store/s3/index.js';
import { startS3rver, type S3rverHandle } from '../../../harness/s3rver.js';

let s3: S3rverHandle;
let store: S3SweepStore;

beforeAll(async () => {
  s3 = await startS3rver();
  store = new S3SweepStore({ bucket: s3.bucket, client: s3.client });
});
afterAll(async () => {
  await s3?.stop();
});

async function put(key: string, value: unknown): Promise<void> {
  await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: typeof value === 'string' ? value : JSON.stringify(value), ContentType: 'application/json' }));
}

async function get(key: string): Promise<string> {
  const answer = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return (await answer.Body?.transformToString()) ?? '';
}

const REGION_ACCOUNT = 'us-east-1:123456789012';
const MAP_RUN_ID = '0f9e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

/** One child execution as a ResultWriter result file lists it. */
function child(item: Record<string, unknown>, outcome: { status: 'SUCCEEDED'; output: unknown } | { status: 'FAILED' | 'TIMED_OUT' | 'ABORTED'; error: string; cause: string }) {
  const name = `${String(item['lineage'])}-${outcome.status.toLowerCase()}`;
  return {
    ExecutionArn: `arn:aws:states:${REGION_ACCOUNT}:execution:acmeflow-sweep/RenewDue:${name}`,
    Input: JSON.stringify(item),
    InputDetails: { Included: true },
    Name: name,
    ...(outcome.status === 'SUCCEEDED'
      ? { Output: JSON.stringify(outcome.output), OutputDetails: { Included: true } }
      : { Error: outcome.error, Cause: outcome.cause }),
    RedriveCount: 0,
    RedriveStatus: outcome.status === 'SUCCEEDED' ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
    StartDate: '2026-03-01T00:00:01.000Z',
    StateMachineArn: `arn:aws:states:${REGION_ACCOUNT}:stateMachine:acmeflow-sweep/RenewDue`,
    Status: outcome.status,
    StopDate: '2026-03-01T00:03:12.000Z',
  };
}

const item = (lineage: string) => ({ lineage, expectedVersion: 1, force: false, dryRun: false });

describe('S3SweepStore on s3rver', () => {
  it('writes the plan as the JSON array the ItemReader reads, and overwrites it on a retry', async () => {
    const key = await store.putPlan('sweep-exec-1', [item('stale'), item('x')]);
    expect(key).toBe('sweeps/sweep-exec-1/plan.json');
    await store.putPlan('sweep-exec-1', [item('a.example'), { ...item('b.example'), force: true }]);
    expect(JSON.parse(await get(key))).toEqual([item('a.example'), { ...item('b.example'), force: true }]);
  });

  it("keeps the CA's ARI explanation with each planned item (to Certificate Issued), and reads it back by lineage", async () => {
    const explained = { ...item('early.example'), ariExplanationURL: 'https://ca.example/docs/incident-2027-01' };
    const key = await store.putPlan('sweep-exec-ari', [explained, item('plain.example')]);
    expect(JSON.parse(await get(key))).toEqual([explained, item('plain.example')]);
    expect([...(await store.planExplanations('sweep-exec-ari'))]).toEqual([['early.example', 'https://ca.example/docs/incident-2027-01']]);
    // A sweep that planned nothing wrote no plan.
    expect((await store.planExplanations('sweep-exec-none')).size).toBe(0);
  });

  it('reads a ResultWriter manifest and its SUCCEEDED, FAILED and PENDING result files', async () => {
    const prefix = `sweeps/sweep-exec-2/results/${MAP_RUN_ID}`;
    await put(`${prefix}/SUCCEEDED_0.json`, [
      child(item('a.example'), { status: 'SUCCEEDED', output: { lineage: 'a.example', failed: false } }),
      // The item processor caught the issuance's failure: the child succeeded, the lineage failed.
      child(item('b.example'), { status: 'SUCCEEDED', output: { lineage: 'b.example', failed: true } }),
    ]);
    await put(`${prefix}/SUCCEEDED_1.json`, [child(item('c.example'), { status: 'SUCCEEDED', output: { lineage: 'c.example', failed: false } })]);
    await put(`${prefix}/FAILED_0.json`, [
      child(item('d.example'), { status: 'FAILED', error: 'States.Runtime', cause: 'An error occurred while executing the state.' }),
      child(item('e.example'), { status: 'TIMED_OUT', error: 'States.Timeout', cause: '' }),
    ]);
    await put(`${prefix}/PENDING_0.json`, [{ ...child(item('f.example'), { status: 'ABORTED', error: 'States.Aborted', cause: '' }), Status: 'RUNNING' }]);
    await put(`${prefix}/manifest.json`, {
      DestinationBucket: s3.bucket,
      MapRunArn: `arn:aws:states:${REGION_ACCOUNT}:mapRun:acmeflow-sweep/RenewDue:${MAP_RUN_ID}`,
      ResultFiles: {
        FAILED: [{ Key: `${prefix}/FAILED_0.json`, Size: 1024 }],
        PENDING: [{ Key: `${prefix}/PENDING_0.json`, Size: 512 }],
        SUCCEEDED: [
          { Key: `${prefix}/SUCCEEDED_0.json`, Size: 2048 },
          { Key: `${prefix}/SUCCEEDED_1.json`, Size: 1024 },
        ],
      },
    });
    const results = await store.readResults({ ResultWriterDetails: { Bucket: s3.bucket, Key: `${prefix}/manifest.json` } });
    expect(results).toEqual([
      { lineage: 'a.example', failed: false },
      { lineage: 'b.example', failed: true },
      { lineage: 'c.example', failed: false },
      { lineage: 'd.example', failed: true },
      { lineage: 'e.example', failed: true },
      { lineage: 'f.example', failed: true },
    ]);
  });

  it('reads a manifest with empty lists (a map over nothing) as no results', async () => {
    const key = 'sweeps/sweep-exec-3/results/empty/manifest.json';
    await put(key, { DestinationBucket: s3.bucket, MapRunArn: 'arn', ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [] } });
    await expect(store.readResults({ ResultWriterDetails: { Bucket: s3.bucket, Key: key } })).resolves.toEqual([]);
  });

  it('fails with SweepResultsFormatError on a missing manifest, a missing result file, or a file that is not a result list', async () => {
    await expect(store.readResults({ ResultWriterDetails: { Bucket: s3.bucket, Key: 'sweeps/nope/manifest.json' } })).rejects.toMatchObject({
      name: 'SweepResultsFormatError',
      key: 'sweeps/nope/manifest.json',
    });
    await put('sweeps/x/manifest.json', { DestinationBucket: s3.bucket, ResultFiles: { SUCCEEDED: [{ Key: 'sweeps/x/gone.json', Size: 1 }] } });
    await expect(store.readResults({ ResultWriterDetails: { Bucket: s3.bucket, Key: 'sweeps/x/manifest.json' } })).rejects.toMatchObject({
      name: 'SweepResultsFormatError',
      key: 'sweeps/x/gone.json',
    });
    await put('sweeps/y/SUCCEEDED_0.json', { not: 'a list' });
    await put('sweeps/y/manifest.json', { DestinationBucket: s3.bucket, ResultFiles: { SUCCEEDED: [{ Key: 'sweeps/y/SUCCEEDED_0.json', Size: 1 }] } });
    await expect(store.readResults({ ResultWriterDetails: { Bucket: s3.bucket, Key: 'sweeps/y/manifest.json' } })).rejects.toMatchObject({ name: 'SweepResultsFormatError' });
    await put('sweeps/z/manifest.json', 'not json');
    await expect(store.readResults({ ResultWriterDetails: { Bucket: s3.bucket, Key: 'sweeps/z/manifest.json' } })).rejects.toMatchObject({ name: 'SweepResultsFormatError' });
  });

  it('accepts inline results too, checked', async () => {
    await expect(store.readResults({ items: [{ lineage: 'a', failed: false }] })).resolves.toEqual([{ lineage: 'a', failed: false }]);
    await expect(store.readResults({ items: [{ lineage: 'a' } as never] })).rejects.toMatchObject({ name: 'SweepResultsFormatError' });
  });
});
