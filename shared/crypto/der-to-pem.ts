import { PemFormatError } from './errors.js';
import { isValidPemLabel, writePemBlock } from './pem-blocks.js';

/**
 * Encodes DER bytes as one PEM block in the canonical form of RFC 7468 §2 (64-column base64,
 * LF, final newline).
 *
 * @param label the RFC 7468 §4-§13 label, e.g. `CERTIFICATE`, `CERTIFICATE REQUEST`,
 *   `PRIVATE KEY`, `PUBLIC KEY`.
 * @throws PemFormatError on an empty input or a label RFC 7468 §3 does not allow.
 *
 * @example
 * ```ts
 * derToPem(csrDer, 'CERTIFICATE REQUEST');
 * // → '-----BEGIN CERTIFICATE REQUEST-----\nMIIB...\n-----END CERTIFICATE REQUEST-----\n'
 * ```
 */
export function derToPem(der: Uint8Array, label: string): string {
  if (!(der instanceof Uint8Array) || der.length === 0) throw new PemFormatError('DER input must be non-empty bytes');
  if (!isValidPemLabel(label)) throw new PemFormatError(`"${label}" is not a valid PEM label (RFC 7468 §3)`);
  return writePemBlock(label, der);
}
