import { createHash, createHmac } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, HttpRequest, SourceData } from '@smithy/types';
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
  /** Backoff before a retry (tests make it 0). @default full jitter up to 100 ms × 2^attempt, capped at 20 s */
  readonly backoffMs?: (attempt: number) => number;
}

/** The endpoint and signing settings the S3 client's own endpoint rules give for the bucket. */
interface Target {
  /** The bucket's base URL, no trailing slash: `https://bucket.s3.region.amazonaws.com`, or `…/bucket` path-style. */
  readonly base: URL;
  readonly signer: SignatureV4;
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

/** Bytes of the signer's input (strings, typed arrays, ArrayBuffers). */
function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** SHA-256 and HMAC-SHA-256 on node:crypto, in the shape SignatureV4 takes. */
class NodeSha256 {
  readonly #secret: string | Uint8Array | undefined;
  #hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;

  constructor(secret?: SourceData) {
    this.#secret = secret === undefined ? undefined : bytes(secret);
    this.#hash = this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }

  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }

  reset(): void {
    this.#hash = this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }
}

/** RFC 3986 encoding of one key segment, as S3 signs paths (`!'()*` too, which encodeURIComponent leaves). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const RETRYABLE_CODES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'RequestTimeTooSkewed', 'InternalError', 'ServiceUnavailable']);

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
    const request = {
      method: 'GET',
      protocol: base.protocol,
      hostname: base.hostname,
      ...(base.port ? { port: Number(base.port) } : {}),
      path,
      query: {},
      headers: { host: base.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    } as HttpRequest;
    const signed = await signer.sign(request);
    const url = `${base.protocol}//${base.host}${path}`;
    const res = await this.#send({ method: 'GET', url, headers: lowerCase(signed.headers), timeoutMs: this.#options.timeoutMs ?? 30_000 });
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

function lowerCase(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
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
  credentials?: AwsCredentialIdentityProvider;
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
  const signer = new SignatureV4({
    service: scheme.signingName ?? 's3',
    region: scheme.signingRegion ?? region,
    credentials: (): Promise<AwsCredentialIdentity> => credentials(),
    sha256: NodeSha256,
    // S3 signs the path as sent, encoded once (the endpoint rules say disableDoubleEncoding).
    uriEscapePath: false,
    applyChecksum: false,
  });
  return { base: new URL(endpoint.url.toString().replace(/\/$/, '')), signer };
}
