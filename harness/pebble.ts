/**
 * Pebble (Let's Encrypt's test ACME CA, Debian package `pebble` 2.4.0) for tests: a fresh CA per call,
 * External Account Binding required by default, DNS-01 validated against a `pebble-challtestsrv` this
 * harness starts (or a DNS server you name), listening on free loopback ports with a generated TLS cert.
 *
 * ```ts
 * import { startPebble, type PebbleHandle } from './pebble.js';
 *
 * let pebble: PebbleHandle;
 * beforeAll(async () => { pebble = await startPebble(); });
 * afterAll(() => pebble.stop());
 *
 * it('issues', async () => {
 *   // ACME client: directory pebble.directoryUrl, injected fetch pebble.fetch, EAB pebble.eab.{kid,hmacKey}
 *   await pebble.challtestsrv!.addTxt(`_acme-challenge.${domain}`, digest);   // what the VA will see
 *   const root = await pebble.rootCertificatePem();          // verify the issued chain against this
 *   const status = await pebble.certStatusBySerial(serialHex); // after revokeCert: 'Revoked', reason
 * });
 * ```
 *
 * Child processes (the `acmeflow` CLI, certbot) trust Pebble's TLS listener with `env: { ...process.env, ...pebble.env }`.
 *
 * Defaults differ from Pebble's own on purpose: no VA sleeps (`PEBBLE_VA_NOSLEEP=1`), no rejected nonces
 * (`PEBBLE_WFE_NONCEREJECT=0`, Pebble's default is 5 %) and no authorization reuse (`PEBBLE_AUTHZREUSE=0`,
 * Pebble's default is 50 %), so tests are deterministic; tests for that chaos pass `env` overrides.
 * Pebble's issuing root and intermediate are new on every start: fetch them, never pin them.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import { nodeHttpTransport, type HttpTransport } from '../shared/http/index.js';
import { startChalltestsrv, type ChalltestsrvHandle } from './challtestsrv.js';
import { freePort } from './ports.js';
import { httpProbe, onTestProcessExit, ProcessStartError, spawnServer, tcpProbe, type ManagedProcess } from './processes.js';
import { createTlsMaterial, type TlsMaterial } from './tls.js';

export interface StartPebbleOptions {
  /** `externalAccountBindingRequired` in Pebble's config. The EAB key is configured either way. @default true */
  readonly eabRequired?: boolean;
  /**
   * Environment for Pebble on top of the harness defaults (`PEBBLE_VA_NOSLEEP: '1'`,
   * `PEBBLE_WFE_NONCEREJECT: '0'`, `PEBBLE_AUTHZREUSE: '0'`); `undefined` removes a variable so Pebble's
   * own default applies. `PEBBLE_*` variables of the test process are never passed through.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `host:port` of the DNS server Pebble's VA queries. @default a pebble-challtestsrv started for this Pebble */
  readonly dnsServer?: string;
  /** More EAB keys, kid → HMAC key as base64url without padding (Pebble refuses any other encoding). */
  readonly extraEab?: Readonly<Record<string, string>>;
  /** Lifetime of issued certificates in seconds (Pebble 2.4.0 default: 5 years). */
  readonly certificateValidityPeriod?: number;
  /** Domains Pebble refuses to issue for (`rejectedIdentifier`). */
  /** Note: Pebble 2.4 panics on an order for a name with fewer labels than a blocklist entry; keep entries short. */
  readonly domainBlocklist?: readonly string[];
  /** Merged last into the `pebble` object of the config file. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** @default 10_000 */
  readonly startTimeoutMs?: number;
  /** @default 'pebble' */
  readonly command?: string;
}

/** An External Account Binding credential as a CA hands it out (RFC 8555 §7.3.4). */
export interface PebbleEab {
  readonly kid: string;
  /** HMAC-SHA256 key, base64url without padding. */
  readonly hmacKey: string;
}

