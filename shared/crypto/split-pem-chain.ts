import { readPemBlocks, writePemBlock } from './pem-blocks.js';

/**
 * Splits a certificate chain, such as the `application/pem-certificate-chain` an ACME CA returns
 * (RFC 8555 §9.1) or a `fullchain.pem`, into one normalised PEM `CERTIFICATE` block per
 * certificate, in the order given (leaf first in an ACME chain).
 *
 * CRLF, blank lines and explanatory text between blocks are tolerated (RFC 7468 §5.2). Blocks
 * with another label (say a private key in a combined file) are skipped, so a key can never end
 * up among the returned certificates. The blocks are not parsed as X.509; use
 * `parseCertificate` for that.
 *
 * @returns an empty array when the text holds no certificate block.
 * @throws PemFormatError when a block is cut short, mislabelled or not base64 (a truncated
 *   download must not look like a shorter chain).
 *
 * @example
 * ```ts
 * const [leaf, ...intermediates] = splitPemChain(await response.text());
 * ```
 */
export function splitPemChain(text: string): string[] {
  return readPemBlocks(text)
    .filter((block) => block.label === 'CERTIFICATE')
    .map((block) => writePemBlock(block.label, block.der));
}
