/**
 * s3rver 3.7 ignores S3's conditional requests (harness/s3rver.ts), so a lock built on them
 * (`S3LineageLock`: create with `If-None-Match: *`, take over and release with `If-Match`) excludes
 * nothing there. This HTTP shim in front of s3rver answers them as S3 does: a PutObject with
 * `If-None-Match: *` on an existing key, or with `If-Match` on another ETag, gets 412
 * PreconditionFailed (404 NoSuchKey when the key is gone); a DeleteObject with `If-Match` likewise.
 * Requests on one key are handled one at a time (a conditional one: check, then forward), as S3
 * applies writes atomically — s3rver writes an object in place, and a read racing a write would see
 * half of it. Listings are forwarded untouched.
 *
 * @example
 * const s3 = await startS3rver();
 * const shim = await startConditionalS3(s3);
 * // clients use shim.endpoint instead of s3.endpoint
 */
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface ConditionalS3 {
  readonly endpoint: string;
  /** A client for the shim, configured as s3rver's own (path-style, its credentials, checksums only when required) but with the SDK's retries. */
  readonly client: S3Client;
  /** Conditional requests answered 403/412/404 so far. */
  readonly refused: number;
  /**
   * Answers 403 AccessDenied (which neither the SDK nor the state machines retry) to every PutObject
   * whose key matches, until called again with undefined: the step writing it dies at that point.
   */
  failPuts(keys: RegExp | undefined): void;
  stop(): Promise<void>;
}

const unquote = (etag: string | undefined): string | undefined => etag?.trim().replace(/^W\//, '').replace(/^"|"$/g, '');

function errorXml(code: string, message: string, key: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><Key>${key}</Key></Error>`;
}

export async function startConditionalS3(upstream: { readonly endpoint: string; readonly client: S3Client }): Promise<ConditionalS3> {
  const target = new URL(upstream.endpoint);
  const queues = new Map<string, Promise<void>>();
  let refused = 0;
  let failing: RegExp | undefined;

  /** Runs `work` after every earlier conditional request on `key` has finished. */
  const serialized = (key: string, work: () => Promise<void>): Promise<void> => {
    const previous = queues.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    queues.set(key, next.catch(() => undefined));
    return next;
  };

  /** Forwards one request; settles however the exchange ends (answered, aborted by either side, timed out). */
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> =>
    new Promise((resolve) => {
      const headers = { ...req.headers };
      delete headers['if-none-match'];
      delete headers['if-match'];
      const upstreamReq = http.request(
        { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers, timeout: 15_000 },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
          upstreamRes.on('end', () => resolve());
          upstreamRes.on('close', () => resolve());
          upstreamRes.on('error', () => resolve());
        },
      );
      const fail = () => {
        upstreamReq.destroy();
        res.destroy();
        resolve();
      };
      upstreamReq.on('timeout', fail);
      upstreamReq.on('error', fail);
      // The client gave up: stop waiting for the answer it will not read.
      res.on('close', () => {
        if (!res.writableFinished) upstreamReq.destroy();
        resolve();
      });
      upstreamReq.end(body);
    });

  const refuse = (res: ServerResponse, status: number, code: string, key: string) => {
    refused++;
    const message = status === 412 ? 'At least one of the pre-conditions you specified did not hold' : status === 403 ? 'Access Denied' : 'The specified key does not exist.';
    const text = errorXml(code, message, key);
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const ifNoneMatch = req.headers['if-none-match'];
      const ifMatch = req.headers['if-match'];
      const conditional = (req.method === 'PUT' && (ifNoneMatch !== undefined || ifMatch !== undefined)) || (req.method === 'DELETE' && ifMatch !== undefined);
      const url = new URL(req.url ?? '/', 'http://shim');
      const [, bucket, ...rest] = url.pathname.split('/');
      const key = decodeURIComponent(rest.join('/'));
      // Not an object (ListObjects): straight through.
      if (!key) return forward(req, res, body);
      if (req.method === 'PUT' && failing?.test(key)) return refuse(res, 403, 'AccessDenied', key);
      // s3rver writes an object in place, so a read racing a write can see half of it; S3 never shows
      // a half-written object. Every request on one key therefore waits for the ones before it.
      if (!conditional) return serialized(`${bucket}/${key}`, () => forward(req, res, body));
      await serialized(`${bucket}/${key}`, async () => {
        const current = await upstream.client
          .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
          .then((head) => unquote(head.ETag))
          .catch(() => undefined);
        if (ifNoneMatch === '*' && current !== undefined) return refuse(res, 412, 'PreconditionFailed', key);
        if (ifMatch !== undefined && current === undefined) return refuse(res, 404, 'NoSuchKey', key);
        if (ifMatch !== undefined && unquote(ifMatch) !== current) return refuse(res, 412, 'PreconditionFailed', key);
        await forward(req, res, body);
      });
    })().catch(() => res.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    client,
    get refused() {
      return refused;
    },
    failPuts(keys) {
      failing = keys;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        client.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
