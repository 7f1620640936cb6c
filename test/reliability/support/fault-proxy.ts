/**
 * A fault-injecting HTTPS proxy for the ACME CA: it listens on loopback with the harness's TLS
 * material (`harness/tls.ts`), forwards every request to the CA (Pebble) keeping the `Host`
 * header — Pebble builds its URLs and checks the JWS `url` from it, so every URL the client sees
 * points at the proxy and no rewriting is needed — and answers the requests a scripted rule matches
 * with a fault instead: a dropped connection (before or after the CA saw the request), a status with
 * or without `Retry-After` (problem document, HTML page or plain text), an answer held back past the
 * client's timeout, or a JSON body cut short.
 *
 * ```ts
 * const proxy = await startFaultProxy({ upstream: pebble.directoryUrl, upstreamCaPem: pebble.caCertPem });
 * proxy.script([{ path: /^\/order-plz/, times: 2, fault: { kind: 'status', status: 503, retryAfter: '1', body: HTML_502 } }]);
 * const engine = new LocalEngine({ configDir, transport: proxy.transport, ... });   // lineage ca.directoryUrl = proxy.directoryUrl
 * proxy.requests;  // every request and what the proxy did with it
 * ```
 */
import { once } from 'node:events';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import { nodeHttpTransport, type HttpTransport } from '../../../shared/http/index.js';
import { onTestProcessExit } from '../../../harness/processes.js';
import { createTlsMaterial, type TlsMaterial } from '../../../harness/tls.js';

/** What the proxy does to a request a rule matches. */
export type Fault =
  /** The connection is closed before the CA sees the request. */
  | { readonly kind: 'drop' }
  /** The CA processes the request; its answer is lost (the connection closes without a response). */
  | { readonly kind: 'drop-after' }
  /** This status instead of the CA's answer (the CA does not see the request). */
  | {
      readonly kind: 'status';
      readonly status: number;
      /** `Retry-After` header value (seconds or an HTTP date). */
      readonly retryAfter?: string;
      /** An ACME problem document of this short type (`serverInternal`, `rateLimited`, ...) as the body. */
      readonly problem?: string;
      /** A body of this content type instead (an HTML error page, plain text). */
      readonly body?: string;
      readonly contentType?: string;
    }
  /** The CA's answer, held back this long (past the client's timeout). */
  | { readonly kind: 'slow'; readonly delayMs: number }
  /**
   * The CA's answer with its body cut to `keep` bytes (default: half). `honest`: the headers say the
   * short length (a complete but invalid JSON answer); `cut`: the headers announce the full length
   * and the connection closes early (a body that ends mid-transfer).
   */
  | { readonly kind: 'truncate'; readonly framing: 'honest' | 'cut'; readonly keep?: number };

/** A scripted fault: which requests, how many of them, and what happens to them. */
export interface FaultRule {
  /** Matched against the request path (with query). */
  readonly path: RegExp;
  /** Only this method (`POST`, `HEAD`, `GET`). */
  readonly method?: string;
  /** Let this many matching requests through first. @default 0 */
  readonly skip?: number;
  /** How many matching requests get the fault (`Infinity`: all). @default 1 */
  readonly times?: number;
  readonly fault: Fault;
}

/** One request the proxy saw. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  /** The fault applied, if any. */
  readonly fault?: Fault['kind'];
  /** The status the client received (undefined: no response, the connection was dropped or abandoned). */
  readonly status?: number;
  /** The ACME problem type of an error answer, when there was one (the CA's or the injected one). */
  readonly problemType?: string;
  /** Whether the CA (upstream) saw the request. */
  readonly forwarded: boolean;
}

