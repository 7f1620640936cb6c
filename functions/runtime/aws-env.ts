import { DEFAULT_KEY_STORE, KEY_STORES, type KeyStoreKind } from '../../shared/config/key-stores.js';
import { ConfigurationError } from './errors.js';

/**
 * The environment contract between the CDK construct (which sets these variables on each function)
 * and the Lambda shells. No AWS SDK here: every function reads the same variables, whatever
 * adapters it builds.
 */

/** One environment variable the Lambda shells read. */
export interface EnvVarSpec {
  readonly name: string;
  readonly required: boolean;
  /** The value used when it is unset. */
  readonly default?: string;
  readonly description: string;
}

/** Every environment variable the Lambda shells read (`awsDepsFromEnv` and the per-step deps factories). */
export const AWS_DEPS_ENV = [
  { name: 'ACMEFLOW_BUCKET', required: true, description: 'The certificate bucket: renewal/, archive/, live/, locks/ and sweeps/.' },
  {
    name: 'ACMEFLOW_KMS_KEY_ID',
    required: false,
    description: 'KMS key (id, ARN or alias) for S3 objects (SSE-KMS) and new secrets; unset: the bucket default and aws/secretsmanager.',
  },
  {
    name: 'ACMEFLOW_KEY_STORE',
    required: false,
    default: 's3',
    description: 'Where certificate keys of lineages whose spec names no keyStore live: "s3" (keys/ in the bucket) or "secretsManager".',
  },
  { name: 'ACMEFLOW_SECRET_PREFIX', required: false, default: 'acmeflow/', description: 'Prefix of the secrets: <prefix>cert/<lineage>, <prefix>account/<id>.' },
  { name: 'ACMEFLOW_EVENT_BUS', required: false, description: 'Event bus name or ARN for the acmeflow events; unset: the default bus.' },
  {
    name: 'ACMEFLOW_ACM_IMPORT',
    required: false,
    default: 'false',
    description:
      '"true" imports every stored certificate into ACM (re-import under the same ARN); awsDepsFromEnv only: the per-step functions refuse it (their roles have no ACM access; the ACM deploy hook imports).',
  },
  { name: 'ACMEFLOW_ACM_REGION', required: false, description: 'Region of the ACM import (us-east-1 for CloudFront); unset: AWS_REGION.' },
  {
    name: 'ACMEFLOW_ACM_TARGETS',
    required: false,
    description:
      'The ACM hook only: its targets as JSON ([{ name, region?, roleArn?, lineages? }], functions/acm-import/targets.ts); unset: one target "acm" in ACMEFLOW_ACM_REGION.',
  },
  { name: 'ACMEFLOW_ACM_ISSUER_TAG', required: false, description: 'The ACM hook only: the acmeflow:issuer tag value of the certificates it imports.' },
  {
    name: 'ACMEFLOW_ORDER_SLOTS',
    required: false,
    description: "Orders in flight at once across every sweep of the issuer (locks/order-slots/, the construct's sweepConcurrency); unset: no cap beyond each sweep's own.",
  },
  { name: 'AWS_REGION', required: true, description: 'Region of the S3, Secrets Manager and EventBridge clients (Lambda sets it).' },
] as const satisfies readonly EnvVarSpec[];

export type AwsDepsEnvName = (typeof AWS_DEPS_ENV)[number]['name'];

/** A process environment (`process.env`, or a test's record). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** {@link AWS_DEPS_ENV} read and checked, defaults applied. */
export interface AwsEnvironment {
  readonly bucket: string;
  readonly region: string;
  readonly kmsKeyId?: string;
  readonly secretPrefix: string;
  /** The issuer's default key store, for lineages whose spec names none. */
  readonly keyStore: KeyStoreKind;
  readonly eventBusName?: string;
  readonly acmImport: boolean;
  readonly acmRegion: string;
  /** The issuer-wide cap on orders in flight (`ACMEFLOW_ORDER_SLOTS`); absent: none. */
  readonly orderSlots?: number;
}

function optional(env: Environment, name: AwsDepsEnvName): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function required(env: Environment, name: AwsDepsEnvName): string {
  const value = optional(env, name);
  if (!value) {
    const spec = AWS_DEPS_ENV.find((v) => v.name === name);
    throw new ConfigurationError(`The environment variable ${name} is not set. ${spec?.description ?? ''}`.trim(), { variable: name });
  }
  return value;
}

function flag(env: Environment, name: AwsDepsEnvName): boolean {
  const value = optional(env, name)?.toLowerCase();
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ConfigurationError(`The environment variable ${name} must be "true" or "false", not "${env[name]}".`, { variable: name });
}

function keyStoreKind(env: Environment): KeyStoreKind {
  const value = optional(env, 'ACMEFLOW_KEY_STORE') ?? DEFAULT_KEY_STORE;
  if (!(KEY_STORES as readonly string[]).includes(value)) {
    throw new ConfigurationError(`The environment variable ACMEFLOW_KEY_STORE must be one of ${KEY_STORES.join(', ')}, not "${value}".`, {
      variable: 'ACMEFLOW_KEY_STORE',
    });
  }
  return value as KeyStoreKind;
}

/**
 * Reads {@link AWS_DEPS_ENV}; a missing required variable, or a flag that is neither `true` nor
 * `false`, is a {@link ConfigurationError} naming the variable.
 *
 * @example
 * ```ts
 * readAwsEnvironment({ ACMEFLOW_BUCKET: 'certs', AWS_REGION: 'eu-west-1' });
 * // { bucket: 'certs', region: 'eu-west-1', secretPrefix: 'acmeflow/', keyStore: 's3', acmImport: false, acmRegion: 'eu-west-1' }
 * ```
 */
export function readAwsEnvironment(env: Environment): AwsEnvironment {
  const bucket = required(env, 'ACMEFLOW_BUCKET');
  const region = required(env, 'AWS_REGION');
  const kmsKeyId = optional(env, 'ACMEFLOW_KMS_KEY_ID');
  const eventBusName = optional(env, 'ACMEFLOW_EVENT_BUS');
  return {
    bucket,
    region,
    ...(kmsKeyId ? { kmsKeyId } : {}),
    secretPrefix: optional(env, 'ACMEFLOW_SECRET_PREFIX') ?? 'acmeflow/',
    keyStore: keyStoreKind(env),
    ...(eventBusName ? { eventBusName } : {}),
    acmImport: flag(env, 'ACMEFLOW_ACM_IMPORT'),
    acmRegion: optional(env, 'ACMEFLOW_ACM_REGION') ?? region,
    ...orderSlots(env),
  };
}

function orderSlots(env: Environment): { orderSlots?: number } {
  const value = optional(env, 'ACMEFLOW_ORDER_SLOTS');
  if (value === undefined) return {};
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 10_000) {
    throw new ConfigurationError(`The environment variable ACMEFLOW_ORDER_SLOTS must be an integer from 1 to 10000, not "${value}".`, { variable: 'ACMEFLOW_ORDER_SLOTS' });
  }
  return { orderSlots: count };
}
