import { createHmac, timingSafeEqual } from 'node:crypto';
import { encodeName, encodeRecordHeader, messageLayout, readName, RR_CLASS, RR_TYPE } from './wire.js';

/**
 * TSIG algorithms supported (RFC 8945 §6). HMAC-MD5 is there only because certbot's RFC 2136 plugin
 * uses it when `dns_rfc2136_algorithm` is absent; RFC 8945 says not to use it.
 */
export const TSIG_ALGORITHMS = ['hmac-md5', 'hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'] as const;
export type TsigAlgorithm = (typeof TSIG_ALGORITHMS)[number];

const DIGEST: Readonly<Record<TsigAlgorithm, string>> = {
  'hmac-md5': 'md5',
  'hmac-sha1': 'sha1',
  'hmac-sha224': 'sha224',
  'hmac-sha256': 'sha256',
  'hmac-sha384': 'sha384',
  'hmac-sha512': 'sha512',
};

/** A shared TSIG key (RFC 8945 §3), as in BIND's `key "name" { algorithm ...; secret "..."; };`. */
export interface TsigKey {
  /** Key name, e.g. `acmeflow.` or `acmeflow`; compared case-insensitively. */
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  /** The secret, base64 (RFC 4648 §4), exactly as `tsig-keygen` prints it. Never logged. */
  readonly secret: string;
}

/** TSIG error codes (RFC 8945 §3, IANA DNS RCODEs) carried in the TSIG record's Error field. */
export const TSIG_ERRORS: Readonly<Record<number, string>> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

/** Fudge, the allowed clock difference in seconds; 300 is the RFC 8945 §10 recommendation. */
export const DEFAULT_TSIG_FUDGE = 300;

/** The algorithm's name in the TSIG record (RFC 8945 §6); only HMAC-MD5 has a long one (RFC 2845). */
function algorithmWireName(algorithm: TsigAlgorithm): string {
  return algorithm === 'hmac-md5' ? 'hmac-md5.sig-alg.reg.int' : algorithm;
}

/**
 * Parse a TSIG algorithm as written in configs: `HMAC-SHA512` (certbot), `hmac-sha512`,
 * `hmac-sha512.`, `hmac-md5.sig-alg.reg.int`; `undefined` when unsupported.
 */
export function parseTsigAlgorithm(text: string): TsigAlgorithm | undefined {
  const normalized = text.trim().toLowerCase().replace(/\.$/, '').replace(/^hmac-md5\.sig-alg\.reg\.int$/, 'hmac-md5');
  return (TSIG_ALGORITHMS as readonly string[]).includes(normalized) ? (normalized as TsigAlgorithm) : undefined;
}

