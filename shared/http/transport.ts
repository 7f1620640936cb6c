/**
 * How acmeflow speaks plain HTTP: one request out, one response read whole. The callers (the ACME
 * layer's `httpRequest`, the S3 store's signed reads) map failures to their own typed errors; a
 * transport only moves bytes.
 *
 * The default, {@link nodeHttpTransport}, is Node's own `http`/`https` with keep-alive agents. It is
 * the cheap path: the sweep's planning sends one renewal-information GET per ARI lineage (RFC 9773
 * §4.3), thousands per sweep, and Node's WHATWG `fetch` spent ~1.3 ms of CPU on each against ~0.6 ms
 * here (bench/aws/planning.ts); at 512 MB a Lambda has 0.29 of a vCPU, so that difference is the
 * planning's time. {@link fetchTransport} keeps any `fetch` usable (a proxy-aware one, a test's).
 */
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { HttpResponseTooLargeError } from './errors.js';
import { readCappedText } from './read-capped.js';

let builtins: { readonly http: typeof Http; readonly https: typeof Https } | undefined;

/**
 * node:http and node:https, loaded when the first transport is made, not imported: an ES module import
 * of node:http costs ~70 ms of CPU at every Lambda cold start on Node 22 (its facade reads the lazy
 * `http.WebSocket`, which loads undici: nodejs/node#59686; infra/lambda/bundle-options.ts; kept out of
 * every bundle by test/infra/bundle-entry.test.ts), and even loaded plainly the two cost ~12 ms that a
 * function's module init need not pay (the SDK's handler loads them on the first invocation anyway).
 * (Not `createRequire`: the bundles' banner already declares that name.)
 */
function httpBuiltins(): { readonly http: typeof Http; readonly https: typeof Https } {
  builtins ??= { http: process.getBuiltinModule('node:http'), https: process.getBuiltinModule('node:https') };
  return builtins;
}

export interface HttpTransportRequest {
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The whole exchange, body included, fails with an error named `TimeoutError` after this long. */
  readonly timeoutMs: number;
  /**
   * The most bytes of body to read: past it the exchange fails with {@link HttpResponseTooLargeError}
   * while reading, so a server that streams without end cannot exhaust the process's memory.
   * @default no limit (the caller's own servers, such as S3)
   */
  readonly maxBodyBytes?: number;
}

/** Response headers, read by name (case-insensitive); a repeated header comes joined with ", ". */
export interface HttpHeaderReader {
  get(name: string): string | null;
}

export interface HttpTransportResponse {
  readonly status: number;
  readonly headers: HttpHeaderReader;
  /** The body as UTF-8 text; empty for HEAD. */
  readonly body: string;
}

/** Sends one request and reads its response to the end. Never follows redirects, never retries a response. */
export type HttpTransport = (request: HttpTransportRequest) => Promise<HttpTransportResponse>;

/** The `fetch` signature the ACME layer accepts (a subset of the global one). */
export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

export interface NodeHttpTransportOptions {
  /** Roots to trust for `https:` instead of Node's (a private CA's, PEM). @default Node's roots plus NODE_EXTRA_CA_CERTS */
  readonly ca?: string;
  /** Connections kept per origin. The sweep asks 32 lineages at once. @default 64 */
  readonly maxSockets?: number;
  /**
   * Proxy settings (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) to send through, as Node's agents read them.
   * @default process.env when NODE_USE_ENV_PROXY=1 (Node's own switch, which its fetch honours too), else none
   */
  readonly proxyEnv?: Readonly<Record<string, string | undefined>>;
}

class NodeHeaders implements HttpHeaderReader {
  readonly #headers: Http.IncomingHttpHeaders;

  constructor(headers: Http.IncomingHttpHeaders) {
    this.#headers = headers;
  }

  get(name: string): string | null {
    const value = this.#headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
}

/** Dead kept-alive connections one request may meet before it gives up (then the caller's retries apply). */
const MAX_STALE_RESETS = 8;

function timeoutError(url: string, ms: number): Error {
  // The name http.ts (and fetch's AbortSignal.timeout) use for a request that ran out of time.
  return Object.assign(new Error(`no complete answer from ${url} within ${ms} ms`), { name: 'TimeoutError' });
}

/**
 * A transport over `node:http` / `node:https` with keep-alive agents of its own.
 *
 * A connection the server closed while it sat idle (a Lambda frozen between invocations wakes up
 * with such sockets) fails the next request on it with ECONNRESET before any answer came; Node marks
 * that request `reusedSocket`, and it is sent again, as Node's documentation advises, until it goes
 * out on a fresh connection (at most {@link MAX_STALE_RESETS} resets). A POST sent twice this way is safe for ACME: its nonce is single-use (RFC 8555 §6.5), so a
 * server that did see the first copy answers the second with badNonce, which the caller re-signs.
 *
 * @example
 * const ctx = createAcmeContext({ directoryUrl, transport: nodeHttpTransport({ ca: privateRootPem }) });
 */
export function nodeHttpTransport(options: NodeHttpTransportOptions = {}): HttpTransport {
  const { http, https } = httpBuiltins();
  const proxyEnv = options.proxyEnv ?? (process.env['NODE_USE_ENV_PROXY'] === '1' ? process.env : undefined);
  // `proxyEnv` is an Agent option since Node 22.21 (older versions ignore it and connect directly).
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, scheduling: 'lifo' as const, ...(proxyEnv ? { proxyEnv } : {}) };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent({ ...agentOptions, ...(options.ca === undefined ? {} : { ca: options.ca }) });