export interface FaultProxy {
  /** `https://127.0.0.1:<port>` */
  readonly origin: string;
  /** The CA's directory URL through the proxy. */
  readonly directoryUrl: string;
  /** A fetch that trusts the proxy's TLS certificate; inject it into the ACME layer or the engine. */
  readonly fetch: typeof fetch;
  /** The ACME layer's production transport (node:https, keep-alive), trusting the proxy's TLS certificate. */
  readonly transport: HttpTransport;
  /** PEM of the CA that signed the proxy's certificate (for `NODE_EXTRA_CA_CERTS`). */
  readonly caCertPath: string;
  /** Every request so far, oldest first. */
  readonly requests: readonly ProxiedRequest[];
  /** Replaces the rules (their counters start at zero). */
  script(rules: readonly FaultRule[]): void;
  /** Removes every rule. */
  clear(): void;
  /** Forgets the request log. */
  resetLog(): void;
  stop(): Promise<void>;
}

export interface StartFaultProxyOptions {
  /** Any URL of the CA (its origin is used), e.g. `pebble.directoryUrl`. */
  readonly upstream: string;
  /** The PEM the CA's TLS certificate chains to (`pebble.caCertPem`). */
  readonly upstreamCaPem: string;
  /** The path of the directory on the CA. @default '/dir' */
  readonly directoryPath?: string;
  /** TLS material for the listener. @default generated (harness/tls.ts) */
  readonly tls?: TlsMaterial;
}

/** An error page as a load balancer in front of a CA serves it. */
export const HTML_ERROR_PAGE = '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'content-length']);

interface ActiveRule {
  readonly rule: FaultRule;
  seen: number;
}

function problemTypeOf(contentType: string | undefined, body: Buffer): string | undefined {
  if (!contentType || !/json/i.test(contentType)) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { type?: unknown };
    return typeof parsed.type === 'string' ? parsed.type.replace('urn:ietf:params:acme:error:', '') : undefined;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A global-fetch-compatible function over undici's fetch with `agent` as dispatcher (the agent trusts the proxy's CA). */
export function trustingFetch(agent: Agent): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' || input instanceof URL ? input : input.url;
    const res = await undiciFetch(url, { ...(init as UndiciRequestInit | undefined), dispatcher: agent });
    return res as unknown as Response;
  }) as typeof fetch;
}

/**
 * Starts the proxy on a free loopback port.
 *
 * @example
 * const proxy = await startFaultProxy({ upstream: pebble.directoryUrl, upstreamCaPem: pebble.caCertPem });
 * proxy.script([{ path: /^\/finalize-order\//, fault: { kind: 'drop-after' } }]);
 */
