/**
 * A thin proxy in front of a real Pebble 2.4 that adds only what Pebble lacks: ACME profiles
 * (draft-ietf-acme-profiles: `meta.profiles` in the directory, a `profile` field accepted on
 * newOrder and echoed in the order) and RFC 9773 renewal information whose windows the test
 * controls. Everything else — accounts, EAB, nonces, JWS checks, validation, issuance, revocation —
 * is the real Pebble's, unchanged.
 *
 * The proxy forwards with the client's `Host` header, so Pebble writes every URL (and checks each
 * JWS `url`, RFC 8555 §6.4) against the proxy's address: no URL needs rewriting, and nonces pass
 * through untouched.
 *
 * Lifetimes: one Pebble has one `certificateValidityPeriod`, and Pebble 2.4 gives an account a random
 * id per instance, so one account cannot span two Pebbles (a JWS `kid` names the account of one of
 * them). A profile's lifetime is therefore its CA's: start one proxied Pebble per lifetime
 * (`pebble: { certificateValidityPeriod }`); `profile` on a newOrder is checked against the list and
 * echoed, and an unknown one is refused with `invalidProfile`.
 *
 * ```ts
 * const ca = await startProfiledPebble({ profiles: { classic: {}, tlsserver: { description: '45 days' } }, pebble: { certificateValidityPeriod: 45 * 86400 } });
 * // ACME client: directory ca.directoryUrl, transport ca.transport, EAB ca.eab; DNS through ca.challtestsrv
 * ca.setRenewalWindow(certPem, { start: new Date(), end: new Date(Date.now() + 3600_000) }); // one certificate
 * ca.moveAllRenewalWindows({ start, end });   // every certificate issued so far: a mass-revocation drill
 * ca.orderProfiles();                          // order URL → the profile it was created with
 * await ca.stop();
 * ```
 *
 * Control API (for the tests and benchmarks of other streams too): {@link PebbleProxyHandle}. The
 * renewal info of a certificate the test did not set is Let's Encrypt's shape: a window of 2 % of
 * the lifetime starting when one third is left, `Retry-After` six hours.
 */
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { ariCertificateId, parseCertificate } from '../shared/crypto/index.js';
import { nodeHttpTransport, type HttpTransport } from '../shared/http/index.js';
import { startPebble, type PebbleEab, type PebbleHandle, type StartPebbleOptions } from './pebble.js';
import type { ChalltestsrvHandle } from './challtestsrv.js';

export interface StartProfiledPebbleOptions {
  /** Profile name → description (the directory's `meta.profiles`). The first is the default. @default { classic: 'the default profile' } */
  readonly profiles?: Readonly<Record<string, string>>;
  /** List the profiles in the directory. `false` makes a CA that knows none (newOrder ignores `profile`, as Pebble 2.4 does). @default true */
  readonly listProfiles?: boolean;
  /** Serve `renewalInfo` (RFC 9773). @default true */
  readonly renewalInfo?: boolean;
  /** Options for the Pebble behind the proxy (`certificateValidityPeriod` sets the lifetime). */
  readonly pebble?: StartPebbleOptions;
}

/** A renewal window as the test sets it (RFC 9773 §4.2). */
export interface RenewalWindowSetting {
  readonly start: Date;
  readonly end: Date;
  readonly explanationURL?: string;
  /** `Retry-After` in seconds. @default 21600 (six hours, as Let's Encrypt sends) */
  readonly retryAfterSeconds?: number;
}

