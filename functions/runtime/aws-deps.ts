import type { WorkflowDeps } from '../../shared/workflow/deps.js';
import { acmTargets } from './adapters/acm.js';
import type { AwsDepsOptions } from './adapters/adapter.js';
import { dnsProviders } from './adapters/dns.js';
import { eventBridgeEvents } from './adapters/eventbridge.js';
import { s3Lock, s3Store, s3Sweeps } from './adapters/s3.js';
import { keyStores } from './adapters/keys.js';
import { secretsManagerEab } from './adapters/secrets-manager.js';
import type { Environment } from './aws-env.js';
import { composeDeps } from './step-deps.js';

export type { AwsClientConfigs, AwsDepsOptions } from './adapters/adapter.js';
export { AWS_DEPS_ENV, type AwsDepsEnvName, type EnvVarSpec } from './aws-env.js';

/**
 * Every AWS adapter at once, for what runs every step in one process: the e2e and integration tests
 * (s3rver and the fakes), the benchmarks, the local engine over AWS adapters. The Lambda functions do
 * not use it: each builds only its step's adapters (`functions/<step>/aws-deps.ts`, `stepAwsDeps`).
 */

/**
 * The {@link WorkflowDeps} of every step, from the environment ({@link AWS_DEPS_ENV}): S3
 * (certificates, lock, sweep plans and results), Secrets Manager (keys; EAB and DNS credentials
 * read at run time, never kept in state), EventBridge, ACM import when ACMEFLOW_ACM_IMPORT=true; the
 * ACME context per directory URL (cached, so a warm container keeps its nonces); DNS providers
 * through the registry. Builds clients only; makes no call. A missing required variable is a
 * `ConfigurationError` naming it.
 *
 * @example
 * ```ts
 * const deps = await awsDepsFromEnv(env, { clientConfig: { s3: { endpoint, forcePathStyle: true, credentials } } }); // in a test
 * ```
 */
export async function awsDepsFromEnv(env: Environment = process.env, options: AwsDepsOptions = {}): Promise<WorkflowDeps> {
  return composeDeps('acmeflow', [s3Store, s3Lock, s3Sweeps, keyStores, secretsManagerEab, dnsProviders, eventBridgeEvents, acmTargets], env, options);
}
