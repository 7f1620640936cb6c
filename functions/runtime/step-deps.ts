import { STEP_ACCESS, type FunctionAccess } from '../../shared/workflow/machines/step-access.js';
import { LAMBDA_STEPS, type LambdaStep } from '../../shared/workflow/machines/lambda-resources.js';
import { createAcmeContext, type AcmeContext } from '../../shared/acme/context.js';
import type { WorkflowDeps } from '../../shared/workflow/deps.js';
import type { AdapterBuilder, AdapterContext, AdapterName, AwsDepsOptions } from './adapters/adapter.js';
import { readAwsEnvironment, type Environment } from './aws-env.js';
import { ConfigurationError } from './errors.js';
import { createLogger } from './logger.js';

/**
 * The deps of one step's function: the adapters its `STEP_ACCESS` allows, and nothing else.
 *
 * Each `functions/<step>/aws-deps.ts` names its builders (`adapters/*.ts`) by importing them, so the
 * function's bundle holds only their SDK clients; {@link stepAwsDeps} checks that they are exactly
 * the adapters of the step's access. Every other adapter field of {@link WorkflowDeps} is a stub
 * that throws a {@link ConfigurationError} naming the step and the access it lacks, so a core that
 * starts using an adapter its function is not given fails at once and says why, instead of an
 * `AccessDenied` from AWS.
 */

/** The `STEP_ACCESS` flag(s) behind each adapter, for messages. */
export const ADAPTER_ACCESS: Readonly<Record<AdapterName, string>> = {
  store: 'store',
  lock: 'locks',
  sweeps: 'sweeps',
  keys: 'certificateKeys or accountKeys',
  eab: 'eab',
  dns: 'dns',
  events: 'events',
  targets: 'ACM import (ACMEFLOW_ACM_IMPORT=true)',
};

/** The {@link WorkflowDeps} fields each adapter provides. */
export const ADAPTER_FIELDS = {
  store: ['store'],
  lock: ['lock'],
  sweeps: ['sweeps'],
  keys: ['keys'],
  eab: ['resolveEab'],
  dns: ['dnsProvider', 'checkPropagation'],
  events: ['events'],
  targets: ['targets'],
} as const satisfies Readonly<Record<AdapterName, readonly (keyof WorkflowDeps)[]>>;

/**
 * The adapters a function with `access` is given, in a fixed order.
 *
 * @example
 * ```ts
 * adaptersFor({ store: 'read', events: true }); // ['store', 'events']
 * ```
 */
export function adaptersFor(access: FunctionAccess): AdapterName[] {
  const names: AdapterName[] = [];
  if (access.store) names.push('store');
  if (access.locks) names.push('lock');
  if (access.sweeps) names.push('sweeps');
  if (access.certificateKeys || access.accountKeys) names.push('keys');
  if (access.eab) names.push('eab');
  if (access.dns) names.push('dns');
  if (access.events) names.push('events');
  return names;
}

function missingAdapter(step: string, adapter: AdapterName, field: string): ConfigurationError {
  const folder = (LAMBDA_STEPS as Readonly<Record<string, string>>)[step];
  return new ConfigurationError(
    `${step} used deps.${field}, but its function has no ${ADAPTER_ACCESS[adapter]} access ` +
      `(STEP_ACCESS.${step} in shared/workflow/machines/step-access.ts), so ${folder ? `functions/${folder}/aws-deps.ts` : 'its deps'} does not build it. ` +
      'Give the step that access (IAM and deps follow it) or keep the core from using it.',
    { step, access: ADAPTER_ACCESS[adapter] },
  );
}

/** A stand-in for an adapter object: any property read throws (symbols and `then` aside, so inspecting or awaiting it is harmless). */
function stubObject(error: () => ConfigurationError): object {
  return new Proxy(
    {},
    {
      get(_target, property) {
        if (typeof property === 'symbol' || property === 'then' || property === 'toJSON') return undefined;
        throw error();
      },
    },
  );
}

function stubFunction(error: () => ConfigurationError): () => never {
  return () => {
    throw error();
  };
}

const FUNCTION_FIELDS = new Set<string>(['resolveEab', 'dnsProvider', 'checkPropagation']);

/**
 * {@link WorkflowDeps} from the given adapter builders; the adapters not built are stubs (see the
 * module comment), except `targets`, which is simply absent (no deploy target). `acme`, `locate`,
 * `log`, `now` and `random` need no AWS and are always there.
 *
 * @example
 * ```ts
 * const deps = await composeDeps('EmitIssued', [s3Store, eventBridgeEvents], process.env);
 * deps.dnsProvider(spec.dns); // throws ConfigurationError: EmitIssued used deps.dnsProvider, but its function has no dns access ...
 * ```
 */
