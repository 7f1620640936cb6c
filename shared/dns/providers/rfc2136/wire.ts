/**
 * Wire-format primitives (RFC 1035 §3.1, §4.1) for the parts of DNS UPDATE and TSIG that
 * `dns-packet` cannot write: class NONE, raw TSIG records, and the canonical (uncompressed,
 * lower-case) names TSIG digests require (RFC 8945 §4.3.3, RFC 4034 §6.2).
 */

/** Resource-record types and classes used here (IANA DNS parameters). */
export const RR_TYPE = { SOA: 6, TXT: 16, TSIG: 250 } as const;
export const RR_CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;

/**
 * A domain name in canonical wire form: length-prefixed labels, lower case, no compression, ending
 * with the root label. Rejects names that DNS cannot carry (labels over 63 octets, names over 255).
 */
export function encodeName(name: string): Buffer {
  const trimmed = name.toLowerCase().replace(/\.$/, '');
  const labels = trimmed === '' ? [] : trimmed.split('.');
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length === 0 || bytes.length > 63) throw new TypeError(`bad DNS label in ${JSON.stringify(name)}`);
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  const wire = Buffer.concat(parts);
  if (wire.length > 255) throw new TypeError(`DNS name longer than 255 octets: ${JSON.stringify(name)}`);
  return wire;
}

/** Read a (possibly compressed) name at `offset`: the dotted name without trailing dot, and the offset after it. */
export function readName(message: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let position = offset;
  let end: number | undefined;
  for (let jumps = 0; jumps < 128; ) {
    if (position >= message.length) throw new RangeError('DNS name runs past the end of the message');
    const length = message[position]!;
    if (length === 0) {
      return { name: labels.join('.'), end: end ?? position + 1 };
    }
    if ((length & 0xc0) === 0xc0) {
      if (position + 1 >= message.length) throw new RangeError('DNS compression pointer runs past the end of the message');
      end ??= position + 2;
      position = message.readUInt16BE(position) & 0x3fff;
      jumps += 1;
      continue;
    }
    if ((length & 0xc0) !== 0) throw new RangeError('unknown DNS label type');
    if (position + 1 + length > message.length) throw new RangeError('DNS label runs past the end of the message');
    labels.push(message.toString('ascii', position + 1, position + 1 + length));
    position += 1 + length;
  }
  throw new RangeError('DNS name has too many compression pointers');
}

/** Where each resource record of a message starts, section by section (RFC 1035 §4.1). */
export interface MessageLayout {
  readonly id: number;
  readonly flags: number;
  /** QDCOUNT/ZOCOUNT, ANCOUNT/PRCOUNT, NSCOUNT/UPCOUNT, ARCOUNT/ADCOUNT. */
  readonly counts: readonly [number, number, number, number];
  /** Start offsets of the additional records, in order. */
  readonly additionalOffsets: readonly number[];
  /** Offset just after the last record. */
  readonly end: number;
}

/** Walk a message's sections without decoding record data. */
export function messageLayout(message: Buffer): MessageLayout {
  if (message.length < 12) throw new RangeError('DNS message shorter than its header');
  const counts = [message.readUInt16BE(4), message.readUInt16BE(6), message.readUInt16BE(8), message.readUInt16BE(10)] as const;
  let offset = 12;
  for (let index = 0; index < counts[0]; index += 1) offset = readName(message, offset).end + 4;
  const additionalOffsets: number[] = [];
  for (let section = 1; section <= 3; section += 1) {
    for (let index = 0; index < counts[section]!; index += 1) {
      if (section === 3) additionalOffsets.push(offset);
      offset = readName(message, offset).end;
      if (offset + 10 > message.length) throw new RangeError('DNS record header runs past the end of the message');
      offset += 10 + message.readUInt16BE(offset + 8);
      if (offset > message.length) throw new RangeError('DNS record data runs past the end of the message');
    }
  }
  return { id: message.readUInt16BE(0), flags: message.readUInt16BE(2), counts, additionalOffsets, end: offset };
}

/** A resource record's fixed fields after its owner name (RFC 1035 §3.2.1). */
export function encodeRecordHeader(type: number, klass: number, ttl: number, rdataLength: number): Buffer {
  const header = Buffer.alloc(10);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(klass, 2);
  header.writeUInt32BE(ttl, 4);
  header.writeUInt16BE(rdataLength, 8);
  return header;
}
