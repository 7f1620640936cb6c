import { describe, expect, it } from 'vitest';
import { readSingleDerElement } from '../../../shared/crypto/der-reader.js';
import { commonNameOf, formatDistinguishedName } from '../../../shared/crypto/distinguished-name.js';

// A tiny DER writer, enough to build Names by hand (X.690 §8.1.3, §8.19).
function tlv(tag: number, content: Uint8Array | number[]): number[] {
  const bytes = [...content];
  const length =
    bytes.length < 0x80 ? [bytes.length] : bytes.length < 0x100 ? [0x81, bytes.length] : [0x82, bytes.length >> 8, bytes.length & 0xff];
  return [tag, ...length, ...bytes];
}
function oid(dotted: string): number[] {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const arc of rest) {
    const groups: number[] = [];
    let v = arc;
    do {
      groups.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    out.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return tlv(0x06, out);
}
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const printable = (text: string) => tlv(0x13, Buffer.from(text, 'latin1'));
const atv = (type: string, value: number[]) => tlv(0x30, [...oid(type), ...value]);
const rdn = (...atvs: number[][]) => tlv(0x31, atvs.flat());
const name = (...rdns: number[][]) => readSingleDerElement(new Uint8Array(tlv(0x30, rdns.flat())));

const CN = '2.5.4.3';
const O = '2.5.4.10';
const OU = '2.5.4.11';
const C = '2.5.4.6';

describe('formatDistinguishedName (RFC 4514)', () => {
  it('writes RDNs most specific first, joined by commas (§2.1)', () => {
    const n = name(rdn(atv(C, printable('US'))), rdn(atv(O, utf8("Let's Encrypt"))), rdn(atv(CN, printable('R3'))));
    expect(formatDistinguishedName(n)).toBe("CN=R3,O=Let's Encrypt,C=US");
  });

  it('joins the attributes of a multi-valued RDN with + (§2.2)', () => {
    const n = name(rdn(atv(C, printable('JP'))), rdn(atv(OU, utf8('Ops')), atv(CN, utf8('host'))));
    expect(formatDistinguishedName(n)).toBe('OU=Ops+CN=host,C=JP');
  });

  it('uses the §3 short names, including DC and UID', () => {
    const n = name(
      rdn(atv('0.9.2342.19200300.100.1.25', tlv(0x16, Buffer.from('com')))),
      rdn(atv('0.9.2342.19200300.100.1.25', tlv(0x16, Buffer.from('example')))),
      rdn(atv('0.9.2342.19200300.100.1.1', utf8('jdoe'))),
      rdn(atv('2.5.4.7', utf8('Chiyoda'))),
      rdn(atv('2.5.4.8', utf8('Tokyo'))),
      rdn(atv('2.5.4.9', utf8('1-1 Marunouchi'))),
    );
    expect(formatDistinguishedName(n)).toBe('STREET=1-1 Marunouchi,ST=Tokyo,L=Chiyoda,UID=jdoe,DC=example,DC=com');
  });

  it('writes other attribute types as dotted OID = # hex of the BER value (§2.3, §2.4)', () => {
    const n = name(rdn(atv('2.5.4.5', printable('1234'))), rdn(atv('1.2.840.113549.1.9.1', tlv(0x16, Buffer.from('a@b')))));
    expect(formatDistinguishedName(n)).toBe('1.2.840.113549.1.9.1=#1603614062,2.5.4.5=#130431323334');
  });

  it('writes a known type with a non-string value as # hex', () => {
    expect(formatDistinguishedName(name(rdn(atv(CN, tlv(0x02, [0x01])))))).toBe('CN=#020101');
  });

  it.each([
    ['a,b', 'a\\,b'],
    ['a+b', 'a\\+b'],
    ['say "hi"', 'say \\"hi\\"'],
    ['back\\slash', 'back\\\\slash'],
    ['<tag>;', '\\<tag\\>\\;'],
    ['#hash', '\\#hash'],
    ['not#leading', 'not#leading'],
    [' leading', '\\ leading'],
    ['trailing ', 'trailing\\ '],
    [' ', '\\ '],
    ['a\\ ', 'a\\\\\\ '],
    ['nul\0byte', 'nul\\00byte'],
    ['=equals= are fine', '=equals= are fine'],
  ])('escapes %j as %j (§2.4)', (value, expected) => {
    expect(formatDistinguishedName(name(rdn(atv(CN, utf8(value)))))).toBe(`CN=${expected}`);
  });

  it('decodes every DirectoryString choice', () => {
    const bmp = Buffer.from('Tōkyō', 'utf16le').swap16();
    const universal = Buffer.alloc(8);
    universal.writeUInt32BE(0x1f600, 0); // 😀 outside the BMP
    universal.writeUInt32BE(0x41, 4);
    const n = name(
      rdn(atv(CN, tlv(0x1e, bmp))),
      rdn(atv(O, tlv(0x1c, universal))),
      rdn(atv(OU, tlv(0x14, Buffer.from('Caf\xe9', 'latin1')))),
      rdn(atv(C, utf8('日本'))),
    );
    expect(formatDistinguishedName(n)).toBe('C=日本,OU=Café,O=😀A,CN=Tōkyō');
  });

  it('renders an empty Name as the empty string', () => {
    expect(formatDistinguishedName(name())).toBe('');
  });

  it('rejects a Name that is not a SEQUENCE of SETs', () => {
    const bad = readSingleDerElement(new Uint8Array(tlv(0x30, tlv(0x30, atv(CN, utf8('x'))))));
    expect(() => formatDistinguishedName(bad)).toThrowError(expect.objectContaining({ name: 'Asn1DecodeError' }));
  });
});

describe('commonNameOf', () => {
  it('returns the first CN in encoded order, or null', () => {
    expect(commonNameOf(name(rdn(atv(O, utf8('Org'))), rdn(atv(CN, utf8('first'))), rdn(atv(CN, utf8('second')))))).toBe(
      'first',
    );
    expect(commonNameOf(name(rdn(atv(O, utf8('Org')))))).toBeNull();
    expect(commonNameOf(name())).toBeNull();
  });

  it('finds a CN inside a multi-valued RDN', () => {
    expect(commonNameOf(name(rdn(atv(OU, utf8('Ops')), atv(CN, printable('host')))))).toBe('host');
  });
});