export interface PebbleProxyHandle {
  /** `https://127.0.0.1:<port>/dir`: the proxy's directory. */
  readonly directoryUrl: string;
  readonly eab: PebbleEab;
  /** The CA of the TLS listeners (the proxy's and Pebble's). */
  readonly caCertPem: string;
  readonly transport: HttpTransport;
  /** Environment for a child process so it trusts the proxy's TLS listener. */
  readonly env: PebbleHandle['env'];
  /** The DNS server Pebble's VA asks, when the harness started it. */
  readonly challtestsrv: ChalltestsrvHandle | undefined;
  readonly dnsServer: string;
  /** The real Pebble behind the proxy. */
  readonly pebble: PebbleHandle;
  /** Sets the renewal window of one certificate (PEM, or its ARI certificate id). */
  setRenewalWindow(certificate: string, window: RenewalWindowSetting): void;
  /** Sets the same window for every certificate issued through the proxy so far (a mass-revocation drill); returns how many. */
  moveAllRenewalWindows(window: RenewalWindowSetting): number;
  /** ARI certificate ids asked for, in order. */
  renewalInfoRequests(): readonly string[];
  /** Order URL → the profile it was created with (orders without one are absent). */
  orderProfiles(): Readonly<Record<string, string>>;
  /** The PEM of every certificate downloaded through the proxy, by ARI certificate id. */
  issuedCertificates(): Readonly<Record<string, string>>;
  /** Stops the proxy and the Pebble. Idempotent. */
  stop(): Promise<void>;
}

