import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import dnsPacket from 'dns-packet';
import type { TsigKey } from '../shared/dns/providers/rfc2136/tsig.js';
import { encodeQuery, headerRcode } from '../shared/dns/query-message.js';
import { udpTcpTransport } from '../shared/dns/transport.js';
import { freeUdpTcpPort } from './ports.js';
import { onTestProcessExit, ProcessStartError, spawnServer, type ManagedProcess } from './processes.js';

/**
 * BIND 9 (`named`) as a real authoritative server for RFC 2136 tests: primary for the given zones,
 * on loopback (UDP and TCP) on a free port, accepting TSIG-signed updates of TXT records.
 */

/** A TSIG key as BIND's `key` statement takes it (BIND spells the algorithms as {@link TsigKey} does). */
export type BindTsigKey = TsigKey;

export interface StartBindOptions {
  /** Zones the server is primary for. @default ['example.test'] */
  readonly zones?: readonly string[];
  /** The key allowed to update TXT records anywhere in the zones. @default a fresh random hmac-sha256 key */
  readonly tsig?: BindTsigKey;
  /** More keys with the same grant ("another client"). */
  readonly extraKeys?: readonly BindTsigKey[];
  /**
   * The `update-policy` rules of a zone, given the key names. @default `grant <key> zonesub TXT;` per key
   */
  readonly updatePolicy?: (zone: string, keyNames: readonly string[]) => readonly string[];
  /** Extra zone-file lines per zone (relative names allowed), e.g. `{ 'example.test': ['_acme-challenge.www CNAME x.example.test.'] }`. */
  readonly records?: Readonly<Record<string, readonly string[]>>;
  /** @default 10_000 */
  readonly startTimeoutMs?: number;
}

