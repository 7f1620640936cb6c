import { StoreError } from '../errors.js';
import type { StoredAccountKey } from '../key-store.js';

/** The SecretString of `acmeflow/cert/<name>`: the key, and once promoted its chain and version. */
export interface CertificateSecretValue {
  readonly privateKeyPem: string;
  readonly fullchainPem?: string;
  /** Set when the value was promoted for a certificate version; a value without it was never current. */
  readonly version?: number;
}

/**
 * JSON with a fixed field order: PutSecretValue is idempotent only for byte-identical values, so
 * a retried step must serialise the same value to the same string.
 */
export function serializeCertificateSecret(value: CertificateSecretValue): string {
  return JSON.stringify({
    privateKeyPem: value.privateKeyPem,
    ...(value.fullchainPem === undefined ? {} : { fullchainPem: value.fullchainPem }),
    ...(value.version === undefined ? {} : { version: value.version }),
  });
}

export function serializeAccountSecret(value: StoredAccountKey): string {
  return JSON.stringify({
    privateKeyPem: value.privateKeyPem,
    ...(value.accountUrl === undefined ? {} : { accountUrl: value.accountUrl }),
    directoryUrl: value.directoryUrl,
  });
}

/**
 * Parses a secret's JSON. The error never carries the text or the parser's error: JSON.parse quotes
 * the input in its message, and the input is a private key.
 */
function parseObject(secretName: string, text: string | undefined): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { privateKeyPem?: unknown }).privateKeyPem !== 'string') {
    throw new StoreError(`The secret ${secretName} does not hold acmeflow's JSON ({ "privateKeyPem": ... }); it was written by something else.`);
  }
  return value as Record<string, unknown>;
}

export function parseCertificateSecret(secretName: string, text: string | undefined): CertificateSecretValue {
  const value = parseObject(secretName, text);
  return {
    privateKeyPem: value.privateKeyPem as string,
    ...(typeof value.fullchainPem === 'string' ? { fullchainPem: value.fullchainPem } : {}),
    ...(typeof value.version === 'number' ? { version: value.version } : {}),
  };
}

export function parseAccountSecret(secretName: string, text: string | undefined): StoredAccountKey {
  const value = parseObject(secretName, text);
  if (typeof value.directoryUrl !== 'string') {
    throw new StoreError(`The secret ${secretName} has no directoryUrl; it was not written by acmeflow.`);
  }
  return {
    privateKeyPem: value.privateKeyPem as string,
    ...(typeof value.accountUrl === 'string' ? { accountUrl: value.accountUrl } : {}),
    directoryUrl: value.directoryUrl,
  };
}
