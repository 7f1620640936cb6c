/**
 * s3rver (npm `s3rver`), a real S3 REST API server on loopback, started with its own temporary
 * directory and one bucket, and an `S3Client` already pointed at it.
 *
 * s3rver runs in a child Node.js process started with `--openssl-legacy-provider`: it signs its
 * ListObjectsV2 continuation tokens with DES, which OpenSSL 3 refuses by default, so every truncated
 * listing would otherwise answer 500 InternalError. A child process also keeps s3rver's own
 * process-wide handlers (it hooks uncaught exceptions in its logger) out of the test process.
 *
 * What s3rver 3.7 does not do, measured by test/integration/store/s3/s3rver.test.ts: it ignores
 * `If-None-Match` / `If-Match` on PutObject and `If-Match` on DeleteObject (it overwrites and deletes
 * unconditionally), so the conditional behaviour of the S3 adapters is covered with aws-sdk-client-mock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { spawnServer } from './processes.js';

export interface S3rverHandle {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly bucket: string;
  /** A client for the server: path-style, s3rver's built-in credentials, checksums only when required. */
  readonly client: S3Client;
  /** The server's last log lines (empty unless `log` was set), for failure messages. */
  output(): string;
  /** Stops the server, destroys the client and removes the data directory. */
  stop(): Promise<void>;
}

export interface StartS3rverOptions {
  /** @default 'acmeflow-test' */
  readonly bucket?: string;
  /** Let s3rver log every request (kept in `output()`). @default false */
  readonly log?: boolean;
}

const READY = 'S3RVER_READY';

// The child's program: port 0 lets the kernel pick a free port, which the child reports once listening,
// so there is no window between choosing a port and binding it.
const CHILD_PROGRAM = `
const S3rver = require(process.env.ACMEFLOW_S3RVER_MODULE);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory: process.env.ACMEFLOW_S3RVER_DIR,
  silent: process.env.ACMEFLOW_S3RVER_LOG !== '1',
  vhostBuckets: false,
  configureBuckets: [{ name: process.env.ACMEFLOW_S3RVER_BUCKET }],
});
server.run().then(
  (address) => process.stdout.write('${READY} ' + address.port + '\\n'),
  (error) => { console.error(error); process.exit(1); },
);
process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
`;

/**
 * Starts s3rver on a free loopback port with an empty bucket.
 *
 * @example
 * const s3 = await startS3rver();
 * afterAll(() => s3.stop());
 * const store = new S3CertificateStore({ bucket: s3.bucket, client: s3.client });
 */
export async function startS3rver(options: StartS3rverOptions = {}): Promise<S3rverHandle> {
  const bucket = options.bucket ?? 'acmeflow-test';
  const directory = await mkdtemp(path.join(tmpdir(), 'acmeflow-s3rver-'));
  const proc = spawnServer({
    name: 's3rver',
    command: process.execPath,
    args: ['--openssl-legacy-provider', '--no-deprecation', '-e', CHILD_PROGRAM],
    env: {
      ...process.env,
      ACMEFLOW_S3RVER_MODULE: createRequire(import.meta.url).resolve('s3rver'),
      ACMEFLOW_S3RVER_DIR: directory,
      ACMEFLOW_S3RVER_BUCKET: bucket,
      ACMEFLOW_S3RVER_LOG: options.log ? '1' : '0',
    },
  });
  const readyPort = (): number | undefined => {
    const match = new RegExp(`${READY} (\\d+)`).exec(proc.output());
    return match ? Number(match[1]) : undefined;
  };
  try {
    await proc.waitFor(async () => readyPort() !== undefined, { description: 'the s3rver ready line' });
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${readyPort()}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver stores the aws-chunked framing of a streamed upload as the object's content otherwise.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
  return {
    endpoint,
    bucket,
    client,
    output: () => proc.output(),
    async stop() {
      client.destroy();
      await proc.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
