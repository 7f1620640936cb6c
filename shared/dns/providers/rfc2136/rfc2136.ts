import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { normalizeDnsName } from '../../dns-name.js';
import { DnsQueryTimeoutError, DnsTransportError } from '../../errors.js';
import type { ChangeRef, DnsProvider, TxtRecord } from '../../provider.js';
import { encodeQuery, headerRcode, RCODE_NAMES } from '../../query-message.js';
import { formatServerAddress, parseServerAddress, type DnsServerAddress } from '../../server-address.js';
import { udpTcpTransport, type DnsTransport } from '../../transport.js';
import { parseRfc2136Config, tsigKeySchema, type Rfc2136Config, type Rfc2136ConfigInput } from './config.js';
import { readRfc2136Credentials } from './credentials.js';
import {
  Rfc2136ConfigError,
  Rfc2136ResponseVerificationError,
  Rfc2136ServerError,
  Rfc2136TsigError,
  Rfc2136UpdateRefusedError,
  Rfc2136ZoneError,
} from './errors.js';
import { signMessage, TSIG_ERRORS, verifyMessage, type TsigKey } from './tsig.js';
import { encodeUpdateMessage, type TxtUpdate } from './update-message.js';

/** Dependencies of {@link Rfc2136DnsProvider}, each with a real default. */
export interface Rfc2136Deps {
  /** @default udpTcpTransport */
  readonly transport?: DnsTransport;
  /** Clock for TSIG time stamps (RFC 8945 §5.2.3), ms since the epoch. @default Date.now */
  readonly now?: () => number;
  /** Where `RFC2136_TSIG_*` and `RFC2136_NAMESERVER` are read when the config gives no key. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Warnings from reading a credentials file. @default no-op */
  readonly warn?: (message: string) => void;
}

/** Environment variables the provider falls back to (lego's names). */
export const RFC2136_ENV = {
  server: 'RFC2136_NAMESERVER',
  keyName: 'RFC2136_TSIG_KEY',
  secret: 'RFC2136_TSIG_SECRET',
  algorithm: 'RFC2136_TSIG_ALGORITHM',
} as const;

interface Connection {
  readonly server: DnsServerAddress;
  /** `host:port`, for messages. */
  readonly label: string;
  readonly key: TsigKey;
  readonly signQuery: boolean;
}

interface Context {
  readonly record: string;
  readonly zone?: string;
}

const RCODE = { NOERROR: 0, NXDOMAIN: 3, REFUSED: 5, NOTAUTH: 9, NOTZONE: 10 } as const;

/**
 * DNS provider for any server that takes RFC 2136 dynamic updates signed with TSIG (RFC 8945):
 * BIND, Knot, PowerDNS, Windows DNS with a TSIG key.
 *
 * - `upsertTxt` sends one UPDATE adding each value: adding to an RRset merges (RFC 2136 §2.5.1), so
 *   values of other orders or clients stay, and sending it again changes nothing.
 * - `deleteTxt` deletes exactly our values with class NONE (RFC 2136 §2.5.4); a value already gone
 *   is ignored by the server (§3.4.2.4), so cleanup can run again.
 * - The zone is the configured `zone`, or found once per name with an SOA query to the server.
 * - Every update is TSIG-signed and the server's answer must carry a valid TSIG (RFC 8945 §5.3.2),
 *   or it is not believed. Messages go over UDP, over TCP when large or truncated.
 * - The change is live on the server when the update returns, so there is no `changeStatus`;
 *   secondaries are the propagation checker's business.
 *
 * Errors: {@link Rfc2136TsigError} (key rejected), {@link Rfc2136UpdateRefusedError} (policy),
 * {@link Rfc2136ZoneError} (wrong or unknown zone), {@link Rfc2136ServerError} (other rcodes),
 * {@link Rfc2136ResponseVerificationError}, `DnsQueryTimeoutError`, `DnsTransportError`.
 *
 * @example
 * ```ts
 * const dns = new Rfc2136DnsProvider({ server: '192.0.2.53', tsig: { name: 'acmeflow.', algorithm: 'hmac-sha256', secret } });
 * const ref = await dns.upsertTxt({ name: '_acme-challenge.example.com', values: [value] });
 * await dns.deleteTxt({ name: '_acme-challenge.example.com', values: [value] });
 * ```
 */
export class Rfc2136DnsProvider implements DnsProvider {
  readonly code = 'rfc2136';
  readonly #config: Rfc2136Config;
  readonly #transport: DnsTransport;
  readonly #now: () => number;
  readonly #deps: Rfc2136Deps;
  #connection: Promise<Connection> | undefined;
  readonly #zones = new Map<string, Promise<string>>();