/** Decode and check a base64 TSIG secret; whitespace (line breaks in pasted keys) is ignored. */
export function decodeTsigSecret(secret: string): Buffer | undefined {
  const compact = secret.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

/** The fields of a TSIG record (RFC 8945 §4.2). */
export interface TsigRecord {
  readonly keyName: string;
  readonly algorithm: string;
  /** Seconds since the epoch (48-bit field). */
  readonly timeSigned: number;
  readonly fudge: number;
  readonly mac: Buffer;
  readonly originalId: number;
  /** TSIG error: 0, or 16 BADSIG, 17 BADKEY, 18 BADTIME, 22 BADTRUNC. */
  readonly error: number;
  readonly otherData: Buffer;
}

/** Options of {@link signMessage} and {@link verifyMessage}. */
export interface TsigOptions {
  /** The current time in ms since the epoch. @default Date.now() */
  readonly now?: number;
  /** Allowed clock difference, seconds. @default 300 */
  readonly fudge?: number;
}

/** Options of {@link signMessage}. */
export interface TsigSignOptions extends TsigOptions {
  /** The MAC of the request this message answers: set when signing a response (RFC 8945 §4.3.1, §5.3). */
  readonly requestMac?: Buffer;
}

/**
 * Sign a DNS message with TSIG (RFC 8945 §5.1): compute the MAC over the message followed by the
 * TSIG variables (§4.3.3) — preceded by the request's MAC when signing a response (§4.3.1) — append
 * the TSIG record as the last additional record and bump ARCOUNT. Returns the signed message and
 * the MAC, which verifying the response needs.
 *
 * @example
 * ```ts
 * const { message: signed, mac } = signMessage(update, { name: 'acmeflow.', algorithm: 'hmac-sha256', secret });
 * ```
 */
export function signMessage(message: Buffer, key: TsigKey, options: TsigSignOptions = {}): { message: Buffer; mac: Buffer } {
  const secret = requireSecret(key);
  const timeSigned = Math.floor((options.now ?? Date.now()) / 1000);
  const fudge = options.fudge ?? DEFAULT_TSIG_FUDGE;
  const variables = tsigVariables(key.name, algorithmWireName(key.algorithm), timeSigned, fudge, 0, Buffer.alloc(0));
  const mac = createHmac(DIGEST[key.algorithm], secret)
    .update(requestMacPrefix(options.requestMac))
    .update(message)
    .update(variables)
    .digest();
  const record = encodeTsigRecord({
    keyName: key.name,
    algorithm: algorithmWireName(key.algorithm),
    timeSigned,
    fudge,
    mac,
    originalId: message.readUInt16BE(0),
    error: 0,
    otherData: Buffer.alloc(0),
  });
  const signed = Buffer.concat([message, record]);
  signed.writeUInt16BE(message.readUInt16BE(10) + 1, 10);
  return { message: signed, mac };
}

/** Why a TSIG-signed response was rejected. */
export type TsigFailure = 'unsigned' | 'malformed' | 'wrong-key' | 'bad-mac' | 'bad-time' | 'server-error';

/** The outcome of {@link verifyMessage}: the TSIG record, or why the response is not to be trusted. */
export type TsigVerification =
  | { readonly ok: true; readonly record: TsigRecord }
  | { readonly ok: false; readonly failure: TsigFailure; readonly record?: TsigRecord; readonly detail: string };

/**
 * Verify the TSIG of a response to a signed request (RFC 8945 §5.3.2 and §5.4): the TSIG record
 * must be the last additional record, name our key and algorithm, carry no TSIG error, have a MAC
 * that matches (request MAC, then the message without the TSIG record with its original ID, then
 * the TSIG variables, §4.3.1) and a time within the fudge of our clock.
 *
 * @example
 * ```ts
 * const result = verifyMessage(response, key, request.mac);
 * if (!result.ok) throw new Error(result.detail);
 * ```
 */
export function verifyMessage(message: Buffer, key: TsigKey, requestMac: Buffer | undefined, options: TsigOptions = {}): TsigVerification {
  let parsed: { record: TsigRecord; unsigned: Buffer } | undefined;
  try {
    parsed = readTsig(message);
  } catch (error) {
    return { ok: false, failure: 'malformed', detail: `unreadable TSIG record: ${(error as Error).message}` };
  }
  if (parsed === undefined) return { ok: false, failure: 'unsigned', detail: 'the response carries no TSIG record' };
  const { record, unsigned } = parsed;
  if (record.error !== 0) {
    const name = TSIG_ERRORS[record.error] ?? `TSIG error ${record.error}`;
    return { ok: false, failure: 'server-error', record, detail: `the server answered ${name}` };
  }
  if (canonical(record.keyName) !== canonical(key.name) || canonical(record.algorithm) !== algorithmWireName(key.algorithm)) {
    return { ok: false, failure: 'wrong-key', record, detail: `the response is signed with key ${record.keyName} (${record.algorithm})` };
  }
  const secret = requireSecret(key);
  const expected = createHmac(DIGEST[key.algorithm], secret)
    .update(requestMacPrefix(requestMac))
    .update(unsigned)
    .update(tsigVariables(record.keyName, record.algorithm, record.timeSigned, record.fudge, record.error, record.otherData))
    .digest();
  // RFC 8945 §5.2.2.1: a truncated MAC is acceptable down to half the digest (and 10 octets).
  const minimum = Math.max(10, expected.length / 2);
  if (record.mac.length < minimum || record.mac.length > expected.length || !timingSafeEqual(record.mac, expected.subarray(0, record.mac.length))) {
    return { ok: false, failure: 'bad-mac', record, detail: 'the MAC of the response does not verify' };
  }
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - record.timeSigned) > Math.max(record.fudge, options.fudge ?? 0)) {
    return { ok: false, failure: 'bad-time', record, detail: `the response was signed at ${record.timeSigned}, our clock says ${now}` };
  }
  return { ok: true, record };
}

