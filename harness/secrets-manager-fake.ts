/**
 * A wire-level AWS Secrets Manager fake: an HTTP server on 127.0.0.1 answering the real JSON 1.1 API
 * (`POST /`, `X-Amz-Target: secretsmanager.<Action>`, `Content-Type: application/x-amz-json-1.1`) for
 * the actions acmeflow uses, so tests run the real `@aws-sdk/client-secrets-manager` against it
 * (`endpoint`, any region, dummy credentials).
 *
 * It keeps the rules the key store relies on, as the Secrets Manager API reference states them:
 * - `ClientRequestToken` is the version id (32–64 characters); repeating it with the same value is a
 *   no-op, with another value `ResourceExistsException`.
 * - The first version of a secret gets `AWSCURRENT` whatever `VersionStages` says; `PutSecretValue`
 *   without `VersionStages` moves `AWSCURRENT`; whenever `AWSCURRENT` moves, the version it left gets
 *   `AWSPREVIOUS`.
 * - A staging label is on at most one version; `UpdateSecretVersionStage` moving a label that is
 *   attached elsewhere must name that version in `RemoveFromVersionId`, and `AWSCURRENT` can only be
 *   moved, never just removed.
 * - Versions without labels are deprecated: still readable by id, left out of `DescribeSecret` and
 *   of `ListSecretVersionIds` unless `IncludeDeprecated`.
 * - A secret scheduled for deletion answers `InvalidRequestException` to everything but
 *   `DescribeSecret` and a forced `DeleteSecret`, and `ListSecrets` leaves it out unless
 *   `IncludePlannedDeletion`.
 * - `ListSecrets`' `name` filter matches the beginning of the name, ignoring case (a value starting
 *   with `!` negates it); pages follow `MaxResults` (at most 100) and `NextToken`.
 *
 * Errors are status 400 with `{"__type":"<Code>","message":"…"}`, so the SDK throws its own exception
 * classes (`ResourceNotFoundException`, ...). Every call is recorded with its raw request and response
 * bodies, so tests can check where a secret value travelled.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ApiError, startJson11Server, type Json11Call, type Json11Fault } from './json11-fake.js';

/** The API actions the fake answers. */
export type SecretsManagerFakeAction =
  | 'CreateSecret'
  | 'PutSecretValue'
  | 'GetSecretValue'
  | 'DescribeSecret'
  | 'UpdateSecretVersionStage'
  | 'ListSecretVersionIds'
  | 'ListSecrets'
  | 'DeleteSecret';

const ACTIONS: readonly SecretsManagerFakeAction[] = [
  'CreateSecret',
  'PutSecretValue',
  'GetSecretValue',
  'DescribeSecret',
  'UpdateSecretVersionStage',
  'ListSecretVersionIds',
  'ListSecrets',
  'DeleteSecret',
];

/** One API call the fake received (its raw request may hold key material: keep it out of snapshots and logs). */
export type SecretsManagerFakeCall = Json11Call<SecretsManagerFakeAction>;

/** A secret version as the fake holds it. */
export interface SecretsManagerFakeVersion {
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly secretString?: string;
  readonly createdDate: Date;
}

/** A secret as the fake holds it. */
export interface SecretsManagerFakeSecret {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly kmsKeyId?: string;
  readonly tags: readonly { readonly Key: string; readonly Value: string }[];
  /** Set once `DeleteSecret` scheduled the deletion. */
  readonly deletedDate?: Date;
  /** Oldest first. */
  readonly versions: readonly SecretsManagerFakeVersion[];
}

/** An error the next `count` (default 1) matching calls answer with, before any other check. */
/** An error answered instead of the action's answer (`type`: e.g. `ThrottlingException`), `count` times. */
export type SecretsManagerFakeFault = Json11Fault<SecretsManagerFakeAction>;

export interface SecretsManagerFakeOptions {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
}

export interface SecretsManagerFake {
  /** `http://127.0.0.1:port`, for the SDK's `endpoint`. */
  readonly endpoint: string;
  readonly region: string;
  /** The secret named `name` (or with that ARN), including one scheduled for deletion. */
  secret(name: string): SecretsManagerFakeSecret | undefined;
  /** Staging labels by version id, for versions that have any (DescribeSecret's `VersionIdsToStages`). */
  stages(name: string): Record<string, string[]>;
  /** Every API call so far, oldest first. */
  readonly calls: readonly SecretsManagerFakeCall[];
  inject(fault: SecretsManagerFakeFault): void;
  stop(): Promise<void>;
}

