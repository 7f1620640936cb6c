/**
 * SignedObjectReader against s3rver: the reads answer what GetObject answers (body and ETag), for keys
 * with characters S3 encodes, and fail the way the SDK does. s3rver does not check SigV4 signatures,
 * so a small server here recomputes each request's signature from the secret (RFC-style SigV4 as AWS
 * documents it, written independently of the SDK) and refuses a wrong one. The endpoint, retries and
 * session token are checked on a recording transport: the URL is the one the client's endpoint rules
 * give, throttling is retried and an access error is not.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpTransport, HttpTransportRequest } from '../../../../shared/http/index.js';
import { resolveLineageSpec } from '../../../../shared/config/index.js';
import { S3CertificateStore, SignedObjectReader } from '../../../../shared/store/s3/index.js';
import { startS3rver, type S3rverHandle } from '../../../../harness/s3rver.js';

let s3: S3rverHandle;
let reader: SignedObjectReader;

beforeAll(async () => {
  s3 = await startS3rver();
  reader = new SignedObjectReader({ bucket: s3.bucket, client: s3.client });
});
afterAll(() => s3?.stop());

async function put(key: string, body: string): Promise<string> {
  return (await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }))).ETag as string;
}

describe('against s3rver', () => {
  it('reads what GetObject reads: the text and the same ETag', async () => {
    const etag = await put('renewal/example.com.json', '{"spec":{"name":"example.com"},"text":"Grüße"}');
    const sdk = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'renewal/example.com.json' }));
    const read = await reader.get('renewal/example.com.json');
    expect(read).toEqual({ body: '{"spec":{"name":"example.com"},"text":"Grüße"}', etag });
    expect(read?.etag).toBe(sdk.ETag);
  });

  it.each(['renewal/with space.json', 'renewal/plus+sign.json', "renewal/quote'(star)*!.json", 'renewal/ünïcödé.json', 'archive/a/b/c.pem'])('signs and reads the key %s', async (key) => {
    await put(key, `body of ${key}`);
    expect((await reader.get(key))?.body).toBe(`body of ${key}`);
  });

  it('answers undefined for a missing key', async () => {
    expect(await reader.get('renewal/nothing-here.json')).toBeUndefined();
  });

  it('throws NoSuchBucket for a missing bucket, as the SDK names it', async () => {
    const other = new SignedObjectReader({ bucket: 'no-such-bucket', client: s3.client, maxAttempts: 1 });
    await expect(other.get('renewal/x.json')).rejects.toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
  });

  it('serves S3CertificateStore.getLineage in place of GetObject', async () => {
    const spec = resolveLineageSpec({ name: 'read.example', domains: ['read.example'], keyType: 'ecdsa-p256', ca: { directoryUrl: 'https://acme.test/dir' }, dns: { provider: 'route53' } });
    const plain = new S3CertificateStore({ bucket: s3.bucket, client: s3.client });
    const { etag } = await plain.putLineage({ spec, state: { currentVersion: 0 } });
    const signed = new S3CertificateStore({ bucket: s3.bucket, client: s3.client, reader });
    expect(await signed.getLineage('read.example')).toEqual(await plain.getLineage('read.example'));
    expect((await signed.getLineage('read.example'))?.etag).toBe(etag);
    expect(await signed.getLineage('absent.example')).toBeUndefined();
  });
});

describe('signatures, checked by a server that recomputes them', () => {
  const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  let server: http.Server;
  let endpoint: string;
  const verdicts: string[] = [];

  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
  const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

  /** SigV4 as AWS documents it: canonical request, string to sign, derived key (no SDK code). */
  function expectedSignature(req: http.IncomingMessage, secret: string): { given: string; expected: string } {
    const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? '');
    if (!auth) return { given: 'none', expected: 'a SigV4 Authorization header' };
    const [, , date, region, service, signedHeaders, given] = auth as unknown as string[];
    const [rawPath, rawQuery = ''] = (req.url ?? '/').split('?');
    const names = (signedHeaders as string).split(';');
    const canonical = [
      req.method,
      rawPath,
      rawQuery,
      ...names.map((n) => `${n}:${String(req.headers[n]).trim()}`),
      '',
      signedHeaders,
      String(req.headers['x-amz-content-sha256']),
    ].join('\n');
    const scope = `${date}/${region}/${service}/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', String(req.headers['x-amz-date']), scope, sha256(canonical)].join('\n');
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date as string), region as string), service as string), 'aws4_request');
    return { given: given as string, expected: hmac(key, toSign).toString('hex') };
  }

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const { given, expected } = expectedSignature(req, SECRET);
      verdicts.push(given === expected ? 'valid' : 'invalid');
      if (given !== expected) {
        res.writeHead(403, { 'content-type': 'application/xml' });
        res.end(xmlError('SignatureDoesNotMatch'));
        return;
      }
      res.writeHead(200, { etag: '"verified"' });
      res.end(decodeURIComponent((req.url ?? '').split('?')[0] as string));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const clientWith = (secretAccessKey: string, sessionToken?: string) =>
    new S3Client({ region: 'eu-central-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } });

  it.each(['renewal/example.com.json', 'renewal/with space.json', 'renewal/plus+sign.json', "renewal/quote'(star)*!.json", 'renewal/ünïcödé.json'])('signs the key %s as S3 checks it', async (key) => {
    const r = new SignedObjectReader({ bucket: 'certs', client: clientWith(SECRET, 'token'), maxAttempts: 1 });
    expect(await r.get(key)).toEqual({ body: `/certs/${key}`, etag: '"verified"' });
    expect(verdicts.at(-1)).toBe('valid');
  });

  it('is refused with SignatureDoesNotMatch when the secret is wrong', async () => {
    const r = new SignedObjectReader({ bucket: 'certs', client: clientWith('not-the-secret'), maxAttempts: 1 });
    await expect(r.get('renewal/example.com.json')).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    expect(verdicts.at(-1)).toBe('invalid');
  });

  it('signs each read with what the client\'s credentials provider gives then: a rotated secret is not hidden by the signing-key cache', async () => {
    let secretAccessKey = 'the-secret-before-rotation';
    const rotating = new S3Client({
      region: 'eu-central-1',
      endpoint,
      forcePathStyle: true,
      // Expiring within the SDK's 5-minute refresh window: the client's memoized provider asks again at every read.
      credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey, sessionToken: 'token', expiration: new Date(Date.now() + 60_000) }),
    });
    const r = new SignedObjectReader({ bucket: 'certs', client: rotating, maxAttempts: 1 });
    await expect(r.get('renewal/example.com.json')).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    secretAccessKey = SECRET;
    expect(await r.get('renewal/example.com.json')).toEqual({ body: '/certs/renewal/example.com.json', etag: '"verified"' });
    expect(verdicts.slice(-2)).toEqual(['invalid', 'valid']);
  });
});

/** A transport that records requests and answers from a script. */
function recording(answers: ({ status: number; body?: string; headers?: Record<string, string> } | Error)[]): { send: HttpTransport; seen: HttpTransportRequest[] } {
  const seen: HttpTransportRequest[] = [];
  const send: HttpTransport = async (request) => {
    seen.push(request);
    const answer = answers.shift() ?? { status: 200, body: 'ok', headers: { etag: '"e"' } };
    if (answer instanceof Error) throw answer;
    const headers = answer.headers ?? {};
    return { status: answer.status, body: answer.body ?? '', headers: { get: (name: string) => headers[name.toLowerCase()] ?? null } };
  };
  return { send, seen };
}

/** SHA-256 / HMAC-SHA-256 for a SignatureV4 of the test's own, written here rather than taken from the S3 client the reader uses. */
class Sha256 {
  readonly #secret: string | Uint8Array | undefined;
  #hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: string | Uint8Array) {
    this.#secret = secret;
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(data: string | Uint8Array): void {
    this.#hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
  reset(): void {
    this.#hash = this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }
}

const xmlError = (code: string) => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code} happened</Message></Error>`;

