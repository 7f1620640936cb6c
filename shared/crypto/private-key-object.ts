import { createPrivateKey, type KeyObject } from 'node:crypto';
import { PemFormatError, PrivateKeyParseError } from './errors.js';
import { readPemBlocks } from './pem-blocks.js';

/**
 * Loads a PEM private key as a Node.js KeyObject, internal to this module.
 *
 * Accepted blocks: `PRIVATE KEY` (PKCS#8, RFC 5208 §5 / RFC 5958), `RSA PRIVATE KEY`
 * (PKCS#1, RFC 8017 §A.1.2) and `EC PRIVATE KEY` (SEC1, RFC 5915 §3). Other blocks in the text
 * (an `EC PARAMETERS` block, a certificate) are skipped. Encrypted keys are refused with a clear
 * message instead of Node.js asking for a passphrase.
 *
 * Error messages name the block labels only; Node.js's own error is kept as `cause` (OpenSSL
 * decoder messages never include the key).
 */
const FORMATS = {
  'PRIVATE KEY': 'pkcs8',
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
} as const;

export function loadPrivateKeyPem(pem: string): KeyObject {
  if (typeof pem !== 'string') throw new PrivateKeyParseError('the private key must be a PEM string');
  let blocks;
  try {
    blocks = readPemBlocks(pem);
  } catch (err) {
    throw new PrivateKeyParseError('the private key is not well-formed PEM', { cause: err });
  }
  if (blocks.some((b) => b.label === 'ENCRYPTED PRIVATE KEY')) {
    throw new PrivateKeyParseError('encrypted private keys (ENCRYPTED PRIVATE KEY) are not supported');
  }
  const block = blocks.find((b) => b.label in FORMATS);
  if (block === undefined) {
    const found = blocks.map((b) => b.label).join(', ') || 'none';
    throw new PrivateKeyParseError(
      `no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block found (blocks: ${found})`,
    );
  }
  if (block.headers.length > 0) {
    throw new PrivateKeyParseError(`encrypted private keys (${block.label} with RFC 1421 headers) are not supported`, {
      cause: new PemFormatError('RFC 1421 encryption headers'),
    });
  }
  const type = FORMATS[block.label as keyof typeof FORMATS];
  try {
    return createPrivateKey({ key: Buffer.from(block.der), format: 'der', type });
  } catch (err) {
    throw new PrivateKeyParseError(`the ${block.label} block is not a readable private key`, { cause: err });
  }
}
