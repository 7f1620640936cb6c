import { freePort, freeUdpTcpPort } from './ports.js';
import { ProcessStartError, spawnServer, tcpProbe, type ManagedProcess } from './processes.js';

/**
 * `pebble-challtestsrv` as the DNS server Pebble's VA asks: only its DNS listener (UDP+TCP) and its
 * management API run, both on free loopback ports; the HTTP-01, HTTPS-01 and TLS-ALPN-01 listeners are off.
 *
 * Its answers: TXT records set through the API; A/AAAA for any name with the default addresses; nothing else.
 * `set-txt` adds a value (several values per name are kept); `clear-txt` removes them all.
 */
export interface ChalltestsrvHandle {
  /** `127.0.0.1:<port>` — give this to Pebble's `-dnsserver` or a `Resolver`. */
  readonly dnsServer: string;
  readonly dnsHost: string;
  readonly dnsPort: number;
  /** `http://127.0.0.1:<port>` */
  readonly managementUrl: string;
  readonly process: ManagedProcess;
  /** Adds `value` to the TXT values of `host` (a trailing dot is added when missing). */
  addTxt(host: string, value: string): Promise<void>;
  /** Removes every TXT value of `host`. */
  clearTxt(host: string): Promise<void>;
  /** The address answered to A queries for any name. */
  setDefaultIPv4(ip: string): Promise<void>;
  /** The address answered to AAAA queries for any name (empty string: answer none). */
  setDefaultIPv6(ip: string): Promise<void>;
  /** The last lines the server wrote. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartChalltestsrvOptions {
  /** @default '127.0.0.1' */
  readonly defaultIPv4?: string;
  /** @default '::1' */
  readonly defaultIPv6?: string;
  /** @default 10_000 */
  readonly startTimeoutMs?: number;
  /** @default 'pebble-challtestsrv' */
  readonly command?: string;
}

/**
 * Starts `pebble-challtestsrv` and waits until its DNS and management ports accept connections.
 *
 * @example
 * const dns = await startChalltestsrv();
 * await dns.addTxt('_acme-challenge.example.com', 'token-digest');
 * // ... Pebble started with -dnsserver dns.dnsServer ...
 * await dns.stop();
 */
export async function startChalltestsrv(options: StartChalltestsrvOptions = {}): Promise<ChalltestsrvHandle> {
  const host = '127.0.0.1';
  const attempts = 3;
  for (let attempt = 1; ; attempt++) {
    const [dnsPort, managementPort] = await Promise.all([freeUdpTcpPort(host), freePort(host)]);
    const args = [
      '-dns01', `${host}:${dnsPort}`,
      '-management', `${host}:${managementPort}`,
      '-http01', '',
      '-https01', '',
      '-tlsalpn01', '',
      '-defaultIPv4', options.defaultIPv4 ?? '127.0.0.1',
      '-defaultIPv6', options.defaultIPv6 ?? '::1',
    ];
    const proc = spawnServer({ name: 'pebble-challtestsrv', command: options.command ?? 'pebble-challtestsrv', args });
    const dnsReady = tcpProbe(host, dnsPort);
    const managementReady = tcpProbe(host, managementPort);
    try {
      await proc.waitFor(async () => (await dnsReady()) && (await managementReady()), {
        timeoutMs: options.startTimeoutMs ?? 10_000,
        description: `TCP ${host}:${dnsPort} (DNS) and ${host}:${managementPort} (management)`,
      });
    } catch (err) {
      await proc.stop();
      if (attempt < attempts && err instanceof ProcessStartError && /address already in use/i.test(err.output)) continue;
      throw err;
    }
    return makeHandle(proc, host, dnsPort, `http://${host}:${managementPort}`);
  }
}

function makeHandle(proc: ManagedProcess, dnsHost: string, dnsPort: number, managementUrl: string): ChalltestsrvHandle {
  const post = async (path: string, body: unknown): Promise<void> => {
    const res = await fetch(`${managementUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`pebble-challtestsrv ${path} ${JSON.stringify(body)}: HTTP ${res.status} ${text}`);
  };
  // challtestsrv stores names as given and only matches fully qualified ones: without the dot a record
  // is accepted (200) but never answered.
  const fqdn = (host: string): string => (host.endsWith('.') ? host : `${host}.`);
  let stopping: Promise<void> | undefined;
  return {
    dnsServer: `${dnsHost}:${dnsPort}`,
    dnsHost,
    dnsPort,
    managementUrl,
    process: proc,
    addTxt: (host, value) => post('/set-txt', { host: fqdn(host), value }),
    clearTxt: (host) => post('/clear-txt', { host: fqdn(host) }),
    setDefaultIPv4: (ip) => post('/set-default-ipv4', { ip }),
    setDefaultIPv6: (ip) => post('/set-default-ipv6', { ip }),
    output: () => proc.output(),
    stop: () => (stopping ??= proc.stop().then(() => undefined)),
  };
}
