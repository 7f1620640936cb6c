/**
 * S3SweepStore call shapes with aws-sdk-client-mock (its behaviour against s3rver is in
 * test/integration/functions/s3-sweep-store.test.ts): the plan's key, body, content type and
 * SSE-KMS parameters, and the sweep id rule.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3SweepStore } from '../../../shared/store/s3/index.js';

const s3 = mockClient(S3Client);
const body = (text: string) => ({ transformToString: async () => text });
const store = (kmsKeyId?: string) => new S3SweepStore({ bucket: 'certs', client: new S3Client({ region: 'eu-west-1' }), ...(kmsKeyId ? { kmsKeyId } : {}) });

beforeEach(() => s3.reset());

describe('S3SweepStore (call shapes)', () => {
  it('writes the plan as a JSON array at sweeps/<id>/plan.json with SSE-KMS', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
    const items = [{ lineage: 'a', expectedVersion: 2, force: false, dryRun: true }];
    await expect(store('alias/acmeflow').putPlan('exec-1', items)).resolves.toBe('sweeps/exec-1/plan.json');
    const [put] = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(put).toMatchObject({ Bucket: 'certs', Key: 'sweeps/exec-1/plan.json', ContentType: 'application/json', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/acmeflow' });
    expect(JSON.parse(String(put?.Body))).toEqual(items);
  });

  it('leaves encryption to the bucket without a key', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
    await store().putPlan('exec-1', []);
    const [put] = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(put).not.toHaveProperty('ServerSideEncryption');
    expect(put).not.toHaveProperty('SSEKMSKeyId');
  });

  it.each(['', 'a/b', 'has space', '..'])('refuses the sweep id %j', async (id) => {
    await expect(store().putPlan(id, [])).rejects.toMatchObject({ name: 'InvalidSweepIdError' });
    expect(s3.calls()).toHaveLength(0);
  });

  it('reads result files from the manifest\u2019s DestinationBucket', async () => {
    s3.on(GetObjectCommand, { Bucket: 'certs', Key: 'm.json' }).resolves({
      Body: body(JSON.stringify({ DestinationBucket: 'other', MapRunArn: 'arn', ResultFiles: { SUCCEEDED: [{ Key: 'r/SUCCEEDED_0.json', Size: 1 }] } })),
    } as never);
    s3.on(GetObjectCommand, { Bucket: 'other', Key: 'r/SUCCEEDED_0.json' }).resolves({
      Body: body(JSON.stringify([{ Status: 'SUCCEEDED', Input: '{"lineage":"a"}', Output: '{"lineage":"a","failed":false}' }])),
    } as never);
    await expect(store().readResults({ ResultWriterDetails: { Bucket: 'certs', Key: 'm.json' } })).resolves.toEqual([{ lineage: 'a', failed: false }]);
  });

  it('reads result files written as JSON lines, and flattened outputs (WriterConfig)', async () => {
    const manifest = { DestinationBucket: 'certs', ResultFiles: { SUCCEEDED: [{ Key: 'r/lines.json' }, { Key: 'r/flat.json' }], FAILED: [{ Key: 'r/failed.json' }] } };
    s3.on(GetObjectCommand, { Bucket: 'certs', Key: 'm.json' }).resolves({ Body: body(JSON.stringify(manifest)) } as never);
    s3.on(GetObjectCommand, { Bucket: 'certs', Key: 'r/lines.json' }).resolves({
      Body: body(['{"Status":"SUCCEEDED","Input":"{\\"lineage\\":\\"a\\"}","Output":"{\\"lineage\\":\\"a\\",\\"failed\\":false}"}', '{"Status":"SUCCEEDED","Input":"{\\"lineage\\":\\"b\\"}"}', ''].join('\n')),
    } as never);
    s3.on(GetObjectCommand, { Bucket: 'certs', Key: 'r/flat.json' }).resolves({ Body: body(JSON.stringify([{ lineage: 'c', failed: false }, { lineage: 'd', failed: true }])) } as never);
    s3.on(GetObjectCommand, { Bucket: 'certs', Key: 'r/failed.json' }).resolves({ Body: body(JSON.stringify([{ Status: 'FAILED', Input: { lineage: 'e' }, Error: 'States.Runtime' }])) } as never);
    await expect(store().readResults({ ResultWriterDetails: { Bucket: 'certs', Key: 'm.json' } })).resolves.toEqual([
      { lineage: 'a', failed: false },
      // Succeeded without an Output to say how: not counted as renewed.
      { lineage: 'b', failed: true },
      { lineage: 'c', failed: false },
      { lineage: 'd', failed: true },
      { lineage: 'e', failed: true },
    ]);
  });
});
