import { generateKeyPairSync } from 'node:crypto';

/**
 * Keys outside acmeflow's KeyType list, and other encodings of supported ones, made with
 * Node.js directly (not with the code under test). Test-only, generated per run.
 */
export const otherKeys = {
  ed25519: () => pkcs8(generateKeyPairSync('ed25519')),
  p521: () => pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-521' })),
  rsa1024: () => pkcs8(generateKeyPairSync('rsa', { modulusLength: 1024 })),
  rsaPss2048: () => pkcs8(generateKeyPairSync('rsa-pss', { modulusLength: 2048 })),
  rsa2048Pkcs1: () =>
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
  p256Sec1: () =>
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }) as string,
  p384Sec1: () =>
    generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'sec1', format: 'pem' }) as string,
  encryptedPkcs8: () =>
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'test passphrase',
    }) as string,
  encryptedPkcs1: () =>
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs1',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'test passphrase',
    }) as string,
};

function pkcs8(pair: { privateKey: import('node:crypto').KeyObject }): string {
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** The base64 body of a PEM, to check it never shows up in an error message. */
export function pemBody(pem: string): string {
  return pem
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('-----') && !line.includes(':'))
    .join('');
}
