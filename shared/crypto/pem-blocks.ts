import { PemFormatError } from './errors.js';

/**
 * The PEM reader behind `normalizePem`, `pemToDer` and `splitPemChain`, internal to this module.
 *
 * It follows RFC 7468's lax parser (§2, §3): text outside the encapsulation boundaries is
 * explanatory and ignored, line endings may be LF, CRLF or CR, whitespace inside the base64 is
 * ignored. It is strict where a lax reading would hide a real fault: a block cut short (a
 * truncated download), an END label that differs from its BEGIN, or characters that are not
 * base64 (Buffer would skip them silently and return the wrong bytes).
 */

/** One PEM block. */
export interface PemBlock {
  /** The label between `BEGIN ` and the dashes, e.g. `CERTIFICATE`, `EC PRIVATE KEY`. */
  readonly label: string;
  /**
   * RFC 1421 encapsulated header lines (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: ...`), as written.
   * Only legacy encrypted OpenSSL keys have them; RFC 7468 forbids them in new documents.
   */
  readonly headers: readonly string[];
  /** The decoded content octets. */
  readonly der: Uint8Array<ArrayBuffer>;
}

// RFC 7468 §3: label = [ labelchar *( ["-" / SP] labelchar ) ], labelchar = %x21-2C / %x2E-7E.
const LABEL = String.raw`(?:[\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*)?`;
const BEGIN_LINE = new RegExp(`^-----BEGIN (${LABEL})-----$`);
const END_LINE = new RegExp(`^-----END (${LABEL})-----$`);
const ANY_BOUNDARY = /^-----(BEGIN|END)[ -]/;
const HEADER_LINE = /^[A-Za-z0-9-]+:/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Checks a label against RFC 7468 §3, for writers. */
export function isValidPemLabel(label: string): boolean {
  return new RegExp(`^${LABEL}$`).test(label) && label.length > 0;
}

/**
 * Reads every PEM block of `text`, in order.
 *
 * @throws PemFormatError when a block is not closed, is closed with another label, or holds
 *   something other than base64.
 */
export function readPemBlocks(text: string): PemBlock[] {
  if (typeof text !== 'string') throw new PemFormatError('PEM input must be a string');
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const blocks: PemBlock[] = [];
  let label: string | null = null;
  let headers: string[] = [];
  let body: string[] = [];
  let inHeaders = false;

  for (const rawLine of lines) {
    const line = rawLine.trim();
    if (label === null) {
      const begin = BEGIN_LINE.exec(line);
      if (begin) {
        label = begin[1] ?? '';
        headers = [];
        body = [];
        inHeaders = true;
      }
      continue;
    }
    const end = END_LINE.exec(line);
    if (end) {
      if (end[1] !== label) {
        throw new PemFormatError(`PEM block "${label}" is closed by an END line with label "${end[1] ?? ''}"`);
      }
      blocks.push({ label, headers, der: decodeBase64Body(body.join(''), label) });
      label = null;
      continue;
    }
    if (ANY_BOUNDARY.test(line)) {
      throw new PemFormatError(`PEM block "${label}" is not closed before the next boundary line`);
    }
    if (inHeaders) {
      if (HEADER_LINE.test(line)) {
        headers.push(line);
        continue;
      }
      if (headers.length > 0 && line !== '' && /^[ \t]/.test(rawLine)) {
        // RFC 1421 §4.4: a header value may continue on lines that start with whitespace.
        headers.push(rawLine.trimEnd());
        continue;
      }
      if (line === '') {
        // RFC 1421: a blank line separates the headers from the body.
        if (headers.length > 0) inHeaders = false;
        continue;
      }
      inHeaders = false;
    }
    body.push(line.replace(/\s+/g, ''));
  }
  if (label !== null) {
    throw new PemFormatError(`PEM block "${label}" has no END line (truncated input?)`);
  }
  return blocks;
}

function decodeBase64Body(base64: string, label: string): Uint8Array<ArrayBuffer> {
  // RFC 7468 §3 requires padded base64 (RFC 4648 §4); the alphabet check matters because
  // Buffer.from(..., 'base64') skips unknown characters instead of failing.
  if (base64.length === 0 || base64.length % 4 !== 0 || !BASE64.test(base64)) {
    throw new PemFormatError(`PEM block "${label}" does not contain valid base64`);
  }
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

/**
 * Writes one block the way RFC 7468 §2 says generators must: lines of exactly 64 base64
 * characters (the last one shorter), LF line endings, a final newline.
 */
export function writePemBlock(label: string, der: Uint8Array, headers: readonly string[] = []): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  const headerText = headers.length > 0 ? `${headers.join('\n')}\n\n` : '';
  return `-----BEGIN ${label}-----\n${headerText}${lines.join('\n')}\n-----END ${label}-----\n`;
}
