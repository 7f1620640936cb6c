/**
 * The DNS face of the Route 53 fake: an authoritative server on loopback (UDP and TCP on the same
 * port) that answers from the fake's hosted zones, so Pebble and the propagation checker can query
 * what the API wrote. Answers follow RFC 1034 §4.3.2: AA set, NXDOMAIN for names that do not exist,
 * NODATA (NOERROR, empty answer, SOA in authority; RFC 2308 §2.2) for names that exist without the
 * type, CNAME followed inside the served zones, REFUSED outside them.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket, type Packet, type Question } from 'dns-packet';

/** One record set as the fake stores it: Route 53 presentation values (`"quoted"` for TXT). */
export interface DnsRecordSetView {
  readonly type: string;
  readonly ttl: number;
  readonly values: readonly string[];
}

/** What the DNS server needs from a zone: its name and its record sets. */
export interface DnsZoneView {
  /** Lower case, no trailing dot. */
  readonly name: string;
  /** The record sets at `name` (lower case, no trailing dot). */
  recordSets(name: string): readonly DnsRecordSetView[];
  /** Whether some record exists strictly below `name` (an empty non-terminal answers NODATA, not NXDOMAIN). */
  hasNamesBelow(name: string): boolean;
}

/** A running authoritative server. */
export interface FakeDnsServer {
  readonly port: number;
  stop(): Promise<void>;
}

const RCODE = { NOERROR: 0, NXDOMAIN: 3, REFUSED: 5, FORMERR: 1 } as const;
const CLASSIC_UDP_LIMIT = 512;