export async function composeDeps(step: string, builders: readonly AdapterBuilder[], env: Environment, options: AwsDepsOptions = {}): Promise<WorkflowDeps> {
  const aws = readAwsEnvironment(env);
  const log = options.log ?? createLogger();
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  const clients = new Map<string, unknown>();
  const ctx: AdapterContext = {
    step,
    env,
    aws,
    clientConfig: options.clientConfig ?? {},
    ...(options.fetch ? { fetch: options.fetch } : {}),
    log,
    now,
    random,
    client<T>(key: string, make: () => T): T {
      if (!clients.has(key)) clients.set(key, make());
      return clients.get(key) as T;
    },
  };

  const built: Partial<Record<keyof WorkflowDeps, unknown>> = {};
  for (const builder of builders) Object.assign(built, await builder.build(ctx));

  const builtNames = new Set(builders.map((b) => b.adapter));
  for (const [adapter, fields] of Object.entries(ADAPTER_FIELDS) as [AdapterName, readonly string[]][]) {
    if (builtNames.has(adapter) || adapter === 'targets') continue;
    for (const field of fields) {
      const error = () => missingAdapter(step, adapter, field);
      built[field as keyof WorkflowDeps] = FUNCTION_FIELDS.has(field) ? stubFunction(error) : stubObject(error);
    }
  }

  // One ACME context per directory URL, so a warm container keeps its nonces.
  const contexts = new Map<string, AcmeContext>();
  const acme = (directoryUrl: string): AcmeContext => {
    let context = contexts.get(directoryUrl);
    if (!context) {
      context = createAcmeContext({
        directoryUrl,
        ...(options.transport ? { transport: options.transport } : options.fetch ? { fetch: options.fetch } : {}),
        now,
      });
      contexts.set(directoryUrl, context);
    }
    return context;
  };

  return {
    ...(built as Omit<WorkflowDeps, 'acme' | 'locate' | 'log' | 'now' | 'random'>),
    acme,
    locate: (lineage, spec) => ({
      location: `s3://${aws.bucket}/live/${lineage}/`,
      keyLocation: (spec?.keyStore ?? aws.keyStore) === 's3' ? `s3://${aws.bucket}/keys/${lineage}/` : `${aws.secretPrefix}cert/${lineage}`,
    }),
    log,
    now,
    random,
  };
}

/** A step function's deps factory: `(env = process.env, options) => Promise<WorkflowDeps>`. */
export type StepDepsFactory = (env?: Environment, options?: AwsDepsOptions) => Promise<WorkflowDeps>;

/**
 * The deps factory of `step`'s function, from the builders its `aws-deps.ts` imports. Building
 * fails with a {@link ConfigurationError} when the builders are not exactly the adapters of
 * `STEP_ACCESS[step]` (a wiring mistake, caught by test/unit/functions/step-deps.test.ts before it
 * ships), or when ACMEFLOW_ACM_IMPORT is `true` (no step function has ACM access: the ACM deploy hook
 * imports).
 *
 * @example
 * ```ts
 * // functions/emit-issued/aws-deps.ts
 * export const awsDeps = stepAwsDeps('EmitIssued', [s3Store, eventBridgeEvents]);
 * ```
 */
export function stepAwsDeps(step: LambdaStep, builders: readonly AdapterBuilder[]): StepDepsFactory {
  return async (env = process.env, options = {}) => {
    const expected = adaptersFor(STEP_ACCESS[step]);
    const given = builders.map((b) => b.adapter);
    if (expected.length !== given.length || expected.some((name) => !given.includes(name))) {
      throw new ConfigurationError(
        `functions/${LAMBDA_STEPS[step]}/aws-deps.ts builds ${given.join(', ') || 'nothing'}, but STEP_ACCESS.${step} gives ${expected.join(', ') || 'nothing'}.`,
        { step },
      );
    }
    if (readAwsEnvironment(env).acmImport) {
      throw new ConfigurationError(
        `ACMEFLOW_ACM_IMPORT=true is not supported by the ${step} function: no step function has ACM access; the ACM deploy hook (deployHooks.acmImport) imports certificates.`,
        { variable: 'ACMEFLOW_ACM_IMPORT', step },
      );
    }
    return composeDeps(step, builders, env, options);
  };
}
