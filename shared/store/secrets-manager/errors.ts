import { StoreError } from '../errors.js';

/**
 * Secrets Manager answers that mean "this secret exists, but you may not use it", told apart from
 * "no such secret" (`ResourceNotFoundException`). Treating them as missing would make a step create
 * a new account key or certificate key beside one it merely cannot read, so each is its own error.
 */

/** Error codes of a KMS key that cannot be used for the secret (AWS Secrets Manager API reference, GetSecretValue/PutSecretValue/CreateSecret errors). */
const KMS_CODES = new Set(['DecryptionFailure', 'EncryptionFailure', 'KMSInvalidStateException', 'KMSAccessDeniedException', 'KMSDisabledException', 'KMSNotFoundException']);

/** The caller's role (IAM or the secret's resource policy) may not make this call on this secret. */
export class SecretAccessDeniedError extends StoreError {
  readonly secretId: string;
  readonly code: string;
  constructor(secretId: string, code: string, options: { cause?: unknown } = {}) {
    super(
      `Secrets Manager denied access to the secret ${secretId} (${code}): the function's role (or the secret's resource policy) does not allow it. The secret is there; it is not treated as missing.`,
      options,
    );
    this.name = 'SecretAccessDeniedError';
    this.secretId = secretId;
    this.code = code;
  }
}

/**
 * The secret's KMS key cannot be used: access to the key denied, the key disabled, pending deletion
 * or gone. A secret encrypted with another stack's key (a second issuer, or a stack deployed again
 * with a new key over old secrets) answers this.
 */
export class SecretKeyUnusableError extends StoreError {
  readonly secretId: string;
  readonly code: string;
  constructor(secretId: string, code: string, options: { cause?: unknown } = {}) {
    super(
      `The KMS key of the secret ${secretId} cannot be used (${code}): the key is not granted to the function, is disabled, or is pending deletion. The secret is there; it is not treated as missing.`,
      options,
    );
    this.name = 'SecretKeyUnusableError';
    this.secretId = secretId;
    this.code = code;
  }
}

function field(error: unknown, name: 'name' | 'message'): string {
  return typeof error === 'object' && error !== null ? String((error as Record<string, unknown>)[name] ?? '') : '';
}

/**
 * The typed error for an SDK error of a call on `secretId`, or the error itself when it is not an
 * access or KMS failure. Secrets Manager reports a role without `kms:Decrypt` on a customer-managed
 * key as `AccessDeniedException` "Access to KMS is not allowed", so the message decides between the two.
 *
 * @example
 * ```ts
 * try { await client.send(new GetSecretValueCommand({ SecretId: id })); } catch (error) { throw secretsManagerFailure(error, id); }
 * ```
 */
export function secretsManagerFailure(error: unknown, secretId: string): unknown {
  const code = field(error, 'name');
  if (KMS_CODES.has(code)) return new SecretKeyUnusableError(secretId, code, { cause: error });
  if (code === 'AccessDeniedException') {
    return /\bKMS\b/i.test(field(error, 'message')) ? new SecretKeyUnusableError(secretId, code, { cause: error }) : new SecretAccessDeniedError(secretId, code, { cause: error });
  }
  return error;
}