/**
 * Find the TSIG record of a message (the last additional record, RFC 8945 §5.1) and rebuild the
 * message as it was before signing: without that record, ARCOUNT decremented, the original ID back.
 */
export function readTsig(message: Buffer): { record: TsigRecord; unsigned: Buffer } | undefined {
  const layout = messageLayout(message);
  const start = layout.additionalOffsets.at(-1);
  if (start === undefined) return undefined;
  const owner = readName(message, start);
  if (message.readUInt16BE(owner.end) !== RR_TYPE.TSIG) return undefined;
  const rdataStart = owner.end + 10;
  const algorithm = readName(message, rdataStart);
  let offset = algorithm.end;
  const timeSigned = message.readUIntBE(offset, 6);
  const fudge = message.readUInt16BE(offset + 6);
  const macSize = message.readUInt16BE(offset + 8);
  offset += 10;
  const mac = Buffer.from(message.subarray(offset, offset + macSize));
  offset += macSize;
  const originalId = message.readUInt16BE(offset);
  const error = message.readUInt16BE(offset + 2);
  const otherLength = message.readUInt16BE(offset + 4);
  const otherData = Buffer.from(message.subarray(offset + 6, offset + 6 + otherLength));
  if (offset + 6 + otherLength > layout.end) throw new RangeError('TSIG record data runs past its end');
  const unsigned = Buffer.from(message.subarray(0, start));
  unsigned.writeUInt16BE(originalId, 0);
  unsigned.writeUInt16BE(layout.counts[3] - 1, 10);
  return {
    record: { keyName: owner.name, algorithm: algorithm.name, timeSigned, fudge, mac, originalId, error, otherData },
    unsigned,
  };
}

/** The TSIG record on the wire (RFC 8945 §4.2); names are written uncompressed. */
export function encodeTsigRecord(record: TsigRecord): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUIntBE(record.timeSigned, 0, 6);
  fixed.writeUInt16BE(record.fudge, 6);
  fixed.writeUInt16BE(record.mac.length, 8);
  const trailer = Buffer.alloc(6);
  trailer.writeUInt16BE(record.originalId, 0);
  trailer.writeUInt16BE(record.error, 2);
  trailer.writeUInt16BE(record.otherData.length, 4);
  const rdata = Buffer.concat([encodeName(record.algorithm), fixed, record.mac, trailer, record.otherData]);
  return Buffer.concat([encodeName(record.keyName), encodeRecordHeader(RR_TYPE.TSIG, RR_CLASS.ANY, 0, rdata.length), rdata]);
}

/** The "TSIG variables" of the digest (RFC 8945 §4.3.3), names in canonical form. */
function tsigVariables(keyName: string, algorithm: string, timeSigned: number, fudge: number, error: number, otherData: Buffer): Buffer {
  const classAndTtl = Buffer.alloc(6);
  classAndTtl.writeUInt16BE(RR_CLASS.ANY, 0); // TTL stays 0
  const tail = Buffer.alloc(12);
  tail.writeUIntBE(timeSigned, 0, 6);
  tail.writeUInt16BE(fudge, 6);
  tail.writeUInt16BE(error, 8);
  tail.writeUInt16BE(otherData.length, 10);
  return Buffer.concat([encodeName(keyName), classAndTtl, encodeName(algorithm), tail, otherData]);
}

/** A response's digest starts with the request's MAC, length first (RFC 8945 §4.3.1); a request's with nothing. */
function requestMacPrefix(requestMac: Buffer | undefined): Buffer {
  if (requestMac === undefined) return Buffer.alloc(0);
  const size = Buffer.alloc(2);
  size.writeUInt16BE(requestMac.length);
  return Buffer.concat([size, requestMac]);
}

function canonical(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function requireSecret(key: TsigKey): Buffer {
  const secret = decodeTsigSecret(key.secret);
  // The message names the key, never the secret.
  if (secret === undefined) throw new TypeError(`the secret of TSIG key ${key.name} is not valid base64`);
  return secret;
}
