import type { ACMClientConfig } from '@aws-sdk/client-acm';
import type { EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import type { Route53ClientConfig } from '@aws-sdk/client-route-53';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import type { STSClientConfig } from '@aws-sdk/client-sts';
import type { HttpTransport } from '../../../shared/http/index.js';
import type { Logger, WorkflowDeps } from '../../../shared/workflow/deps.js';
import type { AwsEnvironment, Environment } from '../aws-env.js';

/**
 * The pieces a function's {@link WorkflowDeps} are made of. Each adapter has its own builder module
 * (`s3.ts`, `secrets-manager.ts`, `dns.ts`, `eventbridge.ts`, `acm.ts`), so a function's deps factory
 * imports, and its bundle holds, only the SDK clients of the adapters it builds.
 */

/** SDK client settings per service: tests point them at s3rver and the wire-level fakes (`endpoint`, `credentials`). */
export interface AwsClientConfigs {
  readonly s3?: S3ClientConfig;
  /** PlanRenewals's signed lineage reads (s3StoreSignedReads) use `s3`'s settings; this sends them instead (a counting transport in the benchmark). */
  readonly s3Reads?: { readonly transport?: HttpTransport };
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
  /** fetch for the ACME CA and HTTP DNS APIs (Cloudflare, acme-dns). @default the ACME layer's node:http/https transport for the CA, globalThis.fetch for the DNS APIs */
  readonly fetch?: typeof fetch;
  /** How the ACME layer sends requests; wins over `fetch` for the CA (tests pass one trusting their CA). @default the node:http/https transport */
  readonly transport?: HttpTransport;
  /** @default the Powertools logger of `createLogger` */
  readonly log?: Logger;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default Math.random */
  readonly random?: () => number;
}

/**
 * An adapter a function may be given, each the counterpart of `STEP_ACCESS` flags
 * (shared/workflow/machines/step-access.ts; see `ADAPTER_ACCESS`):
 * `store` (S3 lineages and certificates), `lock` (S3 lineage locks), `sweeps` (S3 sweep plans and
 * results), `keys` (Secrets Manager certificate and account keys), `eab` (EAB secrets), `dns` (DNS
 * providers with their credential secrets, and the propagation check), `events` (EventBridge),
 * `targets` (ACM import; `awsDepsFromEnv` only).
 */
export type AdapterName = 'store' | 'lock' | 'sweeps' | 'keys' | 'eab' | 'dns' | 'events' | 'targets';

/** What builders share: the environment read once, the options, and one SDK client per service. */
export interface AdapterContext {
  /** The step the deps are for (`acmeflow` for `awsDepsFromEnv`), for messages. */
  readonly step: string;
  /** The raw environment: DNS providers read their own variables from it. */
  readonly env: Environment;
  readonly aws: AwsEnvironment;
  readonly clientConfig: AwsClientConfigs;
  readonly fetch?: typeof fetch;
  readonly log: Logger;
  readonly now: () => Date;
  readonly random: () => number;
  /** The client `key` of this function, made by `make` the first time (S3 serves store, lock and sweeps with one client). */
  client<T>(key: string, make: () => T): T;
}

/**
 * Builds one adapter: the {@link WorkflowDeps} fields it provides. Builds clients only; makes no call.
 *
 * @example
 * ```ts
 * export const eventBridgeEvents: AdapterBuilder = {
 *   adapter: 'events',
 *   build: (ctx) => ({ events: new EventBridgePublisher({}, { clientConfig: { region: ctx.aws.region } }) }),
 * };
 * ```
 */
export interface AdapterBuilder {
  readonly adapter: AdapterName;
  build(ctx: AdapterContext): Partial<WorkflowDeps> | Promise<Partial<WorkflowDeps>>;
}