/** What Pebble's management API knows about one certificate it issued. */
export interface PebbleCertStatus {
  /** `'Valid'` or `'Revoked'` (Pebble's spelling). */
  readonly status: string;
  /** Lowercase hex without leading zeros, as Pebble prints it. */
  readonly serial: string;
  readonly certificatePem: string;
  /** RFC 5280 §5.3.1 CRLReason code given at revocation; absent when valid. */
  readonly revocationReason?: number;
  readonly revokedAt?: Date;
  /** The JSON as Pebble sent it. */
  readonly raw: Record<string, unknown>;
}

export interface PebbleHandle {
  /** `https://127.0.0.1:<port>/dir` */
  readonly directoryUrl: string;
  /** `https://127.0.0.1:<port>` (same TLS certificate as the ACME listener). */
  readonly managementUrl: string;
  /** The EAB credential configured in Pebble. */
  readonly eab: PebbleEab;
  /** The `extraEab` keys, as configured. */
  readonly extraEab: Readonly<Record<string, string>>;
  /**
   * PEM of the CA that signed Pebble's TLS certificate (not Pebble's issuing root). Generated once per test
   * process and shared by every Pebble it starts; the file stays until the process exits.
   */
  readonly caCertPem: string;
  readonly caCertPath: string;
  /** Same signature as global fetch; trusts {@link caCertPem} and nothing else. Inject it into ACME code. */
  readonly fetch: typeof fetch;
  /** The ACME layer's production transport (node:https, keep-alive), trusting {@link caCertPem} only. */
  readonly transport: HttpTransport;
  /** Set when the harness started the DNS server (no `dnsServer` option). */
  readonly challtestsrv: ChalltestsrvHandle | undefined;
  /** `host:port` Pebble's VA queries. */
  readonly dnsServer: string;
  /** Environment for a child process so it trusts Pebble's TLS listener (Node; also Python requests). */
  readonly env: { readonly NODE_EXTRA_CA_CERTS: string; readonly REQUESTS_CA_BUNDLE: string };
  readonly configPath: string;
  /** Milliseconds from the call to `GET /dir` answering. */
  readonly startupMs: number;
  readonly process: ManagedProcess;
  /** Pebble's issuing root (`GET /roots/0` on the management port); new on every start. */
  rootCertificatePem(): Promise<string>;
  /** Pebble's issuing intermediate (`GET /intermediates/0`). */
  intermediateCertificatePem(): Promise<string>;
  /**
   * `GET /cert-status-by-serial/<serial>`. Accepts hex in any case, with or without leading zeros or colons
   * (as `X509Certificate.serialNumber` or openssl print it). Throws when Pebble does not know the serial.
   */
  certStatusBySerial(serialHex: string): Promise<PebbleCertStatus>;
  /** The last lines Pebble wrote. */
  output(): string;
  /** Stops Pebble (and the challtestsrv it started), removes the temp files. Idempotent. */
  stop(): Promise<void>;
}

const HARNESS_ENV_DEFAULTS: Readonly<Record<string, string>> = {
  PEBBLE_VA_NOSLEEP: '1',
  PEBBLE_WFE_NONCEREJECT: '0',
  PEBBLE_AUTHZREUSE: '0',
};

const BASE64URL_NO_PAD = /^[A-Za-z0-9_-]+$/;

/**
 * Starts Pebble and waits until its directory answers. See the file comment for usage.
 *
 * @example
 * const pebble = await startPebble({ env: { PEBBLE_WFE_NONCEREJECT: '50' } }); // badNonce retry test
 */
