import { PemFormatError } from './errors.js';
import { readPemBlocks, writePemBlock } from './pem-blocks.js';

/**
 * Rewrites PEM text into its canonical form (RFC 7468 §2): every block re-encoded with 64-column
 * base64 lines, LF line endings, one final newline each, blocks back to back; explanatory text
 * between blocks, CRLF, indentation and blank lines are dropped. The content octets and the
 * order of blocks are unchanged, so two texts of the same keys or certificates compare equal
 * after normalising, whichever tool wrote them.
 *
 * RFC 1421 headers of legacy encrypted keys (`Proc-Type`, `DEK-Info`) are kept, since the body
 * cannot be decrypted without them.
 *
 * @throws PemFormatError when the text holds no PEM block, or a malformed one.
 *
 * @example
 * ```ts
 * normalizePem('junk\r\n-----BEGIN CERTIFICATE-----\r\nMIIB...\r\n-----END CERTIFICATE-----\r\n');
 * // → '-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n'
 * ```
 */
export function normalizePem(text: string): string {
  const blocks = readPemBlocks(text);
  if (blocks.length === 0) throw new PemFormatError('no PEM block found');
  return blocks.map((block) => writePemBlock(block.label, block.der, block.headers)).join('');
}