/** Split Route 53 TXT presentation (`"a" "b\"c"`) into its character-strings; Route 53 writes `\ddd` escapes in octal. */
export function txtStrings(value: string): Buffer[] {
  const strings: Buffer[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"/g;
  for (let match = pattern.exec(value); match; match = pattern.exec(value)) {
    const bytes: number[] = [];
    const body = match[1] ?? '';
    for (let i = 0; i < body.length; i++) {
      const char = body[i] ?? '';
      if (char === '\\' && /^[0-7]{3}$/.test(body.slice(i + 1, i + 4))) {
        bytes.push(Number.parseInt(body.slice(i + 1, i + 4), 8));
        i += 3;
      } else if (char === '\\') {
        i += 1;
        bytes.push(...Buffer.from(body[i] ?? ''));
      } else {
        bytes.push(...Buffer.from(char));
      }
    }
    strings.push(Buffer.from(bytes));
  }
  return strings;
}

const stripDot = (name: string): string => name.replace(/\.$/, '');

function toAnswer(name: string, set: DnsRecordSetView, value: string): Answer | undefined {
  const base = { name, ttl: set.ttl, class: 'IN' as const };
  const fields = value.trim().split(/\s+/);
  switch (set.type) {
    case 'TXT':
      return { ...base, type: 'TXT', data: txtStrings(value) };
    case 'A':
    case 'AAAA':
      return { ...base, type: set.type, data: value.trim() };
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return { ...base, type: set.type, data: stripDot(value.trim()) };
    case 'MX':
      return { ...base, type: 'MX', data: { preference: Number(fields[0]), exchange: stripDot(fields[1] ?? '') } };
    case 'SOA': {
      const [mname = '', rname = '', serial, refresh, retry, expire, minimum] = fields;
      return {
        ...base,
        type: 'SOA',
        data: {
          mname: stripDot(mname),
          rname: stripDot(rname),
          serial: Number(serial),
          refresh: Number(refresh),
          retry: Number(retry),
          expire: Number(expire),
          minimum: Number(minimum),
        },
      };
    }
    default:
      return undefined;
  }
}

function answersOf(name: string, set: DnsRecordSetView): Answer[] {
  return set.values.map((value) => toAnswer(name, set, value)).filter((a): a is Answer => a !== undefined);
}

function zoneFor(zones: readonly DnsZoneView[], name: string): DnsZoneView | undefined {
  return zones
    .filter((zone) => name === zone.name || name.endsWith(`.${zone.name}`))
    .sort((a, b) => b.name.length - a.name.length)[0];
}

/** Build the response to one query; exported for unit tests of the answering rules. */
export function answerQuery(zones: readonly DnsZoneView[], query: DecodedPacket): Packet {
  const question: Question | undefined = query.questions?.[0];
  const recursionDesired = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
  const reply = (rcode: number, authoritative: boolean, answers: Answer[] = [], authorities: Answer[] = []): Packet => ({
    id: query.id ?? 0,
    type: 'response',
    flags: rcode | recursionDesired | (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0),
    questions: question ? [question] : [],
    answers,
    authorities,
  });
  if (!question || (query.questions?.length ?? 0) !== 1) return reply(RCODE.FORMERR, false);
  const answers: Answer[] = [];
  let name = stripDot(question.name).toLowerCase();
  let zone = zoneFor(zones, name);
  if (!zone) return reply(RCODE.REFUSED, false);
  // Follow CNAMEs inside the served zones (RFC 1034 §4.3.2 step 3a), bounded against loops.
  for (let hop = 0; hop < 8 && zone; hop++) {
    const sets = zone.recordSets(name);
    const cname = sets.find((s) => s.type === 'CNAME');
    if (cname && question.type !== 'CNAME') {
      answers.push(...answersOf(name, cname));
      name = stripDot(cname.values[0] ?? '').toLowerCase();
      zone = zoneFor(zones, name);
      continue;
    }
    const wanted = (question.type as string) === 'ANY' ? sets : sets.filter((s) => s.type === question.type);
    for (const set of wanted) answers.push(...answersOf(name, set));
    if (answers.length > 0) return reply(RCODE.NOERROR, true, answers);
    const soa = zone.recordSets(zone.name).find((s) => s.type === 'SOA');
    const authority = soa ? answersOf(zone.name, soa) : [];
    const exists = sets.length > 0 || zone.hasNamesBelow(name);
    return reply(exists ? RCODE.NOERROR : RCODE.NXDOMAIN, true, [], authority);
  }
  // A CNAME chain that leaves the served zones (or loops): answer with the chain, the resolver goes on.
  return reply(RCODE.NOERROR, true, answers);
}

function respond(zones: () => readonly DnsZoneView[], message: Buffer): Packet | undefined {
  let query: DecodedPacket;
  try {
    query = dnsPacket.decode(message);
  } catch {
    return undefined;
  }
  return answerQuery(zones(), query);
}

function encodeForUdp(packet: Packet, query: Buffer): Buffer {
  let limit = CLASSIC_UDP_LIMIT;
  try {
    const opt = dnsPacket.decode(query).additionals?.find((a) => a.type === 'OPT');
    if (opt && 'udpPayloadSize' in opt) limit = Math.max(CLASSIC_UDP_LIMIT, opt.udpPayloadSize);
  } catch {
    // an undecodable query got no answer already
  }
  const full = dnsPacket.encode(packet);
  if (full.length <= limit) return full;
  // RFC 1035 §4.2.1: too big for UDP, set TC so the client retries over TCP.
  return dnsPacket.encode({ ...packet, flags: (packet.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, answers: [], authorities: [] });
}

async function listenTcp(port: number, handle: (socket: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/**
 * Serve `zones()` (read on every query, so API writes show at once) on 127.0.0.1, UDP and TCP on one port.
 *
 * @example
 * ```ts
 * const dns = await startFakeDns(() => [zoneView]);
 * // dig @127.0.0.1 -p ${dns.port} TXT _acme-challenge.example.com
 * await dns.stop();
 * ```
 */
export async function startFakeDns(zones: () => readonly DnsZoneView[]): Promise<FakeDnsServer> {
  const sockets = new Set<net.Socket>();
  const onTcp = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      // RFC 1035 §4.2.2: each message is prefixed by its two-byte length.
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const length = buffered.readUInt16BE(0);
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        const packet = respond(zones, message);
        if (packet) socket.write(dnsPacket.streamEncode(packet));
      }
    });
  };

  // UDP and TCP must share a port number; pick a free UDP port, then claim the same for TCP (retry on a clash).
  for (let attempt = 0; ; attempt++) {
    const udp = dgram.createSocket('udp4');
    udp.on('message', (message, remote) => {
      const packet = respond(zones, message);
      if (packet) udp.send(encodeForUdp(packet, message), remote.port, remote.address);
    });
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const port = udp.address().port;
    let tcp: net.Server;
    try {
      tcp = await listenTcp(port, onTcp);
    } catch (error) {
      udp.close();
      if (attempt < 10) continue;
      throw error;
    }
    return {
      port,
      async stop() {
        for (const socket of sockets) socket.destroy();
        await Promise.all([
          new Promise<void>((resolve) => udp.close(() => resolve())),
          new Promise<void>((resolve) => tcp.close(() => resolve())),
        ]);
      },
    };
  }
}
