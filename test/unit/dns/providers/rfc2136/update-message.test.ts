import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { encodeTxtRdata, encodeUpdateMessage } from '../../../../../shared/dns/providers/rfc2136/update-message.js';

const NAME = '_acme-challenge.example.test';

describe('encodeUpdateMessage', () => {
  it('writes an RFC 2136 UPDATE that dns-packet decodes back', () => {
    const message = encodeUpdateMessage(0x4321, 'Example.test.', [
      { action: 'add', name: NAME, values: ['value-one', 'value-two'], ttl: 60 },
      { action: 'delete', name: NAME, values: ['old-value'], ttl: 999 },
    ]);
    const decoded = dnsPacket.decode(message);
    expect(decoded.id).toBe(0x4321);
    expect(decoded.type).toBe('query');
    expect((decoded as unknown as { opcode: string }).opcode).toBe('UPDATE');
    // Zone section (RFC 2136 §2.3) decodes as the question section
    expect(decoded.questions).toEqual([{ name: 'example.test', type: 'SOA', class: 'IN' }]);
    expect(decoded.answers).toEqual([]); // no prerequisites
    // Update section (§2.5) decodes as the authority section
    const updates = decoded.authorities as unknown as { name: string; type: string; class: string; ttl: number; data: Buffer[] }[];
    expect(updates.map((rr) => [rr.name, rr.type, rr.class, rr.ttl, rr.data.map(String)])).toEqual([
      [NAME, 'TXT', 'IN', 60, ['value-one']],
      [NAME, 'TXT', 'IN', 60, ['value-two']],
      // §2.5.4 "Delete An RR From An RRset": class NONE (254), TTL 0
      [NAME, 'TXT', 'UNKNOWN_254', 0, ['old-value']],
    ]);
    expect(decoded.additionals).toEqual([]);
  });

  it('sets the UPDATE opcode in the header flags (5 << 11)', () => {
    const message = encodeUpdateMessage(1, 'example.test', []);
    expect(message.readUInt16BE(2)).toBe(5 << 11);
    expect([message.readUInt16BE(4), message.readUInt16BE(6), message.readUInt16BE(8), message.readUInt16BE(10)]).toEqual([1, 0, 0, 0]);
  });

  it('rejects names DNS cannot carry', () => {
    expect(() => encodeUpdateMessage(1, 'example.test', [{ action: 'add', name: `${'a'.repeat(64)}.example.test`, values: ['v'], ttl: 60 }])).toThrow(TypeError);
  });
});

describe('encodeTxtRdata', () => {
  it('splits values longer than 255 octets into character-strings (RFC 1035 §3.3.14)', () => {
    const rdata = encodeTxtRdata('x'.repeat(300));
    expect(rdata[0]).toBe(255);
    expect(rdata[256]).toBe(45);
    expect(rdata).toHaveLength(302);
    expect([...encodeTxtRdata('')]).toEqual([0]);
  });
});
