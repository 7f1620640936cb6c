import { createHash, createHmac } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { nodeHttpTransport, type HttpTransport } from '../../http/index.js';
import type { TextObject } from './bucket-objects.js';

/** Reads text objects by key: the read half of {@link BucketObjects}, replaceable. */
export interface ObjectReader {
  /** The object's text and ETag, or undefined when the key does not exist. */
  get(key: string): Promise<TextObject | undefined>;
}

export interface SignedObjectReaderOptions {
  readonly bucket: string;
  /** The client whose settings the reads use: region, credentials, endpoint, FIPS, dual-stack, path style. */
  readonly client: S3Client;
  /** @default a keep-alive {@link nodeHttpTransport} of its own */
  readonly transport?: HttpTransport;
  /** Attempts per read on throttling, 5xx and network errors, as the SDK's standard retry mode. @default 3 */
  readonly maxAttempts?: number;
  /** Per attempt. @default 30000 */
  readonly timeoutMs?: number;
  /** The signing clock. @default () => new Date() */
  readonly now?: () => Date;
  /** Backoff before a retry (tests make it 0). @default full jitter up to 100 ms × 2^attempt, capped at 20 s */
  readonly backoffMs?: (attempt: number) => number;
}

/** The endpoint and signing settings the S3 client's own endpoint rules give for the bucket. */
interface Target {
  /** The bucket's base URL, no trailing slash: `https://bucket.s3.region.amazonaws.com`, or `…/bucket` path-style. */
  readonly base: URL;
  readonly signer: GetSigner;
}

/** What {@link SignedObjectReader} throws for an S3 error answer: named after S3's `<Code>`, as the SDK names its exceptions. */
export class S3ReadError extends Error {
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string };

  constructor(code: string, message: string, status: number, requestId?: string) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode: status, ...(requestId ? { requestId } : {}) };
  }
}

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * AWS Signature Version 4 for a GET with no body, as S3 checks it: canonical request, string to sign,
 * and the derived signing key (HMAC chain over date, region, service), kept per day and secret. One
 * SHA-256 and one HMAC per request; the SDK's general signer spent ~0.09 ms per read here (it derives
 * a cache key with an extra HMAC and goes through promises for every digest), a tenth of a read.
 * test/integration/store/s3/signed-object-reader.test.ts checks the signatures with a server that
 * recomputes them independently.
 */
class GetSigner {
  readonly #region: string;
  readonly #service: string;
  readonly #credentials: () => Promise<Credentials>;
  #key: { readonly day: string; readonly secret: string; readonly key: Buffer } | undefined;

  constructor(region: string, service: string, credentials: () => Promise<Credentials>) {
    this.#region = region;
    this.#service = service;
    this.#credentials = credentials;
  }

  /** The request headers for `GET path` on `host` (the host header included), signed at `now`. */
  async sign(host: string, path: string, now: Date): Promise<Record<string, string>> {
    // The SDK's provider, memoized: refreshed credentials (a rotated role session) arrive here.
    const credentials = await this.#credentials();
    const amzDate = `${now.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`; // 20260301T000000Z
    const day = amzDate.slice(0, 8);
    const scope = `${day}/${this.#region}/${this.#service}/aws4_request`;
    const headers: Record<string, string> = {
      host,
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'x-amz-date': amzDate,
      ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
    };
    const names = Object.keys(headers).sort();
    const signedHeaders = names.join(';');
    const canonicalRequest = ['GET', path, '', ...names.map((name) => `${name}:${headers[name]?.trim()}`), '', signedHeaders, 'UNSIGNED-PAYLOAD'].join('\n');
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
    const signature = createHmac('sha256', this.#signingKey(credentials.secretAccessKey, day)).update(stringToSign).digest('hex');
    headers['authorization'] = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  }

  #signingKey(secret: string, day: string): Buffer {
    if (this.#key?.day !== day || this.#key.secret !== secret) {
      const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
      this.#key = { day, secret, key: hmac(hmac(hmac(hmac(`AWS4${secret}`, day), this.#region), this.#service), 'aws4_request') };
    }
    return this.#key.key;
  }
}

/** RFC 3986 encoding of one key segment, as S3 signs paths (`!'()*` too, which encodeURIComponent leaves). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const RETRYABLE_CODES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'InternalError', 'ServiceUnavailable']);

/**
 * GetObject for the sweep's planning, signed with SigV4 and sent over a keep-alive {@link HttpTransport},
 * without the SDK's per-request middleware. Planning reads every lineage that changed since the last
 * sweep — all 10,000 on the first one — and through `S3Client.send` each read cost ~1.7 ms of CPU
 * (endpoint rules, schema (de)serialization of GetObject's ~60 header bindings, middleware), against
 * ~0.5 ms here (bench/aws/planning.ts); a 512 MB function has 0.29 of a vCPU.
 *
 * Nothing is configured twice: region, credentials (the client's provider, so rotation and the
 * Lambda's session token work as for the SDK), FIPS, dual-stack, path style and a custom endpoint all
 * come from the client, and the endpoint is what the client's own endpoint rules give for the bucket.
 * Errors carry S3's error code as `name` and the status in `$metadata.httpStatusCode`, as the SDK's do,
 * so the store's checks (`isNoSuchKey`) read both alike. Throttling, 5xx answers and network failures
 * are retried with jittered backoff, like the SDK's standard mode.
 *
 * @example
 * const store = new S3CertificateStore({ bucket, client, reader: new SignedObjectReader({ bucket, client }) });
 */