export async function startPebble(options: StartPebbleOptions = {}): Promise<PebbleHandle> {
  const started = performance.now();
  const host = '127.0.0.1';
  for (const [kid, key] of Object.entries(options.extraEab ?? {})) {
    if (!BASE64URL_NO_PAD.test(key)) {
      throw new Error(`startPebble: extraEab key for ${kid} must be base64url without padding (Pebble rejects it otherwise)`);
    }
  }
  const eab: PebbleEab = { kid: `kid-${randomUUID().slice(0, 8)}`, hmacKey: randomBytes(32).toString('base64url') };

  const dir = await mkdtemp(join(tmpdir(), 'acmeflow-pebble-'));
  const forgetDir = onTestProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  let challtestsrv: ChalltestsrvHandle | undefined;
  let agent: Agent | undefined;
  try {
    const [tls, startedDns] = await Promise.all([
      listenerTls(),
      options.dnsServer === undefined ? startChalltestsrv({ startTimeoutMs: options.startTimeoutMs }) : undefined,
    ]);
    challtestsrv = startedDns;
    const dnsServer = options.dnsServer ?? startedDns!.dnsServer;
    agent = new Agent({ connect: { ca: tls.caCertPem }, keepAliveTimeout: 4_000 });
    const trustingFetch = makeFetch(agent);

    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PEBBLE_')) env[k] = v;
    for (const [k, v] of Object.entries({ ...HARNESS_ENV_DEFAULTS, ...options.env })) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }

    const configPath = join(dir, 'pebble-config.json');
    const attempts = 3;
    for (let attempt = 1; ; attempt++) {
      const [listenPort, managementPort, httpPort, tlsPort] = await fourFreePorts(host);
      const config = {
        pebble: {
          listenAddress: `${host}:${listenPort}`,
          managementListenAddress: `${host}:${managementPort}`,
          certificate: tls.certPath,
          privateKey: tls.keyPath,
          // Nothing listens there: http-01 / tls-alpn-01 fail fast instead of reaching a stranger.
          httpPort,
          tlsPort,
          ocspResponderURL: '',
          externalAccountBindingRequired: options.eabRequired ?? true,
          externalAccountMACKeys: { ...options.extraEab, [eab.kid]: eab.hmacKey },
          ...(options.certificateValidityPeriod !== undefined && { certificateValidityPeriod: options.certificateValidityPeriod }),
          ...(options.domainBlocklist !== undefined && { domainBlocklist: options.domainBlocklist }),
          ...options.config,
        },
      };
      await writeFile(configPath, JSON.stringify(config, null, 2));

      const proc = spawnServer({
        name: 'pebble',
        command: options.command ?? 'pebble',
        args: ['-config', configPath, '-dnsserver', dnsServer, '-strict=false'],
        env,
        cwd: dir,
      });
      const acmeUrl = `https://${host}:${listenPort}`;
      const managementUrl = `https://${host}:${managementPort}`;
      const directoryUrl = `${acmeUrl}/dir`;
      const dirReady = httpProbe(directoryUrl, { fetch: trustingFetch, accept: (s) => s === 200 });
      const managementReady = tcpProbe(host, managementPort);
      try {
        await proc.waitFor(async () => (await dirReady()) && (await managementReady()), {
          timeoutMs: options.startTimeoutMs ?? 10_000,
          description: `GET ${directoryUrl}`,
        });
      } catch (err) {
        await proc.stop();
        if (attempt < attempts && err instanceof ProcessStartError && /address already in use/i.test(err.output)) continue;
        throw err;
      }

      const handleAgent = agent;
      const handleDns = challtestsrv;
      let stopping: Promise<void> | undefined;
      const getText = async (path: string): Promise<string> => {
        const res = await trustingFetch(`${managementUrl}${path}`);
        const text = await res.text();
        if (!res.ok) throw new Error(`Pebble management GET ${path}: HTTP ${res.status} ${text}`);
        return text;
      };
      return {
        directoryUrl,
        managementUrl,
        eab,
        extraEab: { ...options.extraEab },
        caCertPem: tls.caCertPem,
        caCertPath: tls.caCertPath,
        fetch: trustingFetch,
        transport: nodeHttpTransport({ ca: tls.caCertPem }),
        challtestsrv: handleDns,
        dnsServer,
        env: { NODE_EXTRA_CA_CERTS: tls.caCertPath, REQUESTS_CA_BUNDLE: tls.caCertPath },
        configPath,
        startupMs: Math.round(performance.now() - started),
        process: proc,
        rootCertificatePem: () => getText('/roots/0'),
        intermediateCertificatePem: () => getText('/intermediates/0'),
        certStatusBySerial: (serialHex) => certStatus(trustingFetch, managementUrl, serialHex),
        output: () => proc.output(),
        stop: () =>
          (stopping ??= (async () => {
            await Promise.all([proc.stop(), handleDns?.stop()]);
            await handleAgent.destroy().catch(() => undefined);
            await rm(dir, { recursive: true, force: true });
            forgetDir();
          })()),
      };
    }
  } catch (err) {
    await Promise.all([challtestsrv?.stop(), agent?.destroy().catch(() => undefined)]);
    await rm(dir, { recursive: true, force: true });
    forgetDir();
    throw err;
  }
}

