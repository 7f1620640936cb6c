import { ACME_ERROR_PREFIX, AcmeError, AcmeProblemError, type AcmeProblem, type AcmeSubproblem } from '../acme/errors.js';

/**
 * The CA found a challenge invalid (RFC 8555 §7.5.1). The problem carries one subproblem per name
 * that failed, so the person sees which name's DNS to fix; the whole order fails with it.
 */
export class AcmeValidationFailedError extends AcmeProblemError {
  /** Zones of the failed names that are DNSSEC-signed (looked up after the failure), with the names in them. */
  readonly signedZones: readonly { readonly zone: string; readonly identifiers: readonly string[] }[];
  constructor(
    failures: readonly { identifier: string; problem?: AcmeProblem }[],
    options: { url?: string; signedZones?: readonly { readonly zone: string; readonly identifiers: readonly string[] }[] } = {},
  ) {
    const subproblems: AcmeSubproblem[] = failures.map((f) => ({
      ...(f.problem ?? { type: `${ACME_ERROR_PREFIX}unauthorized`, detail: 'the authorization became invalid' }),
      identifier: { type: 'dns', value: f.identifier },
    }));
    const first = subproblems[0];
    const signed = options.signedZones ?? [];
    // CAs must check DNSSEC while validating since 2026-03-15 (CA/Browser Forum ballot SC-085): in a
    // signed zone, a broken chain of trust fails DNS-01 whatever the TXT record says.
    const dnssec =
      signed.length === 0
        ? ''
        : ` The zone${signed.length > 1 ? 's' : ''} ${signed.map((z) => z.zone).join(', ')} ${signed.length > 1 ? 'are' : 'is'} DNSSEC-signed: CAs check DNSSEC during validation, so a broken chain of trust (expired signatures, a DS record matching no DNSKEY) fails DNS-01; check ${signed.length > 1 ? 'them' : 'it'} with delv or DNSViz.`;
    const problem: AcmeProblem = {
      type: failures.length === 1 && first ? first.type : `${ACME_ERROR_PREFIX}compound`,
      detail: `Validation failed for ${failures.map((f) => f.identifier).join(', ')}; check each name's _acme-challenge TXT record before retrying.${dnssec}`,
      subproblems,
    };
    super(problem, { ...(options.url === undefined ? {} : { url: options.url }) });
    this.name = 'AcmeValidationFailedError';
    this.signedZones = signed;
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

/**
 * Every order slot of the issuer is held (other sweeps' issuances are in flight): the sweep's
 * issuance waits, its PrepareOrder retried by the state machine until a slot frees. Reaching the
 * failure path only when the issuance's own time limit runs out while waiting.
 */
export class OrderSlotsBusyError extends Error {
  readonly capacity: number;
  constructor(capacity: number) {
    super(`All ${capacity} order slots of the issuer are in use by other issuances; this one starts when a slot frees (sweepConcurrency caps orders across every sweep).`);
    this.name = 'OrderSlotsBusyError';
    this.capacity = capacity;
  }
}

/**
 * The records could not be seen everywhere in time for the CA to validate before its pending
 * authorizations expire (RFC 8555 §7.1.4 `expires`; one hour with some profiles). Stopping here
 * leaves the authorizations unanswered rather than failed, so a new order can start at once
 * with a fresh window and no failed validation counted against the name.
 */
export class AuthorizationWindowClosingError extends Error {
  /** When the authorizations expire (ISO). */
  readonly deadline: string;
  /** Seconds since the order was created. */
  readonly elapsedSeconds: number;
  constructor(deadline: string, elapsedSeconds: number, missing: string, options: { cause?: unknown } = {}) {
    super(
      `The CA's authorizations expire at ${deadline}, ${Math.round(elapsedSeconds)} s after the order was created, and the records are still not on every server (${missing}); ` +
        'stopped before they expire unanswered. Check why the DNS provider is slow to publish (the message above names what is missing where), then run again: a new order gets a new window.',
      options,
    );
    this.name = 'AuthorizationWindowClosingError';
    this.deadline = deadline;
    this.elapsedSeconds = elapsedSeconds;
  }
}