  const once = (request: HttpTransportRequest, target: URL): Promise<HttpTransportResponse & { retry?: true }> =>
    new Promise((resolve, reject) => {
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') {
        reject(Object.assign(new TypeError(`${request.url}: only http: and https: URLs can be fetched`), { code: 'ERR_INVALID_PROTOCOL' }));
        return;
      }
      const headers: Record<string, string> = { ...request.headers };
      if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
      // An options object, not the URL: Node would parse the URL into these again on every request.
      const req = (secure ? https : http).request({
        protocol: target.protocol,
        hostname: target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname,
        ...(target.port ? { port: Number(target.port) } : {}),
        path: `${target.pathname}${target.search}`,
        method: request.method,
        headers,
        agent: secure ? httpsAgent : httpAgent,
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy(timeoutError(request.url, request.timeoutMs));
      }, request.timeoutMs);
      // Whatever broke the exchange once the timer fired, the caller hears "timed out".
      const fail = (err: Error) => {
        clearTimeout(timer);
        reject(timedOut ? timeoutError(request.url, request.timeoutMs) : err);
      };
      let answered = false;
      req.on('response', (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        const limit = request.maxBodyBytes;
        let received = 0;
        const tooLarge = () => {
          clearTimeout(timer);
          reject(new HttpResponseTooLargeError(request.url, limit as number));
          // Destroying the request drops the socket: the rest of the answer is never read.
          req.destroy();
        };
        // A HEAD answer's Content-Length is the size of a body that is not sent.
        if (limit !== undefined && request.method !== 'HEAD' && Number(res.headers['content-length']) > limit) {
          res.on('error', () => undefined);
          tooLarge();
          return;
        }
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (limit !== undefined && received > limit) {
            chunks.length = 0;
            if (!res.destroyed) tooLarge();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: new NodeHeaders(res.headers), body: Buffer.concat(chunks).toString('utf8') });
        });
        // A body cut off (the connection reset mid-answer, or the timer above) rejects.
        res.on('error', fail);
        res.on('close', () => {
          if (!res.complete) fail(Object.assign(new Error(`${request.url}: the connection closed before the whole answer came`), { code: 'ECONNRESET' }));
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (!answered && !timedOut && req.reusedSocket && err.code === 'ECONNRESET') {
          clearTimeout(timer);
          resolve({ status: 0, headers: new NodeHeaders({}), body: '', retry: true });
        } else fail(err);
      });
      req.end(request.body);
    });

  return async (request) => {
    const target = new URL(request.url);
    // Each reset destroys one dead kept-alive socket; after a long freeze several may be dead, and
    // the pool hands them out one by one until a fresh connection is made (which never retries).
    for (let resets = 0; ; resets++) {
      const answer = await once(request, target);
      if (!answer.retry) return answer;
      if (resets === MAX_STALE_RESETS) throw Object.assign(new Error(`${request.url}: ${resets + 1} kept-alive connections in a row were reset`), { code: 'ECONNRESET' });
    }
  };
}

/**
 * A transport over a `fetch` function: a proxy-aware fetch, or a test's that trusts its own CA.
 *
 * @example
 * const ctx = createAcmeContext({ directoryUrl, transport: fetchTransport(proxyFetch) });
 */
export function fetchTransport(fetchFn: FetchFunction): HttpTransport {
  return async (request) => {
    const res = await fetchFn(request.url, {
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: AbortSignal.timeout(request.timeoutMs),
      redirect: 'manual',
    });
    const body = request.method === 'HEAD' ? '' : request.maxBodyBytes === undefined ? await res.text() : await readCappedText(res, request.maxBodyBytes, request.url);
    return { status: res.status, headers: res.headers, body };
  };
}

let shared: HttpTransport | undefined;

/** The process's default transport: one pair of keep-alive agents for every context (a warm Lambda reuses them). */
export function defaultHttpTransport(): HttpTransport {
  shared ??= nodeHttpTransport();
  return shared;
}