export interface BindHandle {
  readonly host: string;
  readonly port: number;
  /** `host:port`, for `resolvers` options. */
  readonly server: string;
  readonly zones: readonly string[];
  readonly tsig: BindTsigKey;
  readonly process: ManagedProcess;
  /** Ask the server directly (RD=0) for the TXT values at `name`. */
  queryTxt(name: string): Promise<string[]>;
  /** The last lines named wrote. */
  output(): string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const run = promisify(execFile);

/**
 * Starts `named -g` (foreground, logging to stderr) with a generated `named.conf` and zone files in a
 * temporary directory, checked with `named-checkconf` first, and waits until every zone answers an
 * SOA query. The server is killed (and the directory removed) when the test process exits.
 *
 * @example
 * const bind = await startBind({ zones: ['example.test'] });
 * const dns = new Rfc2136DnsProvider({ server: bind.host, port: bind.port, tsig: bind.tsig });
 * // ...
 * await bind.stop();
 */
export async function startBind(options: StartBindOptions = {}): Promise<BindHandle> {
  const zones = (options.zones ?? ['example.test']).map((zone) => zone.toLowerCase().replace(/\.$/, ''));
  const tsig = options.tsig ?? { name: 'acmeflow-test.', algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') };
  const keys = [tsig, ...(options.extraKeys ?? [])];
  const dir = await mkdtemp(join(tmpdir(), 'acmeflow-bind-'));
  const unregister = onTestProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const cleanup = async (): Promise<void> => {
    unregister();
    await rm(dir, { recursive: true, force: true });
  };

  try {
    for (const zone of zones) {
      await writeFile(join(dir, `${zone}.db`), zoneFile(zone, options.records?.[zone] ?? []));
    }
    const attempts = 3;
    for (let attempt = 1; ; attempt += 1) {
      const port = await freeUdpTcpPort(HOST);
      const conf = join(dir, 'named.conf');
      await writeFile(conf, namedConf(dir, port, zones, keys, options.updatePolicy));
      await checkConf(conf);
      const proc = spawnServer({ name: 'named', command: 'named', args: ['-g', '-c', conf, '-p', String(port), '-n', '1', '-4'], cwd: dir });
      try {
        await proc.waitFor(
          async () => {
            // named keeps running when it cannot bind; stop it so the port can be retried at once.
            if (/address (already )?in use/i.test(proc.output())) {
              await proc.stop({ timeoutMs: 1_000 });
              return false;
            }
            const answers = await Promise.all(zones.map((zone) => soaAnswered(port, zone)));
            return answers.every(Boolean);
          },
          { timeoutMs: options.startTimeoutMs ?? 10_000, intervalMs: 10, description: `SOA of ${zones.join(', ')} on ${HOST}:${port}` },
        );
      } catch (error) {
        await proc.stop({ timeoutMs: 1_000 });
        if (attempt < attempts && error instanceof ProcessStartError && /address (already )?in use/i.test(error.output)) continue;
        throw error;
      }
      let stopping: Promise<void> | undefined;
      return {
        host: HOST,
        port,
        server: `${HOST}:${port}`,
        zones,
        tsig,
        process: proc,
        queryTxt: (name) => queryTxt(port, name),
        output: () => proc.output(),
        stop: () => (stopping ??= proc.stop({ timeoutMs: 2_000 }).then(cleanup)),
      };
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function zoneFile(zone: string, records: readonly string[]): string {
  return [
    '$TTL 60',
    `@ IN SOA ns1.${zone}. hostmaster.${zone}. 1 3600 600 86400 60`,
    `@ IN NS ns1.${zone}.`,
    `ns1 IN A ${HOST}`,
    ...records,
    '',
  ].join('\n');
}

function namedConf(
  dir: string,
  port: number,
  zones: readonly string[],
  keys: readonly BindTsigKey[],
  updatePolicy: StartBindOptions['updatePolicy'],
): string {
  const keyNames = keys.map((key) => key.name);
  const policy = updatePolicy ?? ((_zone: string, names: readonly string[]) => names.map((name) => `grant ${name} zonesub TXT;`));
  return [
    'options {',
    `  directory "${dir}";`,
    '  pid-file none;',
    `  session-keyfile "${join(dir, 'session.key')}";`,
    `  managed-keys-directory "${dir}";`,
    `  listen-on port ${port} { ${HOST}; };`,
    '  listen-on-v6 { none; };',
    '  recursion no;',
    '  allow-query { any; };',
    '  allow-transfer { none; };',
    '  notify no;',
    '  dnssec-validation no;',
    '};',
    // No rndc channel: parallel servers would fight over port 953.
    'controls { };',
    ...keys.map((key) => `key "${key.name}" { algorithm ${key.algorithm}; secret "${key.secret}"; };`),
    ...zones.map((zone) =>
      [
        `zone "${zone}" {`,
        '  type primary;',
        `  file "${zone}.db";`,
        `  update-policy { ${policy(zone, keyNames).join(' ')} };`,
        '};',
      ].join('\n'),
    ),
    '',
  ].join('\n');
}

async function checkConf(conf: string): Promise<void> {
  try {
    await run('named-checkconf', [conf]);
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`named-checkconf rejected ${conf}:\n${stdout}${stderr}`, { cause: error });
  }
}

async function soaAnswered(port: number, zone: string): Promise<boolean> {
  try {
    const response = await udpTcpTransport.exchange({ host: HOST, port }, encodeQuery(zone, 'SOA'), { timeoutMs: 200 });
    return headerRcode(response) === 0 && dnsPacket.decode(response).flag_aa;
  } catch {
    return false;
  }
}

async function queryTxt(port: number, name: string): Promise<string[]> {
  const response = dnsPacket.decode(await udpTcpTransport.exchange({ host: HOST, port }, encodeQuery(name, 'TXT'), { timeoutMs: 2_000 }));
  return (response.answers ?? [])
    .filter((answer) => answer.type === 'TXT')
    .map((answer) => {
      const data = answer.data as Buffer | Buffer[];
      return (Array.isArray(data) ? data : [data]).map((part) => part.toString('utf8')).join('');
    })
    .sort();
}
