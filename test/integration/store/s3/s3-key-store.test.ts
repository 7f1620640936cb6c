/**
 * S3KeyStore against s3rver: the KeyStore contract the Secrets Manager and filesystem stores pass,
 * the layout under keys/, the pairing with live/version.json, SSE-KMS with the lineage as encryption
 * context on every key written, and that keys are sent only as object bodies under keys/. (s3rver
 * ignores conditional headers; the 412 paths are in test/unit/store/s3/s3-key-store.test.ts.)
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver, type S3rverHandle } from '../../../../harness/s3rver.js';
import { S3CertificateStore, S3KeyStore } from '../../../../shared/store/s3/index.js';
import { version } from '../../../unit/store/s3/fixtures.js';
import { contractKey, keyStoreContract } from '../key-store-contract.js';

let s3: S3rverHandle;
let client: S3Client;
const requests: { method: string; path: string; headers: Record<string, string>; body: string }[] = [];
const used: string[] = [];

beforeAll(async () => {
  s3 = await startS3rver();
  client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
  // Every request as sent, to check headers and where key material travels.
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { method: string; path: string; headers: Record<string, string>; body?: unknown };
      requests.push({ method: request.method, path: request.path, headers: { ...request.headers }, body: typeof request.body === 'string' ? request.body : '' });
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordRequests' },
  );
});
afterAll(async () => {
  client?.destroy();
  await s3?.stop();
});

const keysOf = () => new S3KeyStore({ bucket: s3.bucket, client, kmsKeyId: 'alias/acmeflow' });
const certificatesOf = () => new S3CertificateStore({ bucket: s3.bucket, client });
const read = async (Key: string) => (await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key }))).Body?.transformToString();
async function keysUnder(prefix: string): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key ?? '').sort();
}

keyStoreContract(
  'S3KeyStore on s3rver',
  () => ({
    keys: keysOf(),
    putVersion: (lineage, n) => certificatesOf().putVersion(version(lineage, n)),
    promoteVersion: (lineage, n) => certificatesOf().promoteVersion(lineage, n),
  }),
  used,
);

describe('S3KeyStore layout and encryption', () => {
  it('keeps a pending key at keys/<name>/pending/<sha256(token)>.pem and the promoted one at keys/<name>/<n>/privkey.pem', async () => {
    const key = await contractKey(used);
    await keysOf().putPendingCertificateKey('layout.example', 'https://ca.test/order/../../x', key);
    const tokenHash = createHash('sha256').update('https://ca.test/order/../../x').digest('hex');
    expect(await keysUnder('keys/layout.example/')).toEqual([`keys/layout.example/pending/${tokenHash}.pem`]);

    await certificatesOf().putVersion(version('layout.example', 1));
    await keysOf().promoteCertificateKey('layout.example', 'https://ca.test/order/../../x', 1, 'fullchain');
    expect(await keysUnder('keys/layout.example/')).toEqual(['keys/layout.example/1/privkey.pem']);
    expect(await read('keys/layout.example/1/privkey.pem')).toBe(key);
    // Not served before live/ names version 1: key and certificate switch together.
    await expect(keysOf().getCurrentCertificateKey('layout.example')).resolves.toBeUndefined();
    await certificatesOf().promoteVersion('layout.example', 1);
    await expect(keysOf().getCurrentCertificateKey('layout.example')).resolves.toBe(key);
  });

  it('writes every key SSE-KMS under the configured key, with the lineage as encryption context and no Bucket Key', async () => {
    await keysOf().putPendingCertificateKey('context.example', 'order-1', await contractKey(used));
    const put = requests.filter((r) => r.method === 'PUT' && r.path.includes('/keys/context.example/')).at(-1);

    expect(put?.headers).toMatchObject({
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'alias/acmeflow',
      'x-amz-server-side-encryption-bucket-key-enabled': 'false',
      'if-none-match': '*',
    });
    const context = put?.headers['x-amz-server-side-encryption-context'] ?? '';
    expect(JSON.parse(Buffer.from(context, 'base64').toString('utf8'))).toEqual({ 'acmeflow:lineage': 'context.example' });
  });

  it('sends keys only as bodies of objects under keys/, never in a header, a path or another object', () => {
    expect(used.length).toBeGreaterThan(10);
    const secretPart = (pem: string) => pem.split('\n')[1]?.slice(48, 64) ?? '';
    const outside = requests.map((r) => `${r.path} ${JSON.stringify(r.headers)} ${r.path.includes('/keys/') ? '' : r.body}`).join('\n');
    for (const key of used) expect(outside).not.toContain(secretPart(key));
    const travelled = used.filter((key) => requests.some((r) => r.path.includes('/keys/') && r.body.includes(secretPart(key))));
    expect(travelled.length).toBeGreaterThan(5);
  });
});