  constructor(config: Rfc2136ConfigInput, deps: Rfc2136Deps = {}) {
    this.#config = parseRfc2136Config(config);
    this.#transport = deps.transport ?? udpTcpTransport;
    this.#now = deps.now ?? Date.now;
    this.#deps = deps;
  }

  async upsertTxt(record: TxtRecord): Promise<ChangeRef> {
    const { name, values } = normalizeRecord(record);
    const connection = await this.#connect();
    const zone = await this.findZone(name);
    if (values.length > 0) {
      await this.#update(connection, zone, { action: 'add', name, values, ttl: record.ttl ?? this.#config.ttl });
    }
    return { provider: this.code, zone, server: connection.label };
  }

  async deleteTxt(record: TxtRecord): Promise<void> {
    const { name, values } = normalizeRecord(record);
    if (values.length === 0) return;
    const connection = await this.#connect();
    const zone = await this.findZone(name);
    await this.#update(connection, zone, { action: 'delete', name, values, ttl: 0 });
  }

  /**
   * The zone that holds `name` on the server: the configured `zone` (checked to contain the name), or
   * the owner of the SOA record the server returns for `name` — in the answer when `name` is the apex,
   * in the authority section otherwise (RFC 2308 §2.1). Cached per name.
   */
  async findZone(name: string): Promise<string> {
    const record = normalizeDnsName(name);
    const connection = await this.#connect();
    const configured = this.#config.zone;
    if (configured !== undefined) {
      if (isInside(record, configured)) return configured;
      throw new Rfc2136ZoneError(`${record} is not inside the configured zone ${configured}`, { record, zone: configured, server: connection.label });
    }
    let zone = this.#zones.get(record);
    if (zone === undefined) {
      zone = this.#querySoa(connection, record);
      zone.catch(() => this.#zones.delete(record));
      this.#zones.set(record, zone);
    }
    return zone;
  }

  async #querySoa(connection: Connection, record: string): Promise<string> {
    const query = encodeQuery(record, 'SOA', { ednsPayload: 0 });
    const { response, requestMac } = await this.#exchange(connection, query, connection.signQuery, { record });
    const rcode = headerRcode(response);
    if (connection.signQuery) this.#checkTsig(connection, response, requestMac, rcode, { record });
    if (rcode !== RCODE.NOERROR && rcode !== RCODE.NXDOMAIN) {
      if (rcode === RCODE.REFUSED || rcode === RCODE.NOTAUTH) {
        throw new Rfc2136ZoneError(`${connection.label} serves no zone that holds ${record} (SOA query answered ${rcodeName(rcode)})`, {
          record,
          server: connection.label,
        });
      }
      throw new Rfc2136ServerError(rcodeName(rcode), { record, server: connection.label });
    }
    const packet = dnsPacket.decode(response);
    const soa = [...(packet.answers ?? []), ...(packet.authorities ?? [])].find((rr) => rr.type === 'SOA');
    const zone = soa === undefined ? undefined : normalizeDnsName(soa.name);
    if (!packet.flag_aa || zone === undefined || !isInside(record, zone)) {
      throw new Rfc2136ZoneError(`${connection.label} is not authoritative for a zone that holds ${record}`, {
        record,
        server: connection.label,
      });
    }
    return zone;
  }

