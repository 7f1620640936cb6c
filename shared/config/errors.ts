/**
 * Configuration errors: bad input from a person or a file. Each names the field, the value's
 * problem and the fix; the CLI maps them to exit code 2 before any network call.
 */
export class ConfigError extends Error {
  /** Dotted path of the offending field (`domains[2]`, `ca.eab`), when known. */
  readonly field: string | undefined;
  constructor(message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConfigError';
    this.field = options.field;
  }
}

/** A domain name that cannot be put in a certificate. */
export class InvalidDomainError extends ConfigError {
  readonly domain: string;
  constructor(domain: string, reason: string, field?: string) {
    super(`"${domain}" is not a valid certificate name: ${reason}`, field === undefined ? {} : { field });
    this.name = 'InvalidDomainError';
    this.domain = domain;
  }
}
