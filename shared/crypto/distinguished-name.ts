import { Asn1DecodeError } from './errors.js';
import {
  DerTag,
  decodeOid,
  expectDerTag,
  readDerChildren,
  toHex,
  type DerElement,
} from './der-reader.js';

/**
 * RFC 4514 rendering of an X.501 Name (RFC 5280 §4.1.2.4), internal to this module.
 *
 * Written against the DER rather than a library's string because RFC 4514 §2.1 puts the RDNs
 * in reverse order (most specific first: `CN=R3,O=Let's Encrypt,C=US`) and renders attribute
 * types outside its table as dotted OIDs with a hex value (§2.3, §2.4), which general-purpose
 * libraries do differently.
 */

const OID_COMMON_NAME = '2.5.4.3';

/** RFC 4514 §3: the attribute type short names a writer may use; anything else is an OID. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

interface Attribute {
  readonly oid: string;
  /** The AttributeValue TLV as encoded. */
  readonly value: DerElement;
}

/** The RDNs of a Name in encoded order, each a list of attributes (RFC 5280 §4.1.2.4). */
function readRdns(name: DerElement): Attribute[][] {
  expectDerTag(name, DerTag.SEQUENCE, 'Name');
  return readDerChildren(name).map((rdn) => {
    expectDerTag(rdn, DerTag.SET, 'RelativeDistinguishedName');
    return readDerChildren(rdn).map((atv) => {
      expectDerTag(atv, DerTag.SEQUENCE, 'AttributeTypeAndValue');
      const [type, value] = readDerChildren(atv);
      const oid = decodeOid(expectDerTag(type, DerTag.OID, 'AttributeType').content);
      if (value === undefined) throw new Asn1DecodeError('DER: AttributeTypeAndValue without a value');
      return { oid, value };
    });
  });
}

/** Decodes the DirectoryString choices (and IA5String, used by DC and emailAddress), or null. */
function decodeString(value: DerElement): string | null {
  const content = Buffer.from(value.content.buffer, value.content.byteOffset, value.content.byteLength);
  switch (value.tag) {
    case DerTag.UTF8_STRING:
      return content.toString('utf8');
    case DerTag.PRINTABLE_STRING:
    case DerTag.IA5_STRING:
    case DerTag.VISIBLE_STRING:
    case DerTag.NUMERIC_STRING:
    // TeletexString is T.61 in theory; in practice CAs put Latin-1 in it.
    case DerTag.TELETEX_STRING:
      return content.toString('latin1');
    case DerTag.BMP_STRING: {
      if (content.length % 2 !== 0) return null;
      const swapped = Buffer.from(content).swap16();
      return swapped.toString('utf16le');
    }
    case DerTag.UNIVERSAL_STRING: {
      if (content.length % 4 !== 0) return null;
      let text = '';
      for (let i = 0; i < content.length; i += 4) {
        const codePoint = content.readUInt32BE(i);
        if (codePoint > 0x10ffff) return null;
        text += String.fromCodePoint(codePoint);
      }
      return text;
    }
    default:
      return null;
  }
}

/** RFC 4514 §2.4 escaping of a string value. */
function escapeValue(text: string): string {
  const chars = Array.from(text);
  return chars
    .map((c, i) => {
      if (c === '\0') return '\\00';
      if ('"+,;<>\\'.includes(c)) return `\\${c}`;
      if (i === 0 && (c === ' ' || c === '#')) return `\\${c}`;
      if (i === chars.length - 1 && c === ' ') return '\\ ';
      return c;
    })
    .join('');
}

function formatAttribute(attribute: Attribute): string {
  const shortName = SHORT_NAMES[attribute.oid];
  const text = shortName === undefined ? null : decodeString(attribute.value);
  // §2.4: a dotted-decimal type, or a value that is not a string, is written as # + hex of the BER.
  if (shortName === undefined || text === null) {
    return `${shortName ?? attribute.oid}=#${toHex(attribute.value.bytes)}`;
  }
  return `${shortName}=${escapeValue(text)}`;
}

/**
 * The RFC 4514 string of a DER Name element: RDNs most specific first, joined by `,`; the
 * attributes of a multi-valued RDN joined by `+`. An empty Name is the empty string.
 *
 * @example
 * ```ts
 * formatDistinguishedName(issuerElement); // 'CN=R3,O=Let\'s Encrypt,C=US'
 * ```
 */
export function formatDistinguishedName(name: DerElement): string {
  return readRdns(name)
    .reverse()
    .map((rdn) => rdn.map(formatAttribute).join('+'))
    .join(',');
}

/**
 * The first commonName (2.5.4.3) of a Name in encoded order, decoded, or null when there is
 * none. RFC 5280 allows several; ACME CAs write at most one.
 */
export function commonNameOf(name: DerElement): string | null {
  for (const rdn of readRdns(name)) {
    for (const attribute of rdn) {
      if (attribute.oid === OID_COMMON_NAME) return decodeString(attribute.value);
    }
  }
  return null;
}
