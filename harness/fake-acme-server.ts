/**
 * A small ACME server for what Pebble 2.4 lacks (RFC 9773 renewal info, profiles) and for faults a
 * real CA will not produce on demand (HTML 502 pages, invalid JSON, slow answers, badNonce storms,
 * endless bodies, `http:` endpoints, refused `replaces`, unknown challenge types).
 * It checks what a CA checks: JWS signatures (jwk or kid), nonces used once, and the `url` header.
 * It listens over HTTPS (ACME is https only, RFC 8555 §6.1) with a throwaway TLS CA: use its `transport`.
 *
 * @example
 * const ca = await startFakeAcmeServer({ renewalInfo: true, profiles: { classic: 'the default' } });
 * const ctx = createAcmeContext({ directoryUrl: ca.directoryUrl, transport: ca.transport });
 * ca.inject('/new-order', { status: 502, contentType: 'text/html', body: '<html>Bad Gateway</html>' });
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flattenedVerify, importJWK, type FlattenedJWS, type JWK } from 'jose';
import { nodeHttpTransport, type HttpTransport } from '../shared/http/index.js';
import { onTestProcessExit } from './processes.js';
import { streamFiller } from './stream-filler.js';
import { createTlsMaterial } from './tls.js';

export interface FakeAcmeOptions {
  readonly renewalInfo?: boolean;
  readonly profiles?: Record<string, string>;
  readonly externalAccountRequired?: boolean;
  readonly termsOfService?: string;
  /** Entries merged over the directory's (an `http:` newOrder, say). */
  readonly directoryOverrides?: Record<string, unknown>;
  /** Challenges offered before the dns-01 one in every authorization (a `dns-persist-01`, say). */
  readonly extraChallenges?: readonly Record<string, unknown>[];
  /** Answer every new order that carries `replaces` (RFC 9773 §5) with this problem; orders without it go through. */
  readonly refuseReplaces?: { readonly status: number; readonly type: string; readonly detail: string };
}

export interface InjectedResponse {
  readonly status: number;
  readonly contentType?: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  /** Delay before answering, to test client timeouts. */
  readonly delayMs?: number;
  /** Send a fresh Replay-Nonce with it (as a real CA does). @default true */
  readonly nonce?: boolean;
  /** Stream this many bytes of JSON-looking filler after `body`, without a Content-Length (a CA that never stops). */
  readonly streamBytes?: number;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly protectedHeader?: Record<string, unknown>;
  readonly payload?: unknown;
}

export interface FakeAcmeServer {
  readonly baseUrl: string;
  readonly directoryUrl: string;
  /** The production transport (node:https), trusting the server's TLS certificate. */
  readonly transport: HttpTransport;
  /** PEM of the CA the server's TLS certificate chains to. */
  readonly caCertPem: string;
  /** Path of that PEM (for `NODE_EXTRA_CA_CERTS` of a child process). */
  readonly caCertPath: string;
  readonly requests: RecordedRequest[];
  /** Answer the next request to `path` with this instead (queued, first in first out). */
  inject(path: string, response: InjectedResponse): void;
  /** The renewal info served for a certificate id. */
  setRenewalInfo(certId: string, info: { start: string; end: string; explanationURL?: string; retryAfter?: string }): void;
  /** Make the next newOrder answer with these identifiers instead of the requested ones. */
  overrideOrderIdentifiers(values: string[]): void;
  /** Set an order's status, as the CA's validation would (`/order/<id>` URL or id). */
  setOrderStatus(orderUrl: string, status: string): void;
  stop(): Promise<void>;
}

const PROBLEM = 'application/problem+json';