interface Forwarded {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** The payload of a flattened JWS (RFC 7515 §7.2.2), unverified: Pebble verifies it. */
function jwsPayload(body: Buffer): Record<string, unknown> | undefined {
  try {
    const jws = JSON.parse(body.toString('utf8')) as { payload?: string };
    return jws.payload ? (JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Starts a real Pebble and the proxy in front of it. See the file comment.
 *
 * @example
 * const ca = await startProfiledPebble({ profiles: { shortlived: 'six days' }, pebble: { certificateValidityPeriod: 6 * 86400 } });
 */
export async function startProfiledPebble(options: StartProfiledPebbleOptions = {}): Promise<PebbleProxyHandle> {
  const pebble = await startPebble(options.pebble);
  try {
    return await startProxy(pebble, options);
  } catch (err) {
    await pebble.stop();
    throw err;
  }
}

async function startProxy(pebble: PebbleHandle, options: StartProfiledPebbleOptions): Promise<PebbleProxyHandle> {
  const profiles = options.profiles ?? { classic: 'the default profile' };
  const listProfiles = options.listProfiles ?? true;
  const renewalInfo = options.renewalInfo ?? true;
  const config = JSON.parse(await readFile(pebble.configPath, 'utf8')) as { pebble: { certificate: string; privateKey: string } };
  const [cert, key] = await Promise.all([readFile(config.pebble.certificate), readFile(config.pebble.privateKey)]);
  const backend = new URL(pebble.directoryUrl).origin;
  const orderProfile = new Map<string, string>();
  const certificates = new Map<string, string>();
  const windows = new Map<string, RenewalWindowSetting>();
  const ariRequests: string[] = [];
  let host = '';

  function forward(method: string, path: string, headers: IncomingHttpHeaders, body: Buffer | undefined): Promise<Forwarded> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        new URL(path, backend),
        // The client's Host: Pebble builds its URLs and checks the JWS `url` against it.
        { method, ca: pebble.caCertPem, headers: { ...headers, host, ...(body ? { 'content-length': String(body.length) } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers, 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  }

  function relay(res: ServerResponse, fwd: Forwarded, body: Buffer = fwd.body): void {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(fwd.headers)) {
      if (v !== undefined && k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection' && k !== 'keep-alive') headers[k] = v;
    }
    res.writeHead(fwd.status, { ...headers, 'content-length': String(body.length) });
    res.end(body);
  }

  /** Let's Encrypt's shape: 2 % of the lifetime, starting when one third is left. */
  function defaultWindow(pem: string): RenewalWindowSetting {
    const info = parseCertificate(pem);
    const notBefore = Date.parse(info.notBefore);
    const lifetime = Date.parse(info.notAfter) - notBefore;
    const start = notBefore + Math.round((lifetime * 2) / 3);
    return { start: new Date(start), end: new Date(start + Math.max(60_000, Math.round(lifetime / 50))) };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/dir') {
      const fwd = await forward('GET', '/dir', {}, undefined);
      const dir = JSON.parse(fwd.body.toString('utf8')) as Record<string, unknown>;
      const meta = { ...(dir.meta as Record<string, unknown> | undefined), ...(listProfiles ? { profiles } : {}) };
      return send(res, 200, { ...dir, meta, ...(renewalInfo ? { renewalInfo: `https://${host}/renewal-info` } : {}) });
    }
    if (renewalInfo && method === 'GET' && path.startsWith('/renewal-info/')) {
      // RFC 9773 §4.1: GET {renewalInfo}/{certID}, unauthenticated.
      const id = decodeURIComponent(path.slice('/renewal-info/'.length));
      ariRequests.push(id);
      const pem = certificates.get(id);
      const window = windows.get(id) ?? (pem ? defaultWindow(pem) : undefined);
      if (!window) return send(res, 404, { type: 'urn:ietf:params:acme:error:malformed', detail: 'no certificate with this ARI id', status: 404 });
      return send(
        res,
        200,
        { suggestedWindow: { start: window.start.toISOString(), end: window.end.toISOString() }, ...(window.explanationURL ? { explanationURL: window.explanationURL } : {}) },
        { 'retry-after': String(window.retryAfterSeconds ?? 6 * 3600) },
      );
    }
    const body = method === 'POST' ? await readBody(req) : undefined;
    let profile: string | undefined;
    if (path === '/order-plz' && body && listProfiles) {
      const asked = jwsPayload(body)?.profile;
      if (typeof asked === 'string') {
        if (!Object.hasOwn(profiles, asked)) {
          // draft-ietf-acme-profiles §4: an order naming a profile the CA does not offer.
          const nonce = (await forward('HEAD', '/nonce-plz', {}, undefined)).headers['replay-nonce'];
          return send(
            res,
            400,
            { type: 'urn:ietf:params:acme:error:invalidProfile', detail: `unknown profile "${asked}"`, status: 400 },
            { 'content-type': 'application/problem+json', 'replay-nonce': String(nonce) },
          );
        }
        profile = asked;
      }
    }
    const fwd = await forward(method, path, req.headers, body);
    const contentType = String(fwd.headers['content-type'] ?? '');
    if (contentType.startsWith('application/pem-certificate-chain')) {
      const leaf = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(fwd.body.toString('utf8'))?.[0];
      if (leaf) certificates.set(ariCertificateId(leaf), leaf);
      return relay(res, fwd);
    }
    if (contentType.startsWith('application/json') && fwd.status < 300) {
      const obj = JSON.parse(fwd.body.toString('utf8')) as Record<string, unknown>;
      if (typeof obj.finalize === 'string') {
        // An order: from newOrder (Location), a POST-as-GET of it, or finalize.
        const orderPath =
          typeof fwd.headers.location === 'string' && path === '/order-plz'
            ? new URL(fwd.headers.location).pathname
            : new URL(obj.finalize.replace('/finalize-order/', '/my-order/')).pathname;
        if (profile) orderProfile.set(orderPath, profile);
        const echoed = orderProfile.get(orderPath);
        if (echoed) return relay(res, fwd, Buffer.from(JSON.stringify({ ...obj, profile: echoed })));
      }
    }
    return relay(res, fwd);
  }

  const server: Server = createServer({ cert, key }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 502, { type: 'urn:ietf:params:acme:error:serverInternal', detail: `proxy: ${(err as Error).message}`, status: 502 });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('pebble proxy: no address');
  host = `127.0.0.1:${address.port}`;

  const idOf = (certificate: string) => (certificate.includes('-----BEGIN') ? ariCertificateId(certificate) : certificate);
  let stopping: Promise<void> | undefined;
  return {
    directoryUrl: `https://${host}/dir`,
    eab: pebble.eab,
    caCertPem: pebble.caCertPem,
    transport: nodeHttpTransport({ ca: pebble.caCertPem }),
    env: pebble.env,
    challtestsrv: pebble.challtestsrv,
    dnsServer: pebble.dnsServer,
    pebble,
    setRenewalWindow: (certificate, window) => {
      windows.set(idOf(certificate), window);
    },
    moveAllRenewalWindows: (window) => {
      for (const id of certificates.keys()) windows.set(id, window);
      return certificates.size;
    },
    renewalInfoRequests: () => [...ariRequests],
    orderProfiles: () => Object.fromEntries([...orderProfile].map(([path, name]) => [`https://${host}${path}`, name])),
    issuedCertificates: () => Object.fromEntries(certificates),
    stop: () =>
      (stopping ??= (async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await pebble.stop();
      })()),
  };
}
