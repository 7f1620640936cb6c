import { AcmeClientError, EabCredentialsError, type EabCredentialsSource } from './errors.js';

/**
 * External Account Binding credentials (RFC 8555 §7.3.4): what a CA portal hands out, the one
 * parser every source (command-line flags, a local file, a Secrets Manager secret) goes through,
 * and the decoding of the HMAC key. After {@link parseEabCredentials} the value is trusted.
 */

/** The MAC algorithms acmeflow signs the binding with (RFC 8555 §7.3.4 requires a MAC-based JWS algorithm). */
export const EAB_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;

export type EabAlgorithm = (typeof EAB_ALGORITHMS)[number];

/** External Account Binding credentials as the CA hands them out. */
export interface ExternalAccountBinding {
  /** The key identifier (`KID`). */
  readonly kid: string;
  /** The HMAC key, base64url or standard base64, padded or not ({@link decodeEabHmacKey}). */
  readonly hmacKey: string;
  /** @default 'HS256' */
  readonly algorithm?: EabAlgorithm;
}

/** What is wrong with an EAB HMAC key, as a phrase ("holds a space ... at character 21"), or its bytes. */
function readEabHmacKey(hmacKey: string): { readonly bytes: Uint8Array } | { readonly problem: string } {
  const text = hmacKey.trim();
  if (text === '') return { problem: 'is empty' };
  // Positions, never characters: the key itself must not reach a message.
  const space = text.search(/\s/);
  if (space >= 0) return { problem: `holds a space or line break at character ${space + 1}` };
  const unpadded = text.replace(/={1,2}$/, '');
  const equals = unpadded.indexOf('=');
  if (equals >= 0) return { problem: `has "=" at character ${equals + 1}, but "=" may only end the key, as padding` };
  const stray = unpadded.search(/[^A-Za-z0-9+/_-]/);
  if (stray >= 0) return { problem: `is not base64: character ${stray + 1} is in neither alphabet` };
  if (/[-_]/.test(unpadded) && /[+/]/.test(unpadded)) return { problem: 'mixes the base64url ("-", "_") and standard base64 ("+", "/") alphabets' };
  if (unpadded.length !== text.length && text.length % 4 !== 0) return { problem: 'has the wrong number of "=" at its end' };
  const url = unpadded.replace(/\+/g, '-').replace(/\//g, '_');
  const bytes = Buffer.from(url, 'base64url');
  // A canonical encoding ends on a character whose unused bits are zero (RFC 4648 §3.5): a key that
  // breaks that, or whose length no encoding has, was cut or extended while being copied.
  if (url.length % 4 === 1 || bytes.toString('base64url') !== url) return { problem: 'was cut short or has one character too many at its end' };
  return { bytes: new Uint8Array(bytes) };
}

/** How a key must look, said after any problem with it. */
const EAB_HMAC_KEY_FIX = 'It must be base64url or standard base64, padded or not: copy it again from the CA portal exactly as shown, on one line.';

function hmacKeyError(problem: string): AcmeClientError {
  return new AcmeClientError(`The EAB HMAC key ${problem}. ${EAB_HMAC_KEY_FIX}`);
}

/**
 * Decodes an EAB HMAC key as CA portals hand it out: base64url (RFC 4648 §5) or standard base64
 * (§4), padded or not. Anything else is refused with what is wrong and where; the key itself never
 * appears in the message.
 *
 * @example
 * decodeEabHmacKey('-_8') // the same bytes as decodeEabHmacKey('+/8=')
 */
export function decodeEabHmacKey(hmacKey: string): Uint8Array {
  const read = readEabHmacKey(hmacKey);
  if ('problem' in read) throw hmacKeyError(read.problem);
  return read.bytes;
}

function isEabAlgorithm(value: unknown): value is EabAlgorithm {
  return (EAB_ALGORITHMS as readonly unknown[]).includes(value);
}

/**
 * Checks EAB credentials from any source: a JSON object `{ kid, hmacKey, algorithm? }` with a
 * non-empty KID, an HMAC key that decodes as base64url or standard base64, and an algorithm from {@link EAB_ALGORITHMS}
 * when one is given. Messages name the field, never its value.
 *
 * @throws EabCredentialsError with `field` set to the member at fault (unset when `value` is not an object).
 *
 * @example
 * ```ts
 * const eab = parseEabCredentials(JSON.parse(secretString), { source: 'secret', ref: 'acmeflow/eab/jprs' });
 * ```
 */
export function parseEabCredentials(value: unknown, from: { readonly source: EabCredentialsSource; readonly ref: string }): ExternalAccountBinding {
  const fail = (problem: string, field?: 'kid' | 'hmacKey' | 'algorithm', cause?: unknown): never => {
    throw new EabCredentialsError(from.source, from.ref, problem, { ...(field ? { field } : {}), ...(cause === undefined ? {} : { cause }) });
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('does not hold a JSON object');
  const { kid, hmacKey, algorithm } = value as Record<string, unknown>;
  if (typeof kid !== 'string' || kid === '') return fail('has no "kid" string', 'kid');
  if (typeof hmacKey !== 'string' || hmacKey === '') return fail('has no "hmacKey" string', 'hmacKey');
  if (algorithm !== undefined && !isEabAlgorithm(algorithm)) return fail(`has an "algorithm" other than ${EAB_ALGORITHMS.join(', ')}`, 'algorithm');
  const read = readEabHmacKey(hmacKey);
  if ('problem' in read) {
    const cause = hmacKeyError(read.problem);
    return fail(`has an "hmacKey" that ${read.problem}. ${EAB_HMAC_KEY_FIX.replace(/\.$/, '')}`, 'hmacKey', cause);
  }
  return { kid, hmacKey, ...(algorithm === undefined ? {} : { algorithm }) };
}