export async function startFaultProxy(options: StartFaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  let tls = options.tls;
  let forget: (() => void) | undefined;
  if (!tls) {
    const dir = await mkdtemp(join(tmpdir(), 'acmeflow-fault-proxy-'));
    forget = onTestProcessExit(() => rmSync(dir, { recursive: true, force: true }));
    tls = await createTlsMaterial({ dir, hosts: ['localhost', '127.0.0.1'] });
  }
  const upstreamAgent = new https.Agent({ ca: options.upstreamCaPem, keepAlive: true });
  let rules: ActiveRule[] = [];
  const requests: ProxiedRequest[] = [];
  const pending = new Set<NodeJS.Timeout>();

  const ruleFor = (method: string, path: string): Fault | undefined => {
    for (const active of rules) {
      const { rule } = active;
      if (rule.method && rule.method !== method) continue;
      if (!rule.path.test(path)) continue;
      active.seen += 1;
      const skip = rule.skip ?? 0;
      const times = rule.times ?? 1;
      if (active.seen > skip && active.seen <= skip + times) return rule.fault;
    }
    return undefined;
  };

  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      }
      headers['content-length'] = String(body.length);
      const upstreamReq = https.request(
        {
          protocol: 'https:',
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          // The Host header stays the proxy's: Pebble derives its URLs and the JWS url check from it.
          headers,
          agent: upstreamAgent,
        },
        (upstreamRes) => {
          const chunks: Buffer[] = [];
          upstreamRes.on('data', (chunk: Buffer) => chunks.push(chunk));
          upstreamRes.on('end', () => {
            const out: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(upstreamRes.headers)) {
              if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
            }
            resolve({ status: upstreamRes.statusCode ?? 502, headers: out, body: Buffer.concat(chunks) });
          });
          upstreamRes.on('error', reject);
        },
      );
      upstreamReq.on('error', reject);
      upstreamReq.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const body = await readBody(req);
    const fault = ruleFor(method, path);
    const log = (entry: Omit<ProxiedRequest, 'method' | 'path'>) => requests.push({ method, path, ...entry });
    if (fault?.kind === 'drop') {
      log({ fault: 'drop', forwarded: false });
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      const problemBody = fault.problem
        ? JSON.stringify({ type: `urn:ietf:params:acme:error:${fault.problem}`, detail: `injected by the fault proxy (${fault.status})`, status: fault.status })
        : undefined;
      const text = problemBody ?? fault.body ?? '';
      const contentType = problemBody ? 'application/problem+json' : (fault.contentType ?? 'text/plain; charset=utf-8');
      res.writeHead(fault.status, {
        'content-type': contentType,
        'content-length': String(Buffer.byteLength(text)),
        ...(fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter }),
      });
      res.end(text);
      log({ fault: 'status', status: fault.status, ...(fault.problem ? { problemType: fault.problem } : {}), forwarded: false });
      return;
    }
    let answer: Awaited<ReturnType<typeof forward>>;
    try {
      answer = await forward(req, body);
    } catch {
      log({ forwarded: true });
      req.socket.destroy();
      return;
    }
    const problemType = answer.status >= 400 ? problemTypeOf(String(answer.headers['content-type'] ?? ''), answer.body) : undefined;
    const entry = { forwarded: true, ...(problemType ? { problemType } : {}) };
    if (fault?.kind === 'drop-after') {
      log({ ...entry, fault: 'drop-after' });
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') {
      // The CA has answered; the client sees nothing until it gives up (or the delay ends).
      const closed = once(res, 'close').then(() => 'closed' as const);
      let timer: NodeJS.Timeout | undefined;
      const elapsed = new Promise<'elapsed'>((resolve) => {
        timer = setTimeout(() => resolve('elapsed'), fault.delayMs);
        pending.add(timer);
      });
      const first = await Promise.race([closed, elapsed]);
      if (timer) {
        clearTimeout(timer);
        pending.delete(timer);
      }
      if (first === 'closed' || res.destroyed) {
        log({ ...entry, fault: 'slow' });
        return;
      }
      res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
      res.end(answer.body);
      log({ ...entry, fault: 'slow', status: answer.status });
      return;
    }
    if (fault?.kind === 'truncate') {
      const keep = Math.max(0, Math.min(answer.body.length - 1, fault.keep ?? Math.floor(answer.body.length / 2)));
      const cut = answer.body.subarray(0, keep);
      if (fault.framing === 'honest') {
        res.writeHead(answer.status, { ...answer.headers, 'content-length': String(cut.length) });
        res.end(cut);
        log({ ...entry, fault: 'truncate', status: answer.status });
      } else {
        res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
        res.write(cut, () => req.socket.destroy());
        log({ ...entry, fault: 'truncate' });
      }
      return;
    }
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
    res.end(answer.body);
    log({ ...entry, status: answer.status });
  };

  const server = https.createServer({ cert: tls.certPem, key: await readFile(tls.keyPath, 'utf8') }, (req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  server.keepAliveTimeout = 4_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `https://127.0.0.1:${port}`;
  const agent = new Agent({ connect: { ca: tls.caCertPem }, keepAliveTimeout: 2_000 });
  let stopping: Promise<void> | undefined;
  return {
    origin,
    directoryUrl: `${origin}${options.directoryPath ?? '/dir'}`,
    fetch: trustingFetch(agent),
    transport: nodeHttpTransport({ ca: tls.caCertPem }),
    caCertPath: tls.caCertPath,
    get requests() {
      return requests;
    },
    script: (next) => {
      rules = next.map((rule) => ({ rule, seen: 0 }));
    },
    clear: () => {
      rules = [];
    },
    resetLog: () => {
      requests.length = 0;
    },
    stop: () =>
      (stopping ??= (async () => {
        for (const timer of pending) clearTimeout(timer);
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        upstreamAgent.destroy();
        await agent.destroy().catch(() => undefined);
        forget?.();
      })()),
  };
}
