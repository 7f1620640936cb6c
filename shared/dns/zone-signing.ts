import { getServers } from 'node:dns';
import dnsPacket from 'dns-packet';
import { encodeQuery, headerRcode } from './query-message.js';
import { parseServerAddress, type DnsServerAddress } from './server-address.js';
import { udpTcpTransport, type DnsTransport } from './transport.js';
import { zoneCandidates } from './zone-lookup.js';

/** Whether the zone of a name is DNSSEC-signed, and how that shows (RFC 4035 §2). */
export interface ZoneSigning {
  /** The zone apex found for the name. */
  readonly zone: string;
  /** The zone publishes DNSKEY records at its apex. */
  readonly dnskey: boolean;
  /** Its parent publishes DS records for it: resolvers expect a chain of trust into it. */
  readonly ds: boolean;
}

export interface FindZoneSigningOptions {
  /** Recursive resolvers (`host[:port]`); the system's resolvers when empty. */
  readonly resolvers?: readonly string[];
  readonly transport?: DnsTransport;
  /** Budget per query, in ms. @default 2000 */
  readonly timeoutMs?: number;
}

/**
 * Looks up whether the zone holding `name` is DNSSEC-signed: from the most specific candidate up, the
 * first name whose DNSKEY query answers DNSKEY records or names itself as the zone (its SOA in the
 * authority section of a NODATA answer) is the zone; a DS record at its parent counts as signed too
 * (a zone with a DS but no DNSKEY is exactly a broken chain of trust). Queries go to the recursive
 * resolvers with Checking Disabled (RFC 4035 §3.2.2), so a validating resolver answers for a zone
 * whose DNSSEC is broken instead of SERVFAIL. Resolves undefined when the zone could not be told
 * (no resolver answered): this only adds a hint to an error, it never decides anything.
 *
 * @example
 * ```ts
 * await findZoneSigning('_acme-challenge.www.example.jp', { resolvers: ['192.0.2.53'] });
 * // { zone: 'example.jp', dnskey: true, ds: true }
 * ```
 */
export async function findZoneSigning(name: string, options: FindZoneSigningOptions = {}): Promise<ZoneSigning | undefined> {
  const resolvers = (options.resolvers && options.resolvers.length > 0 ? [...options.resolvers] : getServers()).map((r) => parseServerAddress(r));
  const transport = options.transport ?? udpTcpTransport;
  const timeoutMs = options.timeoutMs ?? 2000;
  const ask = (qname: string, type: 'DNSKEY' | 'DS') => query(resolvers, transport, timeoutMs, qname, type);
  const bare = name.replace(/^\*\./, '').replace(/\.$/, '').toLowerCase();
  for (const candidate of zoneCandidates(bare, { withTopLevel: false })) {
    const answer = await ask(candidate, 'DNSKEY');
    if (answer === undefined) return undefined;
    const dnskey = answer.answers.some((a) => a.type === 'DNSKEY' && sameName(a.name, candidate));
    const apex = dnskey || answer.authorities.some((a) => a.type === 'SOA' && sameName(a.name, candidate));
    if (!apex) continue;
    const ds = await ask(candidate, 'DS');
    return { zone: candidate, dnskey, ds: ds?.answers.some((a) => a.type === 'DS' && sameName(a.name, candidate)) ?? false };
  }
  return undefined;
}

function sameName(a: string | undefined, b: string): boolean {
  return (a ?? '').replace(/\.$/, '').toLowerCase() === b;
}

/** The first resolver's decoded answer (NOERROR or NXDOMAIN), or undefined when none answered. */
async function query(resolvers: readonly DnsServerAddress[], transport: DnsTransport, timeoutMs: number, qname: string, type: 'DNSKEY' | 'DS'): Promise<dnsPacket.Packet & { answers: dnsPacket.Answer[]; authorities: dnsPacket.Answer[] } | undefined> {
  for (const resolver of resolvers) {
    try {
      const response = await transport.exchange(resolver, encodeQuery(qname, type, { recursionDesired: true, checkingDisabled: true }), { timeoutMs });
      const rcode = headerRcode(response);
      if (rcode !== 0 && rcode !== 3) continue;
      const packet = dnsPacket.decode(response);
      return { ...packet, answers: packet.answers ?? [], authorities: packet.authorities ?? [] };
    } catch {
      // the next resolver, if any
    }
  }
  return undefined;
}
