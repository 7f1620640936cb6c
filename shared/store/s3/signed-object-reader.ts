import type { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
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

type Sha256Constructor = ConstructorParameters<typeof SignatureV4>[0]['sha256'];

/**
 * AWS Signature Version 4 for a GET with no body, as S3 checks it, by the SDK's own signer
 * (`@smithy/signature-v4`, what `S3Client.send` signs with) and the client's own SHA-256 and
 * credentials provider (asked at every read: a rotated role session is used at once). The library caches the
 * derived signing key per day, region, service and credentials (keyed by an HMAC of the secret, not the
 * secret), so a read costs one SHA-256 and two HMACs. That is ~0.03 ms of CPU per read, ~0.02 ms more
 * than a hand-written SigV4: 4–5 % of the CPU of a first sweep over 10,000 lineages, the extra 3 %
 * (bench/aws/signing.ts, bench/AWS-RESULTS.md §4). Far under the 20 % for which owning a signer would
 * pay; test/integration/store/s3/signed-object-reader.test.ts still checks every signature against a
 * server that recomputes it independently.
 */
class GetSigner {
  readonly #signer: SignatureV4;

  constructor(region: string, service: string, credentials: () => Promise<Credentials>, sha256: Sha256Constructor) {
    // uriEscapePath false: S3 signs the path as sent, encoded once (the endpoint rules say disableDoubleEncoding).
    // applyChecksum false: the payload hash is the x-amz-content-sha256 header the request carries.
    this.#signer = new SignatureV4({ service, region, credentials, sha256, uriEscapePath: false, applyChecksum: false });
  }

  /** The request headers for `GET path` on the bucket's `base` URL (the host header included), signed at `now`. */
  async sign(base: URL, path: string, now: Date): Promise<Record<string, string>> {
    const signed = await this.#signer.sign(
      { method: 'GET', protocol: base.protocol, hostname: base.hostname, path, query: {}, headers: { host: base.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
      { signingDate: now },
    );
    return signed.headers;
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
    const headers = await signer.sign(base, path, this.#options.now?.() ?? new Date());
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
  /** The SHA-256 (and HMAC-SHA-256) constructor the client signs with: node:crypto's on Node. */
  sha256: Sha256Constructor;
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
  const signer = new GetSigner(scheme.signingRegion ?? region, scheme.signingName ?? 's3', credentials, config.sha256);
  return { base: new URL(endpoint.url.toString().replace(/\/$/, '')), signer };
}
