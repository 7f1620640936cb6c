import { ACME_ERROR_PREFIX, AcmeError, AcmeProblemError, type AcmeProblem, type AcmeSubproblem } from '../acme/errors.js';

/**
 * The CA found a challenge invalid (RFC 8555 §7.5.1). The problem carries one subproblem per name
 * that failed, so the person sees which name's DNS to fix; the whole order fails with it.
 */
export class AcmeValidationFailedError extends AcmeProblemError {
  constructor(failures: readonly { identifier: string; problem?: AcmeProblem }[], options: { url?: string } = {}) {
    const subproblems: AcmeSubproblem[] = failures.map((f) => ({
      ...(f.problem ?? { type: `${ACME_ERROR_PREFIX}unauthorized`, detail: 'the authorization became invalid' }),
      identifier: { type: 'dns', value: f.identifier },
    }));
    const first = subproblems[0];
    const problem: AcmeProblem = {
      type: failures.length === 1 && first ? first.type : `${ACME_ERROR_PREFIX}compound`,
      detail: `Validation failed for ${failures.map((f) => f.identifier).join(', ')}; check each name's _acme-challenge TXT record before retrying.`,
      subproblems,
    };
    super(problem, options);
    this.name = 'AcmeValidationFailedError';
  }
}

/** The order became `invalid` (RFC 8555 §7.1.6), with the CA's problem when it gave one. */
export class AcmeOrderInvalidError extends AcmeProblemError {
  constructor(orderUrl: string, problem: AcmeProblem | undefined) {
    super(problem ?? { type: `${ACME_ERROR_PREFIX}serverInternal`, detail: 'The order became invalid without a reason from the CA.' }, { url: orderUrl });
    this.name = 'AcmeOrderInvalidError';
  }
}

/** A polling loop ran past its deadline: the state machine stops instead of looping forever. */
export class AcmePollTimeoutError extends AcmeError {
  readonly what: 'validation' | 'order';
  readonly seconds: number;
  constructor(what: 'validation' | 'order', url: string, seconds: number) {
    super(
      what === 'validation'
        ? `The CA did not finish validating within ${seconds} s (${url}). The CA may be overloaded; the run can be retried.`
        : `The CA did not issue the certificate within ${seconds} s of finalizing (${url}). Retry later; the order will be reused if still valid.`,
      { url },
    );
    this.name = 'AcmePollTimeoutError';
    this.what = what;
    this.seconds = seconds;
  }
}

/** The certificate the CA sent does not fit the key or the names asked for: it is never stored. */
export class CertificateMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateMismatchError';
  }
}
