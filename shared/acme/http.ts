import type { AcmeContext } from './context.js';
import {
  AcmeHttpError,
  AcmeInsecureUrlError,
  AcmeInvalidResponseError,
  AcmeNetworkError,
  AcmeResponseTooLargeError,
  AcmeTimeoutError,
  AcmeTlsError,
  problemError,
  type AcmeProblem,
} from './errors.js';
import { HttpResponseTooLargeError, type HttpHeaderReader, type HttpTransportResponse } from '../http/index.js';
import { parseRetryAfter } from './retry-after.js';

/** A response read to the end, with what the ACME layer needs from its headers. */
export interface AcmeHttpResponse {
  readonly url: string;
  readonly status: number;
  readonly headers: HttpHeaderReader;
  readonly body: string;
  /** `Location` (RFC 8555 §7.3, §7.4): the URL of a created resource. */
  readonly location: string | undefined;
  /** `Replay-Nonce` (RFC 8555 §6.5.1). */
  readonly nonce: string | undefined;
  /** Parsed `Retry-After`, seconds. */
  readonly retryAfterSeconds: number | undefined;
  /** `Link` header entries by relation (RFC 8288), resolved against the request URL. */
  readonly links: Readonly<Record<string, readonly string[]>>;
}

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function isTimeout(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError' || errorCode(err) === 'UND_ERR_HEADERS_TIMEOUT' || errorCode(err) === 'UND_ERR_BODY_TIMEOUT';
}

/**
 * The most an ACME JSON answer (directory, account, order, authorization, challenge, problem,
 * renewal info) is read to. The largest real one, an order for a hundred names or a problem with a
 * subproblem per name, is a few tens of kilobytes.
 */
export const ACME_JSON_MAX_BYTES = 256 * 1024;
/** The most a certificate download (RFC 8555 §7.4.2: leaf and chain, PEM) is read to: a few certificates of a few KB each. */
export const ACME_CERTIFICATE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * RFC 8555 §6.1: every ACME URL is https. Throws {@link AcmeInsecureUrlError} for anything else (or
 * a string that is no URL at all), before it is used.
 */
export function assertHttpsUrl(url: string, where: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'https:') throw new AcmeInsecureUrlError(url, where);
}

/** Parses an RFC 8288 `Link` header: `<url>;rel="up", <url2>;rel="alternate"`. */
export function parseLinks(header: string | null, base: string): Record<string, string[]> {
  const links: Record<string, string[]> = {};
  if (!header) return links;
  for (const m of header.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]+)*)/g)) {
    const target = m[1] as string;
    const rel = /;\s*rel\s*=\s*"?([^";,]+)"?/i.exec(m[2] ?? '')?.[1];
    if (!rel) continue;
    for (const r of rel.trim().split(/\s+/)) {
      // biome-ignore lint/suspicious/noAssignInExpressions: `??=` creates the list on a relation's first link.
      (links[r.toLowerCase()] ??= []).push(new URL(target, base).toString());
    }
  }
  return links;
}

/**
 * One HTTP exchange with the CA. Maps every failure to a typed error: network, TLS, timeout, an ACME
 * problem document (RFC 8555 §6.7), or a non-ACME HTTP error (an HTML 502 page from a load balancer).
 * Never retries and never waits: retries belong to the caller (badNonce) or the state machine.
 */
export async function httpRequest(
  ctx: AcmeContext,
  method: 'GET' | 'HEAD' | 'POST',
  url: string,
  init: { body?: string; contentType?: string; maxBodyBytes?: number } = {},
): Promise<AcmeHttpResponse> {
  assertHttpsUrl(url, 'to send a request to');
  const maxBodyBytes = init.maxBodyBytes ?? ACME_JSON_MAX_BYTES;
  const headers: Record<string, string> = { 'user-agent': ctx.userAgent, 'accept-language': 'en' };
  if (init.contentType) headers['content-type'] = init.contentType;
  let res: HttpTransportResponse;
  try {
    res = await ctx.send({ method, url, headers, ...(init.body === undefined ? {} : { body: init.body }), timeoutMs: ctx.timeoutMs, maxBodyBytes });
  } catch (err) {
    if (err instanceof HttpResponseTooLargeError) throw new AcmeResponseTooLargeError(url, err.limitBytes, { cause: err });
    if (isTimeout(err)) throw new AcmeTimeoutError(url, ctx.timeoutMs, { cause: err });
    const code = errorCode(err);
    if (code && (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))) {
      throw new AcmeTlsError(url, code, { cause: err });
    }
    throw new AcmeNetworkError(url, code, { cause: err });
  }
  const body = res.body;
  const now = ctx.now();
  // Every ACME response carries a fresh nonce, error responses included (RFC 8555 §6.5): keep it.
  const nonce = res.headers.get('replay-nonce');
  if (nonce) {
    ctx.nonces.push(nonce);
    // Old nonces go stale on the server; a short pool of the newest is all a client needs.
    if (ctx.nonces.length > 8) ctx.nonces.shift();
  }
  const location = res.headers.get('location') ?? undefined;
  const response: AcmeHttpResponse = {
    url,
    status: res.status,
    headers: res.headers,
    body,
    location: location === undefined ? undefined : new URL(location, url).toString(),
    nonce: nonce ?? undefined,
    retryAfterSeconds: parseRetryAfter(res.headers.get('retry-after'), now),
    links: parseLinks(res.headers.get('link'), url),
  };
  if (res.status >= 200 && res.status < 300) return response;
  const contentType = res.headers.get('content-type') ?? undefined;
  const problem = parseProblem(body, contentType);
  if (problem) throw problemError(problem, { url, status: res.status, retryAfterSeconds: response.retryAfterSeconds });
  throw new AcmeHttpError(url, res.status, contentType, body, response.retryAfterSeconds);
}

/** A problem document, if the body is one (`application/problem+json`, or JSON with a string `type`). */
function parseProblem(body: string, contentType: string | undefined): AcmeProblem | undefined {
  if (!contentType || !/json/i.test(contentType)) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { type?: unknown }).type === 'string') {
      return parsed as AcmeProblem;
    }
  } catch {
    // Not JSON although labelled so: fall through to a plain HTTP error that shows the body.
  }
  return undefined;
}

/** Parses a 2xx body as a JSON object, or throws {@link AcmeInvalidResponseError}. */
export function jsonBody<T>(res: AcmeHttpResponse): T {
  try {
    const parsed: unknown = JSON.parse(res.body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as T;
    throw new Error('not a JSON object');
  } catch (err) {
    throw new AcmeInvalidResponseError(res.url, `expected a JSON object, got ${JSON.stringify(res.body.slice(0, 120))}`, {
      status: res.status,
      cause: err,
    });
  }
}
