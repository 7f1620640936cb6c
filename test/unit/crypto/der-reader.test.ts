import { describe, expect, it } from 'vitest';
import {
  DerTag,
  decodeOid,
  expectDerTag,
  readDerChildren,
  readDerElement,
  readSingleDerElement,
  toHex,
} from '../../../shared/crypto/der-reader.js';

const bytes = (hex: string) => new Uint8Array(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));

describe('readDerElement', () => {
  it('reads a short-form TLV and exposes tag, whole bytes and content', () => {
    const element = readDerElement(bytes('02 03 00 87 65 ff'));
    expect(element.tag).toBe(DerTag.INTEGER);
    expect(toHex(element.bytes)).toBe('0203008765');
    expect(toHex(element.content)).toBe('008765');
  });

  it('reads long-form lengths (X.690 §8.1.3.5)', () => {
    const content = 'ab'.repeat(300);
    const element = readDerElement(bytes(`04 82 01 2c ${content}`));
    expect(element.content.length).toBe(300);
    expect(element.bytes.length).toBe(304);
  });

  it('reads at an offset', () => {
    expect(toHex(readDerElement(bytes('05 00 01 01 ff'), 2).content)).toBe('ff');
  });

  it.each([
    ['empty input', ''],
    ['tag without length', '30'],
    ['length past the end', '30 05 02 01 01'],
    ['indefinite length (BER only)', '30 80 00 00'],
    ['truncated long-form length', '04 82 01'],
    ['5-octet length', '04 85 01 00 00 00 00'],
    ['high tag number form', '1f 81 00 00'],
  ])('rejects %s with Asn1DecodeError', (_, hex) => {
    expect(() => readDerElement(bytes(hex))).toThrowError(expect.objectContaining({ name: 'Asn1DecodeError' }));
  });
});

describe('readSingleDerElement', () => {
  it('accepts exactly one element', () => {
    expect(readSingleDerElement(bytes('30 03 02 01 05')).tag).toBe(DerTag.SEQUENCE);
  });

  it('rejects trailing bytes', () => {
    expect(() => readSingleDerElement(bytes('30 03 02 01 05 00'))).toThrowError(/trailing data/);
  });
});

describe('readDerChildren', () => {
  it('lists the elements of a SEQUENCE in order', () => {
    const children = readDerChildren(readDerElement(bytes('30 08 02 01 05 01 01 ff 05 00')));
    expect(children.map((c) => c.tag)).toEqual([DerTag.INTEGER, DerTag.BOOLEAN, DerTag.NULL]);
    expect(toHex(children[1]!.content)).toBe('ff');
  });

  it('rejects a child that overruns its parent', () => {
    expect(() => readDerChildren(readDerElement(bytes('30 03 02 05 01')))).toThrowError(
      expect.objectContaining({ name: 'Asn1DecodeError' }),
    );
  });

  it('refuses primitive elements', () => {
    expect(() => readDerChildren(readDerElement(bytes('04 01 00')))).toThrowError(/constructed/);
  });
});

describe('expectDerTag', () => {
  it('returns the element when the tag matches and names the field otherwise', () => {
    const element = readDerElement(bytes('02 01 01'));
    expect(expectDerTag(element, DerTag.INTEGER, 'serial')).toBe(element);
    expect(() => expectDerTag(element, DerTag.SEQUENCE, 'validity')).toThrowError(/validity.*0x30.*0x2/);
    expect(() => expectDerTag(undefined, DerTag.SEQUENCE, 'subject')).toThrowError(/missing subject/);
  });
});

describe('decodeOid', () => {
  it.each([
    ['55 04 03', '2.5.4.3'], // commonName
    ['2a 86 48 ce 3d 04 03 02', '1.2.840.10045.4.3.2'], // ecdsa-with-SHA256
    ['09 92 26 89 93 f2 2c 64 01 19', '0.9.2342.19200300.100.1.25'], // domainComponent
    ['2b 06 01 05 05 07 08 09', '1.3.6.1.5.5.7.8.9'],
    ['88 37 03', '2.999.3'], // first sub-identifier above 80 (X.690 §8.19.4 example)
  ])('decodes %s as %s', (hex, oid) => {
    expect(decodeOid(bytes(hex))).toBe(oid);
  });

  it('decodes arcs larger than 2^53 (UUID OIDs under 2.25)', () => {
    // 2.25.340282366920938463463374607431768211455 = 2.25.(2^128 - 1)
    const arc = (1n << 128n) - 1n;
    const groups: number[] = [];
    for (let v = arc; v > 0n; v >>= 7n) groups.unshift(Number(v & 0x7fn));
    const encoded = groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g));
    expect(decodeOid(new Uint8Array([0x69, ...encoded]))).toBe(`2.25.${arc}`);
  });

  it.each([
    ['empty', ''],
    ['truncated', '2a 86'],
    ['non-minimal arc', '2a 80 01'],
  ])('rejects a %s OID', (_, hex) => {
    expect(() => decodeOid(bytes(hex))).toThrowError(expect.objectContaining({ name: 'Asn1DecodeError' }));
  });
});
