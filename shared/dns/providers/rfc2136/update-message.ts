import { encodeName, encodeRecordHeader, RR_CLASS, RR_TYPE } from './wire.js';

/** One change of the Update section: add or delete given TXT values at a name. */
export interface TxtUpdate {
  readonly action: 'add' | 'delete';
  /** Owner name, inside the zone. */
  readonly name: string;
  readonly values: readonly string[];
  /** TTL of added records, seconds; ignored for deletes (always 0, RFC 2136 §2.5.4). */
  readonly ttl: number;
}

/** DNS UPDATE opcode (RFC 2136 §1.3), in the header's OPCODE field (bits 11–14 of the flags). */
export const UPDATE_OPCODE = 5;

/**
 * Encode a DNS UPDATE message (RFC 2136 §2) for TXT changes, unsigned and without prerequisites.
 * `dns-packet` cannot write class NONE nor sign, so this writes the octets itself:
 *
 * - header with OPCODE 5 and ZOCOUNT 1, PRCOUNT 0, UPCOUNT = one per value, ADCOUNT 0 (§2.2);
 * - Zone section: the zone, type SOA, class IN (§2.3);
 * - add: `name TTL IN TXT value` — adding to an RRset merges, values already there stay (§2.5.1);
 * - delete: `name 0 NONE TXT value` — removes exactly that RR; an absent one is ignored (§2.5.4, §3.4.2.4).
 *
 * @example
 * ```ts
 * encodeUpdateMessage(0x1234, 'example.com', [{ action: 'add', name: '_acme-challenge.example.com', values: [v], ttl: 60 }]);
 * ```
 */
export function encodeUpdateMessage(id: number, zone: string, updates: readonly TxtUpdate[]): Buffer {
  const records: Buffer[] = [];
  for (const update of updates) {
    const owner = encodeName(update.name);
    for (const value of update.values) {
      const rdata = encodeTxtRdata(value);
      const header =
        update.action === 'add'
          ? encodeRecordHeader(RR_TYPE.TXT, RR_CLASS.IN, update.ttl, rdata.length)
          : encodeRecordHeader(RR_TYPE.TXT, RR_CLASS.NONE, 0, rdata.length);
      records.push(owner, header, rdata);
    }
  }
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(UPDATE_OPCODE << 11, 2);
  header.writeUInt16BE(1, 4); // ZOCOUNT
  header.writeUInt16BE(0, 6); // PRCOUNT
  header.writeUInt16BE(updates.reduce((count, update) => count + update.values.length, 0), 8); // UPCOUNT
  header.writeUInt16BE(0, 10); // ADCOUNT; signing adds the TSIG record
  const zoneSection = Buffer.concat([encodeName(zone), Buffer.from([0, RR_TYPE.SOA, 0, RR_CLASS.IN])]);
  return Buffer.concat([header, zoneSection, ...records]);
}

/** TXT RDATA (RFC 1035 §3.3.14): the value as character-strings of at most 255 octets each. */
export function encodeTxtRdata(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const parts: Buffer[] = [];
  for (let offset = 0; offset < bytes.length || parts.length === 0; offset += 255) {
    const chunk = bytes.subarray(offset, offset + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
  }
  return Buffer.concat(parts);
}
