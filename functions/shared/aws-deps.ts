import { ACMClient, type ACMClientConfig } from '@aws-sdk/client-acm';
import type { EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import type { Route53ClientConfig } from '@aws-sdk/client-route-53';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { createAcmeContext, type AcmeContext, type EabAlgorithm, type ExternalAccountBinding } from '../../shared/acme/index.js';
import type { LineageSpec } from '../../shared/config/index.js';
import { checkPropagation } from '../../shared/dns/propagation.js';
import type { DnsProvider } from '../../shared/dns/provider.js';
import { createProvider, type DnsProviderDeps } from '../../shared/dns/providers/registry.js';
import { EventBridgePublisher } from '../../shared/events/eventbridge/index.js';
import { AcmImportTarget } from '../../shared/store/acm/index.js';
import { S3CertificateStore, S3LineageLock, S3SweepStore } from '../../shared/store/s3/index.js';
import { SecretsManagerKeyStore } from '../../shared/store/secrets-manager/index.js';
import type { DeployTarget, Logger, WorkflowDeps } from '../../shared/workflow/index.js';
import { ConfigurationError, DnsCredentialsError, EabCredentialsError } from './errors.js';
import { createLogger } from './logger.js';

/** One environment variable the Lambda shells read. */
export interface EnvVarSpec {
  readonly name: string;
  readonly required: boolean;
  /** The value used when it is unset. */
  readonly default?: string;
  readonly description: string;
}

/**
 * Every environment variable {@link awsDepsFromEnv} reads: the contract between the CDK construct
 * (which sets them on each function) and the handlers.
 */
export const AWS_DEPS_ENV = [
  { name: 'ACMEFLOW_BUCKET', required: true, description: 'The certificate bucket: renewal/, archive/, live/, locks/ and sweeps/.' },
  {
    name: 'ACMEFLOW_KMS_KEY_ID',
    required: false,
    description: 'KMS key (id, ARN or alias) for S3 objects (SSE-KMS) and new secrets; unset: the bucket default and aws/secretsmanager.',
  },
  { name: 'ACMEFLOW_SECRET_PREFIX', required: false, default: 'acmeflow/', description: 'Prefix of the secrets: <prefix>cert/<lineage>, <prefix>account/<id>.' },
  { name: 'ACMEFLOW_EVENT_BUS', required: false, description: 'Event bus name or ARN for the acmeflow events; unset: the default bus.' },
  { name: 'ACMEFLOW_ACM_IMPORT', required: false, default: 'false', description: '"true" imports every stored certificate into ACM (re-import under the same ARN).' },
  { name: 'ACMEFLOW_ACM_REGION', required: false, description: 'Region of the ACM import (us-east-1 for CloudFront); unset: AWS_REGION.' },
  { name: 'AWS_REGION', required: true, description: 'Region of the S3, Secrets Manager and EventBridge clients (Lambda sets it).' },
] as const satisfies readonly EnvVarSpec[];

export type AwsDepsEnvName = (typeof AWS_DEPS_ENV)[number]['name'];

/** SDK client settings per service: tests point them at s3rver and the wire-level fakes (`endpoint`, `credentials`). */
export interface AwsClientConfigs {
  readonly s3?: S3ClientConfig;
  readonly secretsManager?: SecretsManagerClientConfig;
  readonly eventBridge?: EventBridgeClientConfig;
  readonly acm?: ACMClientConfig;
  /** For the route53 DNS provider (which builds its own client, with an assumed role when configured). */
  readonly route53?: Route53ClientConfig;
  /** For the route53 provider's `roleArn` (AssumeRole). */
  readonly sts?: STSClientConfig;
}

export interface AwsDepsOptions {
  readonly clientConfig?: AwsClientConfigs;
  /** fetch for the ACME CA and HTTP DNS APIs (Cloudflare, acme-dns). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default the Powertools logger of {@link createLogger} */
  readonly log?: Logger;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default Math.random */
  readonly random?: () => number;
}

/** What each provider's credentials secret holds (its SecretString, JSON). */
const DNS_SECRET_SHAPES: Readonly<Record<string, { readonly required?: string; readonly expected: string }>> = {
  rfc2136: { required: 'tsig', expected: '{"tsig":{"name":"<key name>","algorithm":"hmac-sha256","secret":"<base64 secret>"}}' },
  cloudflare: { required: 'apiToken', expected: '{"apiToken":"<Cloudflare API token with Zone:DNS:Edit>"}' },
  'acme-dns': {
    required: 'registrations',
    expected: '{"registrations":{"example.com":{"username":"…","password":"…","subdomain":"…","fulldomain":"…"}}}',
  },
  route53: { expected: '{"roleArn":"arn:aws:iam::<account>:role/<role>","externalId":"…"} (fields of the route53 config)' },
};

const EAB_ALGORITHMS: readonly EabAlgorithm[] = ['HS256', 'HS384', 'HS512'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorName(error: unknown): string | undefined {
  return isObject(error) ? String(error['name']) : undefined;
}

type SecretRead = { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly problem: string; readonly cause?: unknown };

/**
 * A secret's SecretString parsed as a JSON object, or what is wrong with it. Values never reach a
 * message: a JSON.parse error quotes the text, so it is not kept as a cause either.
 */
async function readSecretJson(client: SecretsManagerClient, ref: string): Promise<SecretRead> {
  let text: string | undefined;
  try {
    text = (await client.send(new GetSecretValueCommand({ SecretId: ref }))).SecretString;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return { ok: false, problem: 'does not exist (or has no current version)', cause: error };
    throw error;
  }
  if (text === undefined) return { ok: false, problem: 'has no SecretString (binary secrets are not read)' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'does not hold JSON' };
  }
  if (!isObject(parsed)) return { ok: false, problem: 'does not hold a JSON object' };
  return { ok: true, value: parsed };
}

function required(env: Readonly<Record<string, string | undefined>>, name: AwsDepsEnvName): string {
  const value = env[name]?.trim();
  if (!value) {
    const spec = AWS_DEPS_ENV.find((v) => v.name === name);
    throw new ConfigurationError(name, `The environment variable ${name} is not set. ${spec?.description ?? ''}`.trim());
  }
  return value;
}

function optional(env: Readonly<Record<string, string | undefined>>, name: AwsDepsEnvName): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function flag(env: Readonly<Record<string, string | undefined>>, name: AwsDepsEnvName): boolean {
  const value = optional(env, name)?.toLowerCase();
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ConfigurationError(name, `The environment variable ${name} must be "true" or "false", not "${env[name]}".`);
}

/**
 * The {@link WorkflowDeps} of a Lambda function, from its environment ({@link AWS_DEPS_ENV}):
 * S3 (certificates, lock, sweep plans and results), Secrets Manager (keys; EAB and DNS credentials
 * read at run time, never kept in state), EventBridge, optionally ACM import; the ACME context per
 * directory URL (cached, so a warm container keeps its nonces); DNS providers through the registry.
 * Builds clients only; makes no call. A missing required variable is a {@link ConfigurationError}.
 *
 * @example
 * ```ts
 * const deps = await awsDepsFromEnv(); // in a handler: once per container
 * const deps = await awsDepsFromEnv(env, { clientConfig: { s3: { endpoint, forcePathStyle: true, credentials } } }); // in a test
 * ```
 */
export async function awsDepsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env, options: AwsDepsOptions = {}): Promise<WorkflowDeps> {
  const bucket = required(env, 'ACMEFLOW_BUCKET');
  const region = required(env, 'AWS_REGION');
  const kmsKeyId = optional(env, 'ACMEFLOW_KMS_KEY_ID');
  const secretPrefix = optional(env, 'ACMEFLOW_SECRET_PREFIX') ?? 'acmeflow/';
  const eventBusName = optional(env, 'ACMEFLOW_EVENT_BUS');
  const acmImport = flag(env, 'ACMEFLOW_ACM_IMPORT');
  const acmRegion = optional(env, 'ACMEFLOW_ACM_REGION') ?? region;
  const config = options.clientConfig ?? {};
  const log = options.log ?? createLogger();
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;

  const s3 = new S3Client({ region, ...config.s3 });
  const secrets = new SecretsManagerClient({ region, ...config.secretsManager });
  const s3Options = { bucket, client: s3, ...(kmsKeyId ? { kmsKeyId } : {}) };
  const targets: DeployTarget[] = acmImport ? [new AcmImportTarget({ client: new ACMClient({ region: acmRegion, ...config.acm }) })] : [];
  const sts = config.sts ? new STSClient({ region, ...config.sts }) : undefined;

  const contexts = new Map<string, AcmeContext>();
  const acme = (directoryUrl: string): AcmeContext => {
    let ctx = contexts.get(directoryUrl);
    if (!ctx) {
      ctx = createAcmeContext({ directoryUrl, ...(options.fetch ? { fetch: options.fetch } : {}), now });
      contexts.set(directoryUrl, ctx);
    }
    return ctx;
  };

  const providerDeps: DnsProviderDeps = {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(config.route53 ? { clientConfig: config.route53 } : {}),
    ...(sts ? { sts } : {}),
    env,
    random,
    warn: (message: string) => log.warn(message),
  };
  // Providers without a secret are kept for the container's life (Route 53 keeps its zone lookups);
  // providers with one are built per call, so a rotated secret is picked up at once.
  const plainProviders = new Map<string, DnsProvider>();
  const dnsProvider = async (dns: LineageSpec['dns']): Promise<DnsProvider> => {
    if (!dns.credentialsRef) {
      const key = JSON.stringify([dns.provider, dns.config]);
      let provider = plainProviders.get(key);
      if (!provider) {
        provider = createProvider(dns.provider, dns.config, providerDeps);
        plainProviders.set(key, provider);
      }
      return provider;
    }
    const ref = dns.credentialsRef;
    const shape = DNS_SECRET_SHAPES[dns.provider] ?? { expected: '{ <fields of the provider config> }' };
    const read = await readSecretJson(secrets, ref);
    if (!read.ok) throw new DnsCredentialsError(dns.provider, ref, read.problem, shape.expected, { cause: read.cause });
    const secret = read.value;
    if (shape.required !== undefined && secret[shape.required] === undefined) {
      throw new DnsCredentialsError(dns.provider, ref, `has no "${shape.required}" field`, shape.expected);
    }
    const { apiToken, ...configPart } = secret;
    if (apiToken !== undefined && typeof apiToken !== 'string') {
      throw new DnsCredentialsError(dns.provider, ref, 'has an "apiToken" that is not a string', shape.expected);
    }
    return createProvider(dns.provider, { ...dns.config, ...configPart }, { ...providerDeps, ...(apiToken ? { apiToken } : {}) });
  };

  const resolveEab = async (ref: string): Promise<ExternalAccountBinding> => {
    const read = await readSecretJson(secrets, ref);
    if (!read.ok) throw new EabCredentialsError(ref, read.problem, { cause: read.cause });
    const { kid, hmacKey, algorithm } = read.value;
    if (typeof kid !== 'string' || kid === '') throw new EabCredentialsError(ref, 'has no "kid" string');
    if (typeof hmacKey !== 'string' || hmacKey === '') throw new EabCredentialsError(ref, 'has no "hmacKey" string');
    if (algorithm !== undefined && !EAB_ALGORITHMS.includes(algorithm as EabAlgorithm)) {
      throw new EabCredentialsError(ref, `has an "algorithm" other than ${EAB_ALGORITHMS.join(', ')}`);
    }
    return { kid, hmacKey, ...(algorithm ? { algorithm: algorithm as EabAlgorithm } : {}) };
  };

  return {
    store: new S3CertificateStore(s3Options),
    lock: new S3LineageLock({ ...s3Options, now }),
    keys: new SecretsManagerKeyStore({
      client: secrets,
      certificateSecretPrefix: `${secretPrefix}cert/`,
      accountSecretPrefix: `${secretPrefix}account/`,
      ...(kmsKeyId ? { kmsKeyId } : {}),
    }),
    events: new EventBridgePublisher(eventBusName ? { eventBusName } : {}, { clientConfig: { region, maxAttempts: 1, ...config.eventBridge } }),
    sweeps: new S3SweepStore(s3Options),
    ...(targets.length > 0 ? { targets } : {}),
    acme,
    dnsProvider,
    resolveEab,
    checkPropagation: (records, checkOptions) => checkPropagation(records, checkOptions),
    locate: (lineage) => ({ location: `s3://${bucket}/live/${lineage}/`, keyLocation: `${secretPrefix}cert/${lineage}` }),
    log,
    now,
    random,
  };
}