let sharedTls: Promise<TlsMaterial> | undefined;

/**
 * One TLS CA and certificate for every Pebble of this test process: it only protects loopback traffic,
 * and generating it costs tens of milliseconds per start. Removed when the process exits.
 */
function listenerTls(): Promise<TlsMaterial> {
  sharedTls ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'acmeflow-pebble-tls-'));
    onTestProcessExit(() => rmSync(dir, { recursive: true, force: true }));
    return createTlsMaterial({ dir, hosts: ['localhost', '127.0.0.1', '::1'] });
  })();
  sharedTls.catch(() => {
    sharedTls = undefined;
  });
  return sharedTls;
}

async function certStatus(doFetch: typeof fetch, managementUrl: string, serialHex: string): Promise<PebbleCertStatus> {
  // Pebble parses the path as a big integer in base 16, so case and leading zeros do not matter; colons do.
  const serial = serialHex.trim().replace(/^0x/i, '').replace(/[:\s]/g, '').toLowerCase().replace(/^0+(?=.)/, '');
  if (!/^[0-9a-f]+$/.test(serial)) throw new Error(`certStatusBySerial: not a hex serial: ${JSON.stringify(serialHex)}`);
  const res = await doFetch(`${managementUrl}/cert-status-by-serial/${serial}`);
  const text = await res.text();
  if (res.status === 404) throw new Error(`Pebble knows no certificate with serial ${serial}`);
  if (!res.ok) throw new Error(`Pebble GET /cert-status-by-serial/${serial}: HTTP ${res.status} ${text}`);
  const raw = JSON.parse(text) as Record<string, unknown>;
  const revokedAt = typeof raw.RevokedAt === 'string' ? parseGoTime(raw.RevokedAt) : undefined;
  return {
    status: String(raw.Status),
    serial: String(raw.Serial),
    certificatePem: String(raw.Certificate),
    ...(typeof raw.Reason === 'number' && { revocationReason: raw.Reason }),
    ...(revokedAt !== undefined && { revokedAt }),
    raw,
  };
}

/** Pebble 2.4.0 prints `RevokedAt` with Go's `time.Time.String()`: `2026-01-02 03:04:05.123456789 +0000 UTC`. */
function parseGoTime(value: string): Date | undefined {
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)? ?(Z|[+-]\d\d:?\d\d)/.exec(value);
  const iso = m ? `${m[1]}T${m[2]}${(m[3] ?? '').slice(0, 4)}${m[4] === 'Z' ? 'Z' : `${m[4]!.slice(0, 3)}:${m[4]!.slice(-2)}`}` : value;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

async function fourFreePorts(host: string): Promise<[number, number, number, number]> {
  for (;;) {
    const ports = await Promise.all([freePort(host), freePort(host), freePort(host), freePort(host)]);
    if (new Set(ports).size === ports.length) return ports;
  }
}

/**
 * A global-fetch-compatible function over undici's fetch with `agent` as dispatcher. undici's fetch only
 * understands its own Request class, so a global Request is unpacked first. The Response it returns is
 * undici's (same API; `instanceof Response` against the global class is false).
 */
function makeFetch(agent: Agent): typeof fetch {
  const wrapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let url: string | URL;
    let merged: RequestInit | undefined = init;
    if (typeof input === 'string' || input instanceof URL) {
      url = input;
    } else {
      url = input.url;
      const body = input.body === null ? undefined : await input.arrayBuffer();
      const headers: [string, string][] = [];
      input.headers.forEach((value, name) => {
        headers.push([name, value]);
      });
      merged = { method: input.method, headers, body, redirect: input.redirect, signal: input.signal, ...init };
    }
    const res = await undiciFetch(url, { ...(merged as UndiciRequestInit | undefined), dispatcher: agent });
    return res as unknown as Response;
  };
  return wrapped as typeof fetch;
}
