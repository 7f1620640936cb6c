/**
 * Errors of the Lambda shells. Literal names (ARCHITECTURE.md, "Error model"): Step Functions
 * matches on them, and messages name what is wrong and where, never a secret value.
 */

/** What a {@link ConfigurationError} is about: an environment variable, or an adapter a step's function lacks. */
export interface ConfigurationErrorDetails {
  /** The environment variable at fault. */
  readonly variable?: string;
  /** The step whose function lacks an adapter (`STEP_ACCESS` in shared/workflow/machines/step-access.ts). */
  readonly step?: string;
  /** The `STEP_ACCESS` flag that would give it (`events`, `dns`, `certificateKeys or accountKeys`, ...). */
  readonly access?: string;
}

/**
 * The function is not set up for what it was asked: a required environment variable is missing or
 * has a value the shell cannot use, or the step's core used an adapter its function is not given
 * (its `STEP_ACCESS` lacks the access, so its deps factory does not build it).
 *
 * @example
 * ```ts
 * throw new ConfigurationError('The environment variable ACMEFLOW_BUCKET is not set.', { variable: 'ACMEFLOW_BUCKET' });
 * ```
 */
export class ConfigurationError extends Error {
  readonly variable?: string;
  readonly step?: string;
  readonly access?: string;
  constructor(message: string, details: ConfigurationErrorDetails = {}) {
    super(message);
    this.name = 'ConfigurationError';
    if (details.variable !== undefined) this.variable = details.variable;
    if (details.step !== undefined) this.step = details.step;
    if (details.access !== undefined) this.access = details.access;
  }
}

/** A Task's input does not have the shape its handler expects (a state machine wiring mistake). */
export class InvalidStepInputError extends Error {
  readonly step: string;
  /** `path: rule` per problem; never the values (they may be anything). */
  readonly issues: readonly string[];
  constructor(step: string, issues: readonly string[]) {
    super(`The input of ${step} does not have the expected shape: ${issues.join('; ')}.`);
    this.name = 'InvalidStepInputError';
    this.step = step;
    this.issues = issues;
  }
}

/** The DNS credentials secret is missing or does not hold what the lineage's provider needs. */
export class DnsCredentialsError extends Error {
  /** The secret's name or ARN (the lineage's `dns.credentialsRef`). */
  readonly secretRef: string;
  readonly provider: string;
  constructor(provider: string, secretRef: string, problem: string, expected: string, options: { cause?: unknown } = {}) {
    super(
      `The ${provider} DNS credentials secret "${secretRef}" ${problem}. Its SecretString must be JSON ${expected}.`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'DnsCredentialsError';
    this.secretRef = secretRef;
    this.provider = provider;
  }
}