export class SignedObjectReader implements ObjectReader {
  readonly #options: SignedObjectReaderOptions;
  readonly #send: HttpTransport;
  #target: Promise<Target> | undefined;

  constructor(options: SignedObjectReaderOptions) {
    this.#options = options;
    this.#send = options.transport ?? nodeHttpTransport();
  }

  async get(key: string): Promise<TextObject | undefined> {
    const maxAttempts = this.#options.maxAttempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#once(key);
      } catch (error) {
        if (attempt >= maxAttempts || !isRetryable(error)) throw error;
        const backoff = this.#options.backoffMs ?? ((n: number) => Math.random() * Math.min(20_000, 100 * 2 ** n));
        await new Promise((resolve) => setTimeout(resolve, backoff(attempt)));
      }
    }
  }

  async #once(key: string): Promise<TextObject | undefined> {
    const { base, signer } = await this.#resolveTarget();
    const path = `${base.pathname.replace(/\/$/, '')}/${key.split('/').map(encodeSegment).join('/')}`;
    const headers = await signer.sign(base.host, path, this.#options.now?.() ?? new Date());
    const res = await this.#send({ method: 'GET', url: `${base.protocol}//${base.host}${path}`, headers, timeoutMs: this.#options.timeoutMs ?? 30_000 });
    if (res.status === 200) return { body: res.body, etag: res.headers.get('etag') ?? '' };
    const code = /<Code>([^<]+)<\/Code>/.exec(res.body)?.[1] ?? (res.status === 404 ? 'NotFound' : `Http${res.status}`);
    const message = /<Message>([^<]*)<\/Message>/.exec(res.body)?.[1] ?? `S3 answered ${res.status} to GET ${key}`;
    if (code === 'NoSuchKey') return undefined;
    throw new S3ReadError(code, message, res.status, res.headers.get('x-amz-request-id') ?? undefined);
  }

  #resolveTarget(): Promise<Target> {
    this.#target ??= resolveTarget(this.#options.client, this.#options.bucket).catch((error: unknown) => {
      this.#target = undefined; // a failed resolution (no region yet) is tried again by the next read
      throw error;
    });
    return this.#target;
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof S3ReadError) return error.$metadata.httpStatusCode >= 500 || error.$metadata.httpStatusCode === 429 || RETRYABLE_CODES.has(error.name);
  // No answer at all: refused, reset, timed out.
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || typeof (error as { code?: unknown } | null)?.code === 'string';
}

/** The S3 client's resolved settings, as far as a GET needs them (the SDK's `S3Client.config`). */
interface ResolvedS3Config {
  region(): Promise<string>;
  credentials?: () => Promise<Credentials>;
  useFipsEndpoint(): Promise<boolean>;
  useDualstackEndpoint(): Promise<boolean>;
  forcePathStyle?: boolean;
  endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path: string }>;
  endpointProvider(params: Record<string, unknown>, context: Record<string, unknown>): {
    url: URL;
    properties?: { authSchemes?: { name?: string; signingName?: string; signingRegion?: string }[] };
  };
}

async function resolveTarget(client: S3Client, bucket: string): Promise<Target> {
  const config = client.config as unknown as ResolvedS3Config;
  const region = await config.region();
  const custom = config.endpoint ? await config.endpoint() : undefined;
  const endpoint = config.endpointProvider(
    {
      Bucket: bucket,
      Region: region,
      UseFIPS: await config.useFipsEndpoint(),
      UseDualStack: await config.useDualstackEndpoint(),
      ForcePathStyle: config.forcePathStyle ?? false,
      ...(custom ? { Endpoint: `${custom.protocol}//${custom.hostname}${custom.port ? `:${custom.port}` : ''}${custom.path.replace(/\/$/, '')}` } : {}),
    },
    {},
  );
  const scheme = endpoint.properties?.authSchemes?.find((s) => s.name === 'sigv4');
  if (!scheme) throw new Error(`The S3 endpoint rules give no SigV4 signing for bucket ${bucket}; signed reads need SigV4.`);
  const credentials = config.credentials;
  if (!credentials) throw new Error('The S3 client has no credentials provider.');
  // S3 signs the path as sent, encoded once (the endpoint rules say disableDoubleEncoding): GetSigner does not encode it again.
  const signer = new GetSigner(scheme.signingRegion ?? region, scheme.signingName ?? 's3', credentials);
  return { base: new URL(endpoint.url.toString().replace(/\/$/, '')), signer };
}
