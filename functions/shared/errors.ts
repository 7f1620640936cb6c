/**
 * Errors of the Lambda shells. Literal names (STYLE.md §7): Step Functions matches on them, and
 * messages name what is wrong and where, never a secret value.
 */

/** A required environment variable of the Lambda is missing or has a value the shell cannot use. */
export class ConfigurationError extends Error {
  /** The environment variable at fault. */
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(message);
    this.name = 'ConfigurationError';
    this.variable = variable;
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

/** The External Account Binding secret is missing or does not hold `{ kid, hmacKey, algorithm? }`. */
export class EabCredentialsError extends Error {
  /** The secret's name or ARN (the lineage's `ca.eabRef`). */
  readonly secretRef: string;
  constructor(secretRef: string, problem: string, options: { cause?: unknown } = {}) {
    super(
      `The EAB secret "${secretRef}" ${problem}. Store the CA's External Account Binding as a Secrets Manager secret ` +
        `whose SecretString is JSON {"kid":"<key id>","hmacKey":"<base64url HMAC key>","algorithm":"HS256"} (algorithm optional).`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'EabCredentialsError';
    this.secretRef = secretRef;
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