describe('on a recording transport', () => {
  const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token' } });

  it('sends a SigV4 GET (session token included) to the endpoint the client rules give', async () => {
    const { send, seen } = recording([{ status: 200, body: '{}', headers: { etag: '"abc"' } }]);
    const r = new SignedObjectReader({ bucket: 'acmeflow-certs-123', client, transport: send });
    expect(await r.get('renewal/a b.json')).toEqual({ body: '{}', etag: '"abc"' });
    const request = seen[0] as HttpTransportRequest;
    expect(request.method).toBe('GET');
    expect(request.url).toBe('https://acmeflow-certs-123.s3.eu-west-1.amazonaws.com/renewal/a%20b.json');
    expect(request.headers['x-amz-security-token']).toBe('session-token');
    expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
  });

  it('signs exactly as a SignatureV4 set up for S3 by hand does for the same request and moment (region, service, no double encoding, unsigned payload)', async () => {
    const at = new Date('2026-03-01T12:34:56.789Z');
    const { send, seen } = recording([]);
    await new SignedObjectReader({ bucket: 'acmeflow-certs-123', client, transport: send, now: () => at }).get("renewal/ünï code'(*).json");
    const request = seen[0] as HttpTransportRequest;
    const url = new URL(request.url);
    const sdk = new SignatureV4({ service: 's3', region: 'eu-west-1', sha256: Sha256 as unknown as ConstructorParameters<typeof SignatureV4>[0]['sha256'], credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session-token' }, uriEscapePath: false, applyChecksum: false });
    const signed = await sdk.sign(
      { method: 'GET', protocol: 'https:', hostname: url.hostname, path: url.pathname, query: {}, headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
      { signingDate: at },
    );
    expect(request.headers['x-amz-date']).toBe('20260301T123456Z');
    expect(request.headers.authorization).toBe(signed.headers['authorization']);
  });

  it('uses the FIPS endpoint when the client is set to', async () => {
    const fips = new S3Client({ region: 'us-east-1', useFipsEndpoint: true, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const { send, seen } = recording([]);
    await new SignedObjectReader({ bucket: 'bucket-1', client: fips, transport: send }).get('renewal/x.json');
    expect(seen[0]?.url).toBe('https://bucket-1.s3-fips.us-east-1.amazonaws.com/renewal/x.json');
  });

  it('retries throttling, 5xx and network failures up to maxAttempts, then gives the last error', async () => {
    const { send, seen } = recording([{ status: 503, body: xmlError('SlowDown') }, Object.assign(new Error('reset'), { code: 'ECONNRESET' }), { status: 200, body: 'third time', headers: { etag: '"3"' } }]);
    const r = new SignedObjectReader({ bucket: 'b', client, transport: send, backoffMs: () => 0 });
    expect(await r.get('k')).toEqual({ body: 'third time', etag: '"3"' });
    expect(seen).toHaveLength(3);

    const failing = recording([{ status: 500, body: xmlError('InternalError') }, { status: 500, body: xmlError('InternalError') }, { status: 500, body: xmlError('InternalError') }]);
    await expect(new SignedObjectReader({ bucket: 'b', client, transport: failing.send, backoffMs: () => 0 }).get('k')).rejects.toMatchObject({ name: 'InternalError', message: 'InternalError happened' });
    expect(failing.seen).toHaveLength(3);
  });

  it('does not retry an access error, and names an error without an XML body by its status', async () => {
    const denied = recording([{ status: 403, body: xmlError('AccessDenied') }]);
    await expect(new SignedObjectReader({ bucket: 'b', client, transport: denied.send, backoffMs: () => 0 }).get('k')).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(denied.seen).toHaveLength(1);
    const bare = recording([{ status: 400 }]);
    await expect(new SignedObjectReader({ bucket: 'b', client, transport: bare.send }).get('k')).rejects.toMatchObject({ name: 'Http400' });
  });
});
