// @peculiar/x509 reads decorator metadata when it loads: reflect-metadata must come first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/**
 * Points @peculiar/x509 at the platform's Web Crypto, once, for the whole module. Internal:
 * every file of this module that uses @peculiar/x509 imports this file for its side effect.
 * Node.js ≥ 19 and the Lambda runtimes have `globalThis.crypto`; no polyfill is needed.
 */
x509.cryptoProvider.set(globalThis.crypto);

/** The Web Crypto @peculiar/x509 uses, for calls that take one explicitly. */
export const webCrypto: Crypto = globalThis.crypto;
