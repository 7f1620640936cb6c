import dnsPacket, { type DecodedPacket, type TxtData } from 'dns-packet';
import { normalizeDnsName } from './dns-name.js';
import { DnsNameserverLookupError, DnsQueryTimeoutError } from './errors.js';
import { findAuthoritativeServers, type NameserverResolver } from './nameservers.js';
import { nodeResolver } from './node-resolver.js';
import type { TxtRecord } from './provider.js';
import { encodeQuery, headerRcode, RCODE_NAMES } from './query-message.js';
import { formatServerAddress, parseServerAddress, type DnsServerAddress } from './server-address.js';
import { udpTcpTransport, type DnsTransport } from './transport.js';

/** Why a value counts as missing on a server. */
export type PropagationMissReason = 'absent' | 'timeout' | 'servfail' | 'refused' | 'error';

/** One thing still missing: a value absent on a server, or a server that could not be asked. Plain JSON. */
export interface PropagationMiss {
  /** The TXT record name (the effective name). */
  readonly name: string;
  /** The value that is absent; omitted when the server could not answer at all. */
  readonly value?: string;
  /** `host:port` of the server, or `discovery` when the servers could not be found. */
  readonly server: string;
  readonly reason: PropagationMissReason;
  /** A short explanation for logs (rcode, socket error, referral, ...). */
  readonly detail?: string;
}

/** The result of one {@link checkPropagation} round. Plain JSON: it goes into execution state. */
export interface PropagationReport {
  /** Every value is present on every server asked, and at least one server was asked. */
  readonly ready: boolean;
  readonly missing: readonly PropagationMiss[];
  /** `host:port` of every server queried, in a stable order. */
  readonly checkedServers: readonly string[];
}

/** Options of {@link checkPropagation}. */
export interface CheckPropagationOptions {
  /**
   * Servers to ask instead of the zone's authoritative servers (`'host:port'`; port 53 by default).
   * Discovery is skipped entirely: for private, split-horizon or lab DNS.
   */
  readonly resolvers?: readonly string[];
  /** Timeout of each query, in ms; all queries run in parallel. @default 2000 */
  readonly timeoutMs?: number;
  /** @default udpTcpTransport */
  readonly transport?: DnsTransport;
  /** The recursive resolver used to discover the authoritative servers. @default nodeResolver() */
  readonly resolver?: NameserverResolver;
  /** Port of discovered authoritative servers. @default 53 */
  readonly port?: number;
  /** Also query the discovered servers' IPv6 addresses. @default false */
  readonly ipv6?: boolean;
}

/**
 * Check once, without waiting, whether challenge TXT values are visible on the zone's authoritative
 * servers: the servers the CA's resolvers will end up asking (RFC 8555 §8.4). It finds each record's
 * zone and nameservers (or takes `resolvers`), then asks every server directly — non-recursive
 * (RD=0), UDP with TCP retry when truncated — for the TXT record set at each name, and reports per
 * server which values are absent and which servers timed out or failed. The caller decides when to
 * check again (a Step Functions Wait state); this function never sleeps.
 *
 * @example
 * ```ts
 * const report = await checkPropagation([{ name: '_acme-challenge.example.com', values: [value] }]);
 * if (!report.ready) console.log(report.missing); // [{ name, value, server: '192.0.2.53:53', reason: 'absent' }]
 * ```
 */
export async function checkPropagation(
  records: readonly TxtRecord[],
  options: CheckPropagationOptions = {},
): Promise<PropagationReport> {
  const transport = options.transport ?? udpTcpTransport;
  const timeoutMs = options.timeoutMs ?? 2000;
  const fixed = options.resolvers?.map((text) => parseServerAddress(text));
  const serversFor = fixed === undefined ? discoverer(options) : async () => fixed;

  const checked = new Set<string>();
  const perRecord = await Promise.all(
    records.map(async (record): Promise<PropagationMiss[]> => {
      const name = normalizeDnsName(record.name);
      let servers: readonly DnsServerAddress[];
      try {
        servers = await serversFor(name);
      } catch (error) {
        return [{ name, server: 'discovery', ...classifyFailure(error) }];
      }
      const perServer = await Promise.all(
        servers.map((server) => {
          checked.add(formatServerAddress(server));
          return checkServer(transport, server, name, record.values, timeoutMs);
        }),
      );
      return perServer.flat();
    }),
  );
  const missing = perRecord.flat();
  const checkedServers = [...checked].sort();
  // No server asked at all (an empty `resolvers`) proves nothing, unless there was nothing to check.
  return { ready: missing.length === 0 && (checkedServers.length > 0 || records.length === 0), missing, checkedServers };
}

