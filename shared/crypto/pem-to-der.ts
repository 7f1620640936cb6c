import { PemFormatError } from './errors.js';
import { readPemBlocks } from './pem-blocks.js';

/**
 * Decodes the first PEM block of `text` (RFC 7468), or the first one labelled `label` when a
 * label is given; other blocks and explanatory text are skipped. So `pemToDer(fullchain,
 * 'CERTIFICATE')` is the leaf, and the `EC PARAMETERS` block that `openssl ecparam -genkey`
 * writes before `EC PRIVATE KEY` does not get in the way.
 *
 * @param label e.g. `CERTIFICATE`, `PRIVATE KEY`, `CERTIFICATE REQUEST`.
 * @throws PemFormatError when no (matching) block exists, a block is malformed, or the block is
 *   a legacy encrypted one (RFC 1421 headers): its body is ciphertext, not DER.
 *
 * @example
 * ```ts
 * const der = pemToDer(certPem, 'CERTIFICATE'); // Uint8Array starting 0x30 (SEQUENCE)
 * ```
 */
export function pemToDer(text: string, label?: string): Uint8Array<ArrayBuffer> {
  const blocks = readPemBlocks(text);
  const block = label === undefined ? blocks[0] : blocks.find((b) => b.label === label);
  if (block === undefined) {
    throw new PemFormatError(label === undefined ? 'no PEM block found' : `no PEM block labelled "${label}" found`);
  }
  if (block.headers.length > 0) {
    throw new PemFormatError(`PEM block "${block.label}" is encrypted (RFC 1421 headers); not supported`);
  }
  return block.der;
}