export async function startFakeAcmeServer(options: FakeAcmeOptions = {}): Promise<FakeAcmeServer> {
  const requests: RecordedRequest[] = [];
  const injected = new Map<string, InjectedResponse[]>();
  const nonces = new Set<string>();
  const accounts = new Map<string, JWK>(); // account URL → public JWK
  const renewalInfos = new Map<string, { start: string; end: string; explanationURL?: string; retryAfter?: string }>();
  const orders = new Map<string, Record<string, unknown>>();
  let identifierOverride: string[] | undefined;
  let baseUrl = '';

  const newNonce = () => {
    const n = randomBytes(16).toString('base64url');
    nonces.add(n);
    return n;
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'replay-nonce': newNonce(), 'content-type': 'application/json', ...headers });
    res.end(text);
  };
  const problem = (res: ServerResponse, status: number, type: string, detail: string, headers: Record<string, string> = {}) =>
    send(res, status, { type: `urn:ietf:params:acme:error:${type}`, detail, status }, { 'content-type': PROBLEM, ...headers });

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  async function verify(req: IncomingMessage, res: ServerResponse, path: string): Promise<{ header: Record<string, unknown>; payload: unknown; accountUrl?: string; jwk: JWK } | undefined> {
    const jws = JSON.parse(await readBody(req)) as FlattenedJWS;
    const header = JSON.parse(Buffer.from(jws.protected ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    if (header.url !== `${baseUrl}${path}`) {
      problem(res, 401, 'unauthorized', `url header ${String(header.url)} does not match ${baseUrl}${path}`);
      return undefined;
    }
    if (typeof header.nonce !== 'string' || !nonces.delete(header.nonce)) {
      problem(res, 400, 'badNonce', 'JWS has an invalid anti-replay nonce');
      return undefined;
    }
    let jwk: JWK | undefined;
    if (header.jwk) jwk = header.jwk as JWK;
    else if (typeof header.kid === 'string') jwk = accounts.get(header.kid);
    if (!jwk) {
      problem(res, 400, 'accountDoesNotExist', 'The request specified an account that does not exist');
      return undefined;
    }
    try {
      const key = await importJWK(jwk, header.alg as string);
      const verified = await flattenedVerify(jws, key);
      const text = Buffer.from(verified.payload).toString('utf8');
      return { header, payload: text === '' ? undefined : JSON.parse(text), accountUrl: header.kid as string | undefined, jwk };
    } catch (err) {
      problem(res, 400, 'malformed', `JWS verification error: ${(err as Error).message}`);
      return undefined;
    }
  }

  const dir = await mkdtemp(join(tmpdir(), 'acmeflow-fake-acme-'));
  const forget = onTestProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const tls = await createTlsMaterial({ dir, hosts: ['localhost', '127.0.0.1'] });
  const server = createServer({ cert: tls.certPem, key: await readFile(tls.keyPath, 'utf8') }, (req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const queue = injected.get(path);
      const fault = queue?.shift();
      if (fault) {
        requests.push({ method: req.method ?? '', path });
        if (req.method === 'POST') await readBody(req);
        if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
        const headers: Record<string, string> = { ...(fault.headers ?? {}) };
        if (fault.contentType) headers['content-type'] = fault.contentType;
        if (fault.nonce !== false) headers['replay-nonce'] = newNonce();
        res.writeHead(fault.status, headers);
        if (fault.streamBytes) {
          res.write(fault.body ?? '');
          streamFiller(res, fault.streamBytes);
          return;
        }
        res.end(fault.body ?? '');
        return;
      }
      if (path === '/directory') {
        requests.push({ method: req.method ?? '', path });
        const meta: Record<string, unknown> = {};
        if (options.termsOfService) meta.termsOfService = options.termsOfService;
        if (options.externalAccountRequired) meta.externalAccountRequired = true;
        if (options.profiles) meta.profiles = options.profiles;
        return send(res, 200, {
          newNonce: `${baseUrl}/new-nonce`,
          newAccount: `${baseUrl}/new-account`,
          newOrder: `${baseUrl}/new-order`,
          revokeCert: `${baseUrl}/revoke-cert`,
          keyChange: `${baseUrl}/key-change`,
          ...(options.renewalInfo ? { renewalInfo: `${baseUrl}/renewal-info` } : {}),
          meta,
          ...options.directoryOverrides,
        });
      }
      if (path === '/new-nonce') {
        requests.push({ method: req.method ?? '', path });
        res.writeHead(req.method === 'HEAD' ? 200 : 204, { 'replay-nonce': newNonce(), 'cache-control': 'no-store' });
        return res.end();
      }
      if (path.startsWith('/renewal-info/')) {
        requests.push({ method: req.method ?? '', path });
        const info = renewalInfos.get(path.slice('/renewal-info/'.length));
        if (!info) return problem(res, 404, 'malformed', 'unknown certificate');
        return send(
          res,
          200,
          { suggestedWindow: { start: info.start, end: info.end }, ...(info.explanationURL ? { explanationURL: info.explanationURL } : {}) },
          info.retryAfter ? { 'retry-after': info.retryAfter } : {},
        );
      }
      if (req.method !== 'POST') return problem(res, 405, 'malformed', `The HTTP method is invalid: [${req.method}]`);
      const v = await verify(req, res, path);
      if (!v) return;
      requests.push({ method: 'POST', path, protectedHeader: v.header, payload: v.payload });
      if (path === '/new-account') {
        const existing = [...accounts.entries()].find(([, jwk]) => JSON.stringify(jwk) === JSON.stringify(v.jwk));
        const p = (v.payload ?? {}) as Record<string, unknown>;
        if (existing) return send(res, 200, { status: 'valid' }, { location: existing[0] });
        if (p.onlyReturnExisting) return problem(res, 400, 'accountDoesNotExist', 'No account exists with the provided key');
        if (options.externalAccountRequired && !p.externalAccountBinding) {
          return problem(res, 400, 'externalAccountRequired', 'The request must include a value for the externalAccountBinding field');
        }
        const url = `${baseUrl}/account/${accounts.size + 1}`;
        accounts.set(url, v.jwk);
        return send(res, 201, { status: 'valid', contact: p.contact ?? [] }, { location: url });
      }
      if (path === '/new-order') {
        const p = v.payload as { identifiers: { type: string; value: string }[]; replaces?: string };
        if (p.replaces !== undefined && options.refuseReplaces) {
          const r = options.refuseReplaces;
          return problem(res, r.status, r.type, r.detail);
        }
        const id = `${orders.size + 1}`;
        const identifiers = identifierOverride ? identifierOverride.map((value) => ({ type: 'dns', value })) : p.identifiers;
        identifierOverride = undefined;
        const order = {
          status: 'pending',
          identifiers,
          authorizations: identifiers.map((_, i) => `${baseUrl}/authz/${id}-${i}`),
          finalize: `${baseUrl}/finalize/${id}`,
        };
        orders.set(id, order);
        return send(res, 201, order, { location: `${baseUrl}/order/${id}` });
      }
      if (path.startsWith('/finalize/')) {
        const order = orders.get(path.slice('/finalize/'.length));
        if (!order) return problem(res, 404, 'malformed', 'no such order');
        if (order.status !== 'ready') {
          return problem(res, 403, 'orderNotReady', `Order's status ("${String(order.status)}") is not acceptable for finalization`);
        }
        order.status = 'processing';
        return send(res, 200, order, { location: `${baseUrl}/order/${path.slice('/finalize/'.length)}`, 'retry-after': '1' });
      }
      if (path.startsWith('/authz/')) {
        const [orderId, index] = path.slice('/authz/'.length).split('-');
        const order = orders.get(orderId ?? '') as { identifiers: { type: string; value: string }[] } | undefined;
        const identifier = order?.identifiers[Number(index)];
        if (!identifier) return problem(res, 404, 'malformed', 'no such authorization');
        const wildcard = identifier.value.startsWith('*.');
        return send(res, 200, {
          status: 'pending',
          identifier: { type: 'dns', value: identifier.value.replace(/^\*\./, '') },
          ...(wildcard ? { wildcard: true } : {}),
          challenges: [...(options.extraChallenges ?? []), { type: 'dns-01', url: `${baseUrl}/chall${path.slice('/authz'.length)}`, token: `token-${orderId}-${index}`, status: 'pending' }],
        });
      }
      if (path.startsWith('/order/')) {
        const order = orders.get(path.slice('/order/'.length));
        return order ? send(res, 200, order, { 'retry-after': '3' }) : problem(res, 404, 'malformed', 'no such order');
      }
      return problem(res, 404, 'malformed', `no route ${path}`);
    })().catch((err: unknown) => {
      if (!res.headersSent) problem(res, 500, 'serverInternal', String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    directoryUrl: `${baseUrl}/directory`,
    transport: nodeHttpTransport({ ca: tls.caCertPem }),
    caCertPem: tls.caCertPem,
    caCertPath: tls.caCertPath,
    requests,
    inject(path, response) {
      const q = injected.get(path) ?? [];
      q.push(response);
      injected.set(path, q);
    },
    setRenewalInfo(certId, info) {
      renewalInfos.set(certId, info);
    },
    overrideOrderIdentifiers(values) {
      identifierOverride = values;
    },
    setOrderStatus(orderUrl, status) {
      const order = orders.get(orderUrl.slice(orderUrl.lastIndexOf('/') + 1));
      if (!order) throw new Error(`no order ${orderUrl}`);
      order.status = status;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          forget();
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