async function checkServer(
  transport: DnsTransport,
  server: DnsServerAddress,
  name: string,
  values: readonly string[],
  timeoutMs: number,
): Promise<PropagationMiss[]> {
  const label = formatServerAddress(server);
  // RD=0 (the encodeQuery default): we ask the authoritative server itself, not a resolver's cache.
  const query = encodeQuery(name, 'TXT');
  let response: DecodedPacket;
  let rcode: number;
  try {
    const raw = await transport.exchange(server, query, { timeoutMs });
    rcode = headerRcode(raw);
    response = dnsPacket.decode(raw);
  } catch (error) {
    return [{ name, server: label, ...classifyFailure(error) }];
  }

  switch (rcode) {
    case 0: // NOERROR: the name exists; the TXT set may or may not be there
    case 3: // NXDOMAIN: nothing at the name yet
      break;
    case 2:
      return [{ name, server: label, reason: 'servfail', detail: 'SERVFAIL' }];
    case 5:
      return [{ name, server: label, reason: 'refused', detail: 'REFUSED' }];
    default:
      return [{ name, server: label, reason: 'error', detail: RCODE_NAMES[rcode] ?? `RCODE ${rcode}` }];
  }

  const answers = response.answers ?? [];
  if (answers.length === 0 && !response.flag_aa && (response.authorities ?? []).some((rr) => rr.type === 'NS')) {
    return [{ name, server: label, reason: 'error', detail: 'referral: the server is not authoritative for this name' }];
  }
  const present = new Set<string>();
  for (const answer of answers) {
    if (answer.type !== 'TXT' || normalizeDnsName(answer.name) !== name) continue;
    present.add(txtValue(answer.data));
  }
  return values.filter((value) => !present.has(value)).map((value) => ({ name, value, server: label, reason: 'absent' as const }));
}

/** One TXT RR's value: its character-strings concatenated (RFC 7208 §3.3 style; values over 255 octets are split). */
function txtValue(data: TxtData): string {
  const parts = Array.isArray(data) ? data : [data];
  return parts.map((part) => (typeof part === 'string' ? part : part.toString('utf8'))).join('');
}

/**
 * Authoritative servers of a name's zone. Records of one zone share every lookup but the first
 * labels of their walk, so each question is asked once per check.
 */
function discoverer(options: CheckPropagationOptions): (name: string) => Promise<readonly DnsServerAddress[]> {
  const resolver = onceEach(options.resolver ?? nodeResolver());
  return async (name) =>
    (
      await findAuthoritativeServers(name, {
        resolver,
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.ipv6 === undefined ? {} : { ipv6: options.ipv6 }),
      })
    ).servers;
}

/** A resolver that asks each (type, name) question once and shares the answer (or the failure). */
function onceEach(resolver: NameserverResolver): NameserverResolver {
  const answers = new Map<string, Promise<string[]>>();
  const ask = (type: string, name: string, query: () => Promise<string[]>): Promise<string[]> => {
    const key = `${type} ${name}`;
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = query();
      answers.set(key, answer);
    }
    return answer;
  };
  return {
    resolveNs: (name) => ask('NS', name, () => resolver.resolveNs(name)),
    resolve4: (name) => ask('A', name, () => resolver.resolve4(name)),
    resolve6: (name) => ask('AAAA', name, () => resolver.resolve6(name)),
  };
}

function classifyFailure(error: unknown): { reason: PropagationMissReason; detail: string } {
  if (error instanceof DnsQueryTimeoutError) return { reason: 'timeout', detail: error.message };
  const code = error instanceof DnsNameserverLookupError ? error.code : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'ETIMEOUT') return { reason: 'timeout', detail };
  if (code === 'ESERVFAIL') return { reason: 'servfail', detail };
  if (code === 'EREFUSED') return { reason: 'refused', detail };
  return { reason: 'error', detail };
}
