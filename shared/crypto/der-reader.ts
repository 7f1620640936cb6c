import { Asn1DecodeError } from './errors.js';

/**
 * A minimal DER (ITU-T X.690 §10) TLV reader, internal to this module.
 *
 * It exists for the few places where a library's view of a certificate is not the bytes
 * themselves: the serial number as encoded (a leading 0x00 is part of the RFC 9773 §4.1
 * identifier, and @peculiar/x509 strips it), RFC 4514 names in RDN order, and a strict check
 * that the input is exactly one certificate. It reads; it never re-encodes.
 */

/** One TLV element. `bytes` is the whole element, `content` its value octets (views, not copies). */
export interface DerElement {
  /** The identifier octet: class, constructed bit and tag number (low-tag-number form only). */
  readonly tag: number;
  readonly bytes: Uint8Array;
  readonly content: Uint8Array;
}

/** Universal tags used in this module (X.690 / X.680 §8.4). */
export const DerTag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  NUMERIC_STRING: 0x12,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
} as const;

/**
 * Reads the element starting at `offset`.
 *
 * @example
 * ```ts
 * const cert = readDerElement(der); // cert.tag === DerTag.SEQUENCE
 * ```
 */
export function readDerElement(input: Uint8Array, offset = 0): DerElement {
  const tag = input[offset];
  if (tag === undefined) throw new Asn1DecodeError('DER: unexpected end of data before a tag');
  // High-tag-number form (X.690 §8.1.2.4) never occurs in the structures read here.
  if ((tag & 0x1f) === 0x1f) throw new Asn1DecodeError('DER: high tag numbers are not supported');
  const first = input[offset + 1];
  if (first === undefined) throw new Asn1DecodeError('DER: unexpected end of data before a length');
  let length: number;
  let headerLength: number;
  if (first < 0x80) {
    length = first;
    headerLength = 2;
  } else {
    const count = first & 0x7f;
    // 0x80 is BER's indefinite length, forbidden in DER (X.690 §10.1); > 4 octets is > 4 GiB.
    if (count === 0) throw new Asn1DecodeError('DER: indefinite length is not DER');
    if (count > 4) throw new Asn1DecodeError('DER: length too large');
    length = 0;
    for (let i = 0; i < count; i++) {
      const octet = input[offset + 2 + i];
      if (octet === undefined) throw new Asn1DecodeError('DER: unexpected end of data inside a length');
      length = length * 256 + octet;
    }
    headerLength = 2 + count;
  }
  const contentStart = offset + headerLength;
  const end = contentStart + length;
  if (end > input.length) throw new Asn1DecodeError('DER: element runs past the end of the data');
  return {
    tag,
    bytes: input.subarray(offset, end),
    content: input.subarray(contentStart, end),
  };
}

/**
 * Reads `input` as exactly one element: trailing bytes are an error, so that "a certificate
 * followed by something" is not silently taken for a certificate.
 */
export function readSingleDerElement(input: Uint8Array): DerElement {
  const element = readDerElement(input, 0);
  if (element.bytes.length !== input.length) {
    throw new Asn1DecodeError('DER: trailing data after the element');
  }
  return element;
}

/** The elements inside a constructed element (SEQUENCE, SET, or a constructed context tag). */
export function readDerChildren(parent: DerElement): DerElement[] {
  if ((parent.tag & 0x20) === 0) throw new Asn1DecodeError('DER: expected a constructed element');
  const children: DerElement[] = [];
  let offset = 0;
  while (offset < parent.content.length) {
    const child = readDerElement(parent.content, offset);
    children.push(child);
    offset += child.bytes.length;
  }
  return children;
}

/** Checks the element's tag and returns it, for readable structure walks. */
export function expectDerTag(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (element === undefined) throw new Asn1DecodeError(`DER: missing ${what}`);
  if (element.tag !== tag) {
    throw new Asn1DecodeError(
      `DER: expected ${what} (tag 0x${tag.toString(16)}), found tag 0x${element.tag.toString(16)}`,
    );
  }
  return element;
}

/** Decodes an OBJECT IDENTIFIER's content octets to dotted-decimal (X.690 §8.19). */
export function decodeOid(content: Uint8Array): string {
  if (content.length === 0) throw new Asn1DecodeError('DER: empty OBJECT IDENTIFIER');
  const arcs: bigint[] = [];
  let value = 0n;
  let inArc = false;
  for (const octet of content) {
    // A leading 0x80 would be a non-minimal sub-identifier (X.690 §8.19.2).
    if (!inArc && octet === 0x80) throw new Asn1DecodeError('DER: non-minimal OBJECT IDENTIFIER arc');
    value = (value << 7n) | BigInt(octet & 0x7f);
    inArc = (octet & 0x80) !== 0;
    if (!inArc) {
      arcs.push(value);
      value = 0n;
    }
  }
  if (inArc) throw new Asn1DecodeError('DER: truncated OBJECT IDENTIFIER');
  // The first sub-identifier packs the first two arcs as 40 * X + Y, X ∈ {0, 1, 2} (§8.19.4).
  const first = arcs[0] ?? 0n;
  const head = first < 40n ? [0n, first] : first < 80n ? [1n, first - 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join('.');
}

/** Lowercase hexadecimal of bytes, no separators. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