interface MutableVersion {
  readonly versionId: string;
  stages: string[];
  readonly secretString?: string;
  readonly secretBinary?: string;
  readonly createdDate: Date;
}

interface MutableSecret {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly kmsKeyId?: string;
  tags: { Key: string; Value: string }[];
  readonly createdDate: Date;
  lastChangedDate: Date;
  deletedDate?: Date;
  versions: MutableVersion[];
}


const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const epochSeconds = (date: Date): number => date.getTime() / 1000;

function str(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ApiError('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must be a string`);
  return value;
}

function required(body: Record<string, unknown>, field: string): string {
  const value = str(body, field);
  if (value === undefined) throw new ApiError('ValidationException', `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  return value;
}

function checkToken(token: string): void {
  if (token.length < 32 || token.length > 64) {
    throw new ApiError(
      'ValidationException',
      `1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length between 32 and 64`,
    );
  }
}

function holderOf(secret: MutableSecret, stage: string): MutableVersion | undefined {
  return secret.versions.find((version) => version.stages.includes(stage));
}

/** Attaches `stage` to `target`, taking it from wherever it was; moving AWSCURRENT leaves AWSPREVIOUS behind. */
function attach(secret: MutableSecret, stage: string, target: MutableVersion): void {
  const holder = holderOf(secret, stage);
  if (holder === target) return;
  if (holder) holder.stages = holder.stages.filter((s) => s !== stage);
  target.stages = [...target.stages, stage];
  if (stage === CURRENT && holder) {
    for (const version of secret.versions) version.stages = version.stages.filter((s) => s !== PREVIOUS);
    holder.stages = [...holder.stages, PREVIOUS];
  }
}

/**
 * Starts the fake on a free loopback port.
 *
 * @example
 * ```ts
 * const fake = await startSecretsManagerFake();
 * const client = new SecretsManagerClient({ endpoint: fake.endpoint, region: fake.region, credentials: { accessKeyId: 'AKID', secretAccessKey: 's' } });
 * afterAll(() => fake.stop());
 * ```
 */
export async function startSecretsManagerFake(options: SecretsManagerFakeOptions = {}): Promise<SecretsManagerFake> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const secrets: MutableSecret[] = [];
  const calls: SecretsManagerFakeCall[] = [];

  const find = (id: string): MutableSecret | undefined => secrets.find((s) => s.name === id || s.arn === id);
  const resolve = (body: Record<string, unknown>, options: { allowDeleted?: boolean } = {}): MutableSecret => {
    const secret = find(required(body, 'SecretId'));
    if (!secret) throw new ApiError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    if (secret.deletedDate && !options.allowDeleted) {
      throw new ApiError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
    }
    return secret;
  };
  const versionOut = (secret: MutableSecret, version: MutableVersion) => ({
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.versionId,
    VersionStages: [...version.stages],
  });
  const labelled = (secret: MutableSecret): Record<string, string[]> =>
    Object.fromEntries(secret.versions.filter((v) => v.stages.length > 0).map((v) => [v.versionId, [...v.stages]]));

  function addVersion(secret: MutableSecret, body: Record<string, unknown>, token: string, stages: string[]): MutableVersion {
    const secretString = str(body, 'SecretString');
    const secretBinary = str(body, 'SecretBinary');
    const version: MutableVersion = {
      versionId: token,
      stages: [],
      ...(secretString === undefined ? {} : { secretString }),
      ...(secretBinary === undefined ? {} : { secretBinary }),
      createdDate: new Date(),
    };
    const first = secret.versions.length === 0;
    secret.versions.push(version);
    for (const stage of new Set(first ? [CURRENT, ...stages] : stages)) attach(secret, stage, version);
    secret.lastChangedDate = new Date();
    return version;
  }

  const handlers: Record<SecretsManagerFakeAction, (body: Record<string, unknown>) => unknown> = {
    CreateSecret(body) {
      const name = required(body, 'Name');
      if (!NAME.test(name)) throw new ApiError('ValidationException', `Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!`);
      const existing = find(name);
      if (existing?.deletedDate) {
        throw new ApiError('InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
      }
      if (existing) throw new ApiError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
      const hasValue = body.SecretString !== undefined || body.SecretBinary !== undefined;
      const token = str(body, 'ClientRequestToken') ?? randomUUID();
      if (hasValue) checkToken(token);
      const description = str(body, 'Description');
      const kmsKeyId = str(body, 'KmsKeyId');
      const now = new Date();
      const secret: MutableSecret = {
        name,
        arn: `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${randomBytes(6).toString('base64url').slice(0, 6)}`,
        ...(description === undefined ? {} : { description }),
        ...(kmsKeyId === undefined ? {} : { kmsKeyId }),
        tags: Array.isArray(body.Tags) ? (body.Tags as { Key: string; Value: string }[]).map(({ Key, Value }) => ({ Key, Value })) : [],
        createdDate: now,
        lastChangedDate: now,
        versions: [],
      };
      secrets.push(secret);
      if (!hasValue) return { ARN: secret.arn, Name: secret.name };
      const version = addVersion(secret, body, token, []);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId };
    },

    PutSecretValue(body) {
      const secret = resolve(body);
      if (body.SecretString === undefined && body.SecretBinary === undefined) {
        throw new ApiError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
      }
      const token = str(body, 'ClientRequestToken') ?? randomUUID();
      checkToken(token);
      const existing = secret.versions.find((v) => v.versionId === token);
      if (existing) {
        if (existing.secretString !== str(body, 'SecretString') || existing.secretBinary !== str(body, 'SecretBinary')) {
          throw new ApiError('ResourceExistsException', `You can't modify an existing version, you can only create a new version.`);
        }
        return versionOut(secret, existing);
      }
      const stages = Array.isArray(body.VersionStages) ? (body.VersionStages as string[]) : [CURRENT];
      return versionOut(secret, addVersion(secret, body, token, stages));
    },

    GetSecretValue(body) {
      const secret = resolve(body);
      const versionId = str(body, 'VersionId');
      const stage = str(body, 'VersionStage');
      let version: MutableVersion | undefined;
      if (versionId !== undefined) {
        version = secret.versions.find((v) => v.versionId === versionId);
        if (!version || (stage !== undefined && !version.stages.includes(stage))) {
          throw new ApiError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
        }
      } else {
        version = holderOf(secret, stage ?? CURRENT);
        if (!version) throw new ApiError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${stage ?? CURRENT}`);
      }
      return {
        ...versionOut(secret, version),
        ...(version.secretString === undefined ? {} : { SecretString: version.secretString }),
        ...(version.secretBinary === undefined ? {} : { SecretBinary: version.secretBinary }),
        CreatedDate: epochSeconds(version.createdDate),
      };
    },

    DescribeSecret(body) {
      const secret = resolve(body, { allowDeleted: true });
      return {
        ARN: secret.arn,
        Name: secret.name,
        ...(secret.description === undefined ? {} : { Description: secret.description }),
        ...(secret.kmsKeyId === undefined ? {} : { KmsKeyId: secret.kmsKeyId }),
        ...(secret.tags.length === 0 ? {} : { Tags: secret.tags }),
        VersionIdsToStages: labelled(secret),
        CreatedDate: epochSeconds(secret.createdDate),
        LastChangedDate: epochSeconds(secret.lastChangedDate),
        ...(secret.deletedDate === undefined ? {} : { DeletedDate: epochSeconds(secret.deletedDate) }),
      };
    },

    UpdateSecretVersionStage(body) {
      const secret = resolve(body);
      const stage = required(body, 'VersionStage');
      const moveTo = str(body, 'MoveToVersionId');
      const removeFrom = str(body, 'RemoveFromVersionId');
      const holder = holderOf(secret, stage);
      if (moveTo === undefined && removeFrom === undefined) {
        throw new ApiError('InvalidParameterException', 'You must specify MoveToVersionId, RemoveFromVersionId, or both.');
      }
      if (removeFrom !== undefined && !secret.versions.some((v) => v.versionId === removeFrom)) {
        throw new ApiError('ResourceNotFoundException', `Secrets Manager can't find the specified secret version: ${removeFrom}`);
      }
      if (moveTo === undefined) {
        if (holder === undefined || holder.versionId !== removeFrom) {
          throw new ApiError('InvalidParameterException', `The staging label ${stage} is not attached to version ${removeFrom}.`);
        }
        if (stage === CURRENT) {
          throw new ApiError('InvalidParameterException', `You can't remove the staging label ${CURRENT} from a version without moving it to another version.`);
        }
        holder.stages = holder.stages.filter((s) => s !== stage);
        secret.lastChangedDate = new Date();
        return { ARN: secret.arn, Name: secret.name };
      }
      const target = secret.versions.find((v) => v.versionId === moveTo);
      if (!target) throw new ApiError('ResourceNotFoundException', `Secrets Manager can't find the specified secret version: ${moveTo}`);
      if (holder && holder !== target && removeFrom !== holder.versionId) {
        throw new ApiError(
          'InvalidParameterException',
          `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      attach(secret, stage, target);
      secret.lastChangedDate = new Date();
      return { ARN: secret.arn, Name: secret.name };
    },

    ListSecretVersionIds(body) {
      const secret = resolve(body);
      const all = body.IncludeDeprecated === true ? secret.versions : secret.versions.filter((v) => v.stages.length > 0);
      const start = Number(str(body, 'NextToken') ?? '0');
      const size = typeof body.MaxResults === 'number' ? body.MaxResults : 100;
      const page = all.slice(start, start + size);
      return {
        ARN: secret.arn,
        Name: secret.name,
        Versions: page.map((v) => ({ VersionId: v.versionId, VersionStages: [...v.stages], CreatedDate: epochSeconds(v.createdDate) })),
        ...(start + size < all.length ? { NextToken: String(start + size) } : {}),
      };
    },

    ListSecrets(body) {
      const filters = Array.isArray(body.Filters) ? (body.Filters as { Key?: string; Values?: string[] }[]) : [];
      const matches = (secret: MutableSecret) =>
        filters.every((filter) => {
          if (filter.Key !== 'name') throw new ApiError('InvalidParameterException', `The fake filters by name only, not by ${String(filter.Key)}.`);
          return (filter.Values ?? []).some((value) =>
            value.startsWith('!') ? !secret.name.toLowerCase().startsWith(value.slice(1).toLowerCase()) : secret.name.toLowerCase().startsWith(value.toLowerCase()),
          );
        });
      const all = secrets.filter((secret) => (body.IncludePlannedDeletion === true || !secret.deletedDate) && matches(secret));
      const start = Number(str(body, 'NextToken') ?? '0');
      const size = typeof body.MaxResults === 'number' ? Math.min(body.MaxResults, 100) : 100;
      return {
        SecretList: all.slice(start, start + size).map((secret) => ({
          ARN: secret.arn,
          Name: secret.name,
          ...(secret.deletedDate === undefined ? {} : { DeletedDate: epochSeconds(secret.deletedDate) }),
          ...(secret.tags.length === 0 ? {} : { Tags: secret.tags }),
        })),
        ...(start + size < all.length ? { NextToken: String(start + size) } : {}),
      };
    },

    DeleteSecret(body) {
      const force = body.ForceDeleteWithoutRecovery === true;
      const secret = resolve(body, { allowDeleted: force });
      const days = typeof body.RecoveryWindowInDays === 'number' ? body.RecoveryWindowInDays : 30;
      if (force && body.RecoveryWindowInDays !== undefined) {
        throw new ApiError('InvalidParameterException', 'You can\'t use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.');
      }
      const deletionDate = new Date(Date.now() + (force ? 0 : days * 86_400_000));
      if (force) secrets.splice(secrets.indexOf(secret), 1);
      else secret.deletedDate = new Date();
      return { ARN: secret.arn, Name: secret.name, DeletionDate: epochSeconds(deletionDate) };
    },
  };

  const json11 = await startJson11Server({
    targetPrefix: 'secretsmanager',
    actions: ACTIONS,
    handlers,
    internalErrorType: 'InternalServiceError',
    onCall: (call) => void calls.push(call),
  });

  const view = (secret: MutableSecret): SecretsManagerFakeSecret => ({
    name: secret.name,
    arn: secret.arn,
    ...(secret.description === undefined ? {} : { description: secret.description }),
    ...(secret.kmsKeyId === undefined ? {} : { kmsKeyId: secret.kmsKeyId }),
    tags: secret.tags.map((tag) => ({ ...tag })),
    ...(secret.deletedDate === undefined ? {} : { deletedDate: secret.deletedDate }),
    versions: secret.versions.map((v) => ({
      versionId: v.versionId,
      stages: [...v.stages],
      ...(v.secretString === undefined ? {} : { secretString: v.secretString }),
      createdDate: v.createdDate,
    })),
  });

  return {
    endpoint: json11.endpoint,
    region,
    secret: (name) => {
      const secret = find(name);
      return secret ? view(secret) : undefined;
    },
    stages: (name) => {
      const secret = find(name);
      return secret ? labelled(secret) : {};
    },
    calls,
    inject: json11.inject,
    stop: () =>
      new Promise<void>((resolveClose) => {
        json11.server.closeAllConnections();
        json11.server.close(() => resolveClose());
      }),
  };
}