  async #update(connection: Connection, zone: string, update: TxtUpdate): Promise<void> {
    const message = encodeUpdateMessage(randomInt(0, 0x10000), zone, [update]);
    const context = { record: update.name, zone };
    const { response, requestMac } = await this.#exchange(connection, message, true, context);
    const rcode = headerRcode(response);
    this.#checkTsig(connection, response, requestMac, rcode, context);
    switch (rcode) {
      case RCODE.NOERROR:
        return;
      case RCODE.REFUSED:
        throw new Rfc2136UpdateRefusedError(connection.key.name, { ...context, server: connection.label });
      case RCODE.NOTZONE:
        throw new Rfc2136ZoneError(`${update.name} is not inside zone ${zone} (NOTZONE)`, { ...context, server: connection.label });
      case RCODE.NOTAUTH:
        // NOTAUTH without a TSIG error is RFC 2136's "not authoritative for the zone" (§2.2).
        throw new Rfc2136ZoneError(`${connection.label} is not authoritative for zone ${zone} (NOTAUTH)`, {
          ...context,
          server: connection.label,
        });
      default:
        throw new Rfc2136ServerError(rcodeName(rcode), { ...context, server: connection.label });
    }
  }

  /**
   * A TSIG error from the server means our key was rejected (RFC 8945 §5.2), whatever the rcode;
   * a success must be signed by the server with our key (§5.3.2), or it may be forged.
   */
  #checkTsig(connection: Connection, response: Buffer, requestMac: Buffer | undefined, rcode: number, context: Context): void {
    const verification = verifyMessage(response, connection.key, requestMac, { now: this.#now() });
    if (verification.ok) return;
    if (verification.failure === 'server-error') {
      const error = verification.record!.error;
      throw new Rfc2136TsigError(connection.key.name, TSIG_ERRORS[error] ?? `TSIG error ${error}`, { ...context, server: connection.label });
    }
    if (rcode === RCODE.NOTAUTH && verification.failure === 'unsigned') {
      // Some servers drop the TSIG record from the NOTAUTH they send for a bad key.
      throw new Rfc2136TsigError(connection.key.name, 'NOTAUTH', { ...context, server: connection.label });
    }
    if (rcode === RCODE.NOERROR) {
      throw new Rfc2136ResponseVerificationError(connection.key.name, verification.detail, { ...context, server: connection.label });
    }
    // An unverifiable failure answer is still a failure; the rcode mapping reports it.
  }

  async #exchange(
    connection: Connection,
    message: Buffer,
    sign: boolean,
    context: Context,
  ): Promise<{ response: Buffer; requestMac: Buffer | undefined }> {
    const signed = sign ? signMessage(message, connection.key, { now: this.#now() }) : undefined;
    try {
      const response = await this.#transport.exchange(connection.server, signed?.message ?? message, { timeoutMs: this.#config.timeoutMs });
      return { response, requestMac: signed?.mac };
    } catch (error) {
      // Re-raise with the record and zone, which the transport does not know.
      if (error instanceof DnsQueryTimeoutError) {
        throw new DnsQueryTimeoutError(error.server, error.timeoutMs, { ...context, cause: error });
      }
      if (error instanceof DnsTransportError) {
        throw new DnsTransportError(error.server, error.problem, { ...context, cause: error });
      }
      throw error;
    }
  }

  #connect(): Promise<Connection> {
    if (this.#connection === undefined) {
      this.#connection = this.#resolveConnection();
      this.#connection.catch(() => {
        this.#connection = undefined;
      });
    }
    return this.#connection;
  }

  async #resolveConnection(): Promise<Connection> {
    const config = this.#config;
    const env = this.#deps.env ?? process.env;
    let server = config.server;
    let port = config.port;
    let key: TsigKey | undefined = config.tsig;
    let signQuery = config.signQuery;
    if (key === undefined && config.credentialsFile !== undefined) {
      const credentials = await readRfc2136Credentials(config.credentialsFile, this.#deps.warn === undefined ? {} : { warn: this.#deps.warn });
      server ??= credentials.server;
      port ??= credentials.port;
      key = credentials.tsig;
      signQuery ||= credentials.signQuery ?? false;
    }
    if (key === undefined) {
      const fromEnv = tsigKeySchema.safeParse({
        name: env[RFC2136_ENV.keyName],
        secret: env[RFC2136_ENV.secret],
        ...(env[RFC2136_ENV.algorithm] === undefined ? {} : { algorithm: env[RFC2136_ENV.algorithm] }),
      });
      if (!fromEnv.success) {
        throw new Rfc2136ConfigError([
          `tsig: missing; give tsig, credentialsFile, or ${RFC2136_ENV.keyName} and ${RFC2136_ENV.secret} (${fromEnv.error.issues
            .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
            .join(', ')})`,
        ]);
      }
      key = fromEnv.data;
    }
    server ??= env[RFC2136_ENV.server];
    if (server === undefined || server === '') {
      throw new Rfc2136ConfigError([`server: missing; give server, credentialsFile, or ${RFC2136_ENV.server}`]);
    }
    let address: DnsServerAddress;
    try {
      address = parseServerAddress(server, port ?? 53);
    } catch (error) {
      throw new Rfc2136ConfigError([`server: not an address or host name`], { cause: error });
    }
    if (port !== undefined) address = { host: address.host, port };
    return { server: address, label: formatServerAddress(address), key, signQuery };
  }
}

function normalizeRecord(record: TxtRecord): { name: string; values: string[] } {
  return { name: normalizeDnsName(record.name), values: [...new Set(record.values)] };
}

function isInside(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

function rcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE ${rcode}`;
}
