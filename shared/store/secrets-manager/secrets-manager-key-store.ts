import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { KeyNotFoundError, StoreError, VersionConflictError } from '../errors.js';
import type { KeyStore, StoredAccountKey } from '../key-store.js';
import { clientRequestToken } from './client-request-token.js';
import { secretsManagerFailure } from './errors.js';
import { accountSecretName, certificateSecretName } from './secret-names.js';
import { parseAccountSecret, parseCertificateSecret, serializeAccountSecret, serializeCertificateSecret, type CertificateSecretValue } from './secret-values.js';

/** Options of {@link SecretsManagerKeyStore}; everything has a working default. */
export interface SecretsManagerKeyStoreOptions {
  /** A ready client. @default new SecretsManagerClient({}): region and credentials from the environment */
  readonly client?: SecretsManagerClient;
  /** Prefix of the certificate key secrets. @default 'acmeflow/cert/' */
  readonly certificateSecretPrefix?: string;
  /** Prefix of the account key secrets. @default 'acmeflow/account/' */
  readonly accountSecretPrefix?: string;
  /** KMS key (id, ARN or alias) new secrets are encrypted with. @default Secrets Manager's `aws/secretsmanager` key */
  readonly kmsKeyId?: string;
  /** Tags for new secrets, besides `acmeflow:lineage` / `acmeflow:account`. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';

function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? String((error as { name?: unknown }).name) : undefined;
}
const isNotFound = (error: unknown): boolean => errorName(error) === 'ResourceNotFoundException';
const isExists = (error: unknown): boolean => errorName(error) === 'ResourceExistsException';

/** A version as read by id: its parsed value and its staging labels. */
interface ReadVersion {
  readonly value: CertificateSecretValue;
  readonly stages: readonly string[];
}

/**
 * The {@link KeyStore} on AWS Secrets Manager.
 *
 * One secret per lineage, `acmeflow/cert/<name>`, whose SecretString is JSON
 * `{ privateKeyPem, fullchainPem?, version? }`, versioned with Secrets Manager's staging labels:
 * - `putPendingCertificateKey` stores `{ privateKeyPem }` as the version whose id (ClientRequestToken)
 *   is derived from the token, labelled `AWSPENDING`, creating the secret (with `kmsKeyId` and tags,
 *   but no value) when it is missing. If that version exists, its key is returned and the argument
 *   ignored: a retried FinalizeOrder signs with the key the CA may have seen.
 * - `promoteCertificateKey` writes the final value `{ privateKeyPem, fullchainPem, version }` as a
 *   second version (id derived from token and version) labelled `AWSPENDING`, moves `AWSCURRENT` to it
 *   with `UpdateSecretVersionStage` (`RemoveFromVersionId` = the old current, which Secrets Manager
 *   then labels `AWSPREVIOUS`) and removes `AWSPENDING`. Every step is idempotent; promoting the
 *   version that is current already does nothing, and so does promoting an older version than the
 *   current one (a late retry never moves `AWSCURRENT` back).
 * - Secrets Manager labels a secret's very first version `AWSCURRENT` whatever was asked, so before a
 *   lineage's first promotion its pending key also carries `AWSCURRENT`; `getCurrentCertificateKey`
 *   only answers values that were promoted (that carry `version`).
 *
 * Account keys live in `acmeflow/account/<accountId>` as JSON `{ privateKeyPem, accountUrl?, directoryUrl }`.
 * Getters answer undefined for `ResourceNotFoundException` only. A secret the role may not use is
 * `SecretAccessDeniedError` (IAM) or `SecretKeyUnusableError` (its KMS key denied, disabled or pending
 * deletion), never "missing"; other SDK errors pass through with their own names. No error message or version id ever contains a key.
 *
 * @example
 * ```ts
 * const keys = new SecretsManagerKeyStore({ kmsKeyId: 'alias/acmeflow' });
 * const keyPem = await keys.putPendingCertificateKey('example.com', orderToken, generatedPem);
 * // ... finalize, download, store the version ...
 * await keys.promoteCertificateKey('example.com', orderToken, 3, fullchainPem);
 * ```
 */
export class SecretsManagerKeyStore implements KeyStore {
  readonly #client: SecretsManagerClient;
  readonly #certificatePrefix: string;
  readonly #accountPrefix: string;
  readonly #kmsKeyId: string | undefined;
  readonly #tags: Readonly<Record<string, string>>;
  /**
   * The client's `send`, with access and KMS failures turned into `SecretAccessDeniedError` and
   * `SecretKeyUnusableError`: a secret this role cannot read is not a missing one.
   */
  readonly #send = ((command: { readonly input: { readonly SecretId?: string; readonly Name?: string } }) =>
    this.#client.send(command as never).catch((error: unknown) => {
      throw secretsManagerFailure(error, command.input.SecretId ?? command.input.Name ?? '(unnamed)');
    })) as SecretsManagerClient['send'];

  constructor(options: SecretsManagerKeyStoreOptions = {}) {
    this.#client = options.client ?? new SecretsManagerClient({});
    this.#certificatePrefix = options.certificateSecretPrefix ?? 'acmeflow/cert/';
    this.#accountPrefix = options.accountSecretPrefix ?? 'acmeflow/account/';
    this.#kmsKeyId = options.kmsKeyId;
    this.#tags = options.tags ?? {};
  }

  async putPendingCertificateKey(lineage: string, token: string, privateKeyPem: string): Promise<string> {
    const secretId = certificateSecretName(this.#certificatePrefix, lineage);
    const versionId = pendingVersionId(lineage, token);
    const stored = await this.#readVersion(secretId, versionId);
    if (stored !== undefined) {
      // Discarded earlier (label removed) and asked for again: label it pending once more.
      if (!stored.stages.includes(PENDING)) await this.#moveLabel(secretId, PENDING, versionId);
      return stored.value.privateKeyPem;
    }
    const body = serializeCertificateSecret({ privateKeyPem });
    const written = await this.#putVersion(secretId, versionId, body, () =>
      this.#createSecret(secretId, `acmeflow: private key of the certificate lineage ${lineage}`, { 'acmeflow:lineage': lineage }),
    );
    if (written) return privateKeyPem;
    // Another attempt wrote this version first with another key: that one stands.
    const winner = await this.#readVersion(secretId, versionId);
    if (winner === undefined) throw new StoreError(`The pending key version of ${secretId} exists and cannot be read.`);
    return winner.value.privateKeyPem;
  }

  async getPendingCertificateKey(lineage: string, token: string): Promise<string | undefined> {
    const secretId = certificateSecretName(this.#certificatePrefix, lineage);
    const stored = await this.#readVersion(secretId, pendingVersionId(lineage, token));
    return stored?.stages.includes(PENDING) ? stored.value.privateKeyPem : undefined;
  }

  async promoteCertificateKey(lineage: string, token: string, version: number, fullchainPem: string): Promise<void> {
    const secretId = certificateSecretName(this.#certificatePrefix, lineage);
    if (!Number.isSafeInteger(version) || version < 1) {
      throw new StoreError(`Version numbers of "${lineage}" are integers from 1; ${String(version)} is not one.`);
    }
    const finalId = currentVersionId(lineage, token, version);
    const stages = await this.#stages(secretId);
    if (stages === undefined) throw new KeyNotFoundError(`The certificate key of "${lineage}" (secret ${secretId})`);
    const current = holderOf(stages, CURRENT);

    if (current !== undefined && current !== finalId) {
      // A late retry of an older run must not move AWSCURRENT back to its key.
      const promoted = (await this.#readVersion(secretId, current))?.value.version;
      if (promoted !== undefined && promoted > version) return;
      if (promoted === version) throw new VersionConflictError(lineage, version);
    }
    if (current !== finalId) {
      const privateKeyPem = await this.#keyToPromote(secretId, lineage, token, finalId);
      const body = serializeCertificateSecret({ privateKeyPem, fullchainPem, version });
      const written = await this.#putVersion(secretId, finalId, body);
      if (!written) {
        // A version with this id holds another value: another certificate was promoted as this version.
        const stored = await this.#readVersion(secretId, finalId);
        if (stored === undefined || serializeCertificateSecret(stored.value) !== body) throw new VersionConflictError(lineage, version);
      }
      await this.#send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: CURRENT,
          MoveToVersionId: finalId,
          ...(current === undefined ? {} : { RemoveFromVersionId: current }),
        }),
      );
    }
    // The final value was written labelled AWSPENDING; once it is current the label has done its job.
    const afterMove = current === finalId ? stages : await this.#stages(secretId);
    if (afterMove?.[finalId]?.includes(PENDING)) {
      await this.#send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: PENDING, RemoveFromVersionId: finalId }));
    }
  }

  async discardPendingCertificateKey(lineage: string, token: string): Promise<void> {
    const secretId = certificateSecretName(this.#certificatePrefix, lineage);
    const versionId = pendingVersionId(lineage, token);
    // DescribeSecret rather than GetSecretValue: the labels are all that is needed, and no key travels.
    const stages = await this.#stages(secretId);
    if (!stages?.[versionId]?.includes(PENDING)) return;
    await this.#send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: PENDING, RemoveFromVersionId: versionId }));
  }

  async getCurrentCertificateKey(lineage: string): Promise<string | undefined> {
    const secretId = certificateSecretName(this.#certificatePrefix, lineage);
    const text = await this.#getSecretString(secretId, { VersionStage: CURRENT });
    if (text === undefined) return undefined;
    const value = parseCertificateSecret(secretId, text);
    return value.version === undefined ? undefined : value.privateKeyPem;
  }

  /**
   * Deletes `<prefix>cert/<name>` without a recovery window: a secret scheduled for deletion answers
   * every read with `InvalidRequestException`, which would break the lookups a routed store makes in
   * the store a lineage left (pending keys of orders started before the move). The key lives on in the
   * store the lineage moved to. A missing secret is fine.
   */
  async removeCertificateKeys(lineage: string): Promise<void> {
    const secretId = certificateSecretName(this.#certificatePrefix, lineage);
    try {
      await this.#send(new DeleteSecretCommand({ SecretId: secretId, ForceDeleteWithoutRecovery: true }));
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
  }

  async getAccountKey(accountId: string): Promise<StoredAccountKey | undefined> {
    const secretId = accountSecretName(this.#accountPrefix, accountId);
    const text = await this.#getSecretString(secretId, { VersionStage: CURRENT });
    return text === undefined ? undefined : parseAccountSecret(secretId, text);
  }

  async putAccountKey(accountId: string, key: StoredAccountKey): Promise<void> {
    const secretId = accountSecretName(this.#accountPrefix, accountId);
    const body = serializeAccountSecret(key);
    const current = await this.#getSecretString(secretId, { VersionStage: CURRENT });
    // Writing the same value again would only add a version.
    if (current !== undefined && serializeAccountSecret(parseAccountSecret(secretId, current)) === body) return;
    try {
      // No ClientRequestToken: the SDK makes a random one. Deriving it from the value would publish a hash of the key.
      await this.#send(new PutSecretValueCommand({ SecretId: secretId, SecretString: body }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
      try {
        await this.#send(
          new CreateSecretCommand({
            Name: secretId,
            Description: `acmeflow: ACME account key ${accountId}`,
            SecretString: body,
            ...(this.#kmsKeyId === undefined ? {} : { KmsKeyId: this.#kmsKeyId }),
            Tags: this.#tagList({ 'acmeflow:account': accountId }),
          }),
        );
      } catch (createError) {
        if (!isExists(createError)) throw createError;
        await this.#send(new PutSecretValueCommand({ SecretId: secretId, SecretString: body }));
      }
    }
  }

  /** The key a promotion stores: the pending version's, or the final version's when an earlier attempt wrote it. */
  async #keyToPromote(secretId: string, lineage: string, token: string, finalId: string): Promise<string> {
    const pending = await this.#readVersion(secretId, pendingVersionId(lineage, token));
    if (pending !== undefined) return pending.value.privateKeyPem;
    const final = await this.#readVersion(secretId, finalId);
    if (final !== undefined) return final.value.privateKeyPem;
    throw new KeyNotFoundError(`The pending certificate key of "${lineage}" for this order (secret ${secretId})`);
  }

  /**
   * PutSecretValue of a version labelled AWSPENDING. Resolves true when written (or when it held this
   * very value already), false when the version exists with another value. Creates the secret first
   * when `create` is given and the secret is missing.
   */
  async #putVersion(secretId: string, versionId: string, body: string, create?: () => Promise<void>): Promise<boolean> {
    const put = () => this.#send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: versionId, SecretString: body, VersionStages: [PENDING] }));
    try {
      await put();
      return true;
    } catch (error) {
      if (isExists(error)) return false;
      if (!isNotFound(error) || create === undefined) throw error;
    }
    await create();
    try {
      await put();
      return true;
    } catch (error) {
      if (isExists(error)) return false;
      throw error;
    }
  }

  /**
   * Creates the secret without a value: CreateSecret with a value would label it AWSCURRENT, and the
   * first value is a pending one. A secret created meanwhile by a racing attempt is fine.
   */
  async #createSecret(secretId: string, description: string, ownTags: Record<string, string>): Promise<void> {
    try {
      await this.#send(
        new CreateSecretCommand({
          Name: secretId,
          Description: description,
          ...(this.#kmsKeyId === undefined ? {} : { KmsKeyId: this.#kmsKeyId }),
          Tags: this.#tagList(ownTags),
        }),
      );
    } catch (error) {
      if (!isExists(error)) throw error;
    }
  }

  #tagList(ownTags: Record<string, string>): Tag[] {
    return Object.entries({ ...this.#tags, ...ownTags }).map(([Key, Value]) => ({ Key, Value }));
  }

  async #readVersion(secretId: string, versionId: string): Promise<ReadVersion | undefined> {
    try {
      const answer = await this.#send(new GetSecretValueCommand({ SecretId: secretId, VersionId: versionId }));
      return { value: parseCertificateSecret(secretId, answer.SecretString), stages: answer.VersionStages ?? [] };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async #getSecretString(secretId: string, select: { VersionStage: string }): Promise<string | undefined> {
    try {
      const answer = await this.#send(new GetSecretValueCommand({ SecretId: secretId, ...select }));
      return answer.SecretString;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Staging labels by version id, or undefined when the secret does not exist. */
  async #stages(secretId: string): Promise<Record<string, string[]> | undefined> {
    try {
      const answer = await this.#send(new DescribeSecretCommand({ SecretId: secretId }));
      return answer.VersionIdsToStages ?? {};
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Attaches `stage` to `versionId`, naming the version that holds it now as Secrets Manager requires. */
  async #moveLabel(secretId: string, stage: string, versionId: string): Promise<void> {
    const holder = holderOf((await this.#stages(secretId)) ?? {}, stage);
    if (holder === versionId) return;
    await this.#send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: stage,
        MoveToVersionId: versionId,
        ...(holder === undefined ? {} : { RemoveFromVersionId: holder }),
      }),
    );
  }
}

function holderOf(stages: Record<string, string[]>, stage: string): string | undefined {
  return Object.entries(stages).find(([, labels]) => labels.includes(stage))?.[0];
}

/** The version id of a pending key: the lineage and the order token, nothing secret. */
function pendingVersionId(lineage: string, token: string): string {
  if (token === '') throw new StoreError(`The pending key of "${lineage}" needs a non-empty token.`);
  return clientRequestToken('acmeflow', 'pending', lineage, token);
}

/** The version id of the value promoted for `version`. */
function currentVersionId(lineage: string, token: string, version: number): string {
  return clientRequestToken('acmeflow', 'current', lineage, token, String(version));
}
