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
  /** The HMAC key, base64url (with or without padding; standard base64 is tolerated too). */
  readonly hmacKey: string;
  /** @default 'HS256' */
  readonly algorithm?: EabAlgorithm;
}

/** Decodes an EAB HMAC key. The key itself never appears in an error message. */
export function decodeEabHmacKey(hmacKey: string): Uint8Array {
  const normalized = hmacKey.trim().replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  if (normalized === '' || !/^[A-Za-z0-9_-]+$/.test(normalized) || normalized.length % 4 === 1) {
    throw new AcmeClientError(
      'The EAB HMAC key is not valid base64url. Copy it again from the CA portal exactly as shown (it may be given with or without "=" padding).',
    );
  }
  return new Uint8Array(Buffer.from(normalized, 'base64url'));
}

function isEabAlgorithm(value: unknown): value is EabAlgorithm {
  return (EAB_ALGORITHMS as readonly unknown[]).includes(value);
}

/**
 * Checks EAB credentials from any source: a JSON object `{ kid, hmacKey, algorithm? }` with a
 * non-empty KID, an HMAC key that decodes as base64url, and an algorithm from {@link EAB_ALGORITHMS}
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
  try {
    decodeEabHmacKey(hmacKey);
  } catch (error) {
    return fail('has an "hmacKey" that is not base64url', 'hmacKey', error);
  }
  return { kid, hmacKey, ...(algorithm === undefined ? {} : { algorithm }) };
}
