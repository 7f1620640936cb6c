/**
 * Shared pieces of the per-provider issuance tests in this folder: a Pebble account with EAB, a zone
 * view for `startFakeDns` over any record source (the DNS face of an API fake), and a direct TXT query
 * that shows what a resolver sees at a name (CNAMEs followed by the server included).
 */
import 'reflect-metadata';
import dnsPacket from 'dns-packet';
import { createAcmeContext, generateAccountKey, newAccount, type Account, type AcmeContext } from '../../../shared/acme/index.js';
import { encodeQuery, headerRcode, parseServerAddress, RCODE_NAMES, udpTcpTransport } from '../../../shared/dns/index.js';
import type { PebbleHandle } from '../../../harness/pebble.js';
import type { DnsRecordSetView, DnsZoneView } from '../../../harness/route53-fake-dns.js';

/** Apex + wildcard (one `_acme-challenge` name, two values) and one more name. */
export const DOMAINS = ['example.test', '*.example.test', 'www.example.test'] as const;
/** The names Pebble queries for {@link DOMAINS}, sorted. */
export const CHALLENGE_NAMES = ['_acme-challenge.example.test', '_acme-challenge.www.example.test'] as const;

/** An ACME context on Pebble and a new account registered with Pebble's EAB key (RFC 8555 §7.3.4). */
export async function pebbleAccount(pebble: PebbleHandle): Promise<{ ctx: AcmeContext; account: Account }> {
  const ctx = createAcmeContext({ directoryUrl: pebble.directoryUrl, fetch: pebble.fetch });
  const key = await generateAccountKey();
  const { url } = await newAccount(ctx, key, { termsOfServiceAgreed: true, externalAccountBinding: pebble.eab });
  return { ctx, account: { url, key } };
}

/** A record set with its owner name (lower case, no trailing dot), values in presentation form (`"quoted"` TXT). */
export interface NamedRecordSet extends DnsRecordSetView {
  readonly name: string;
}

/** TXT presentation form of one value, as `startFakeDns` reads it (RFC 1035 §5.1 quoting). */
export function quoteTxt(value: string): string {
  return `"${value.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}

/**
 * A zone for `startFakeDns`: an SOA and NS at the apex (so negative answers carry the SOA, RFC 2308
 * §3) plus whatever `sets()` returns, read on every query so writes through an API show at once.
 */
export function zoneView(zone: string, sets: () => readonly NamedRecordSet[]): DnsZoneView {
  const apex: NamedRecordSet[] = [
    { name: zone, type: 'SOA', ttl: 60, values: [`ns1.${zone}. hostmaster.${zone}. 1 3600 600 86400 60`] },
    { name: zone, type: 'NS', ttl: 60, values: [`ns1.${zone}.`] },
  ];
  const all = (): NamedRecordSet[] => [...apex, ...sets()];
  return {
    name: zone,
    recordSets: (name) => all().filter((set) => set.name === name),
    hasNamesBelow: (name) => all().some((set) => set.name.endsWith(`.${name}`)),
  };
}

/** What one TXT query returned. */
export interface TxtAnswer {
  readonly rcode: string;
  /** CNAME targets in the answer, in order (no trailing dot). */
  readonly cnames: readonly string[];
  /** TXT values in the answer (character-strings joined), sorted. */
  readonly values: readonly string[];
}

/** Ask `server` (`host:port`) for the TXT records at `name`, as Pebble's VA does. */
export async function queryTxt(server: string, name: string): Promise<TxtAnswer> {
  const raw = await udpTcpTransport.exchange(parseServerAddress(server), encodeQuery(name, 'TXT', { recursionDesired: true }), { timeoutMs: 2_000 });
  const answers = dnsPacket.decode(raw).answers ?? [];
  const cnames: string[] = [];
  const values: string[] = [];
  for (const answer of answers) {
    if (answer.type === 'CNAME') cnames.push(answer.data.replace(/\.$/, '').toLowerCase());
    if (answer.type === 'TXT') {
      const parts = Array.isArray(answer.data) ? answer.data : [answer.data];
      values.push(parts.map((part) => (typeof part === 'string' ? part : part.toString('utf8'))).join(''));
    }
  }
  values.sort();
  const code = headerRcode(raw);
  return { rcode: RCODE_NAMES[code] ?? String(code), cnames, values };
}
