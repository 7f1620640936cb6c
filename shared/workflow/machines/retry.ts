/**
 * Retry and Catch rules shared by the state machines. Retries are for transient failures only,
 * matched on the literal error names the code throws (an infra test checks every name exists).
 * A rate limit is not retried here: its Retry-After can be hours, so it fails the execution and the
 * lineage's backoff (which honours Retry-After) decides when the next sweep tries again.
 */

/** Errors worth a quick retry with backoff and jitter. */
export const TRANSIENT_ERRORS = [
  'AcmeBadNonceError',
  'AcmeServerInternalError',
  'AcmeHttpError',
  // A 2xx answer that is not the JSON it should be (a body cut short by a proxy): the next attempt
  // gets a whole one. Finalize in particular must be retried, or the certificate it issued is lost.
  // An URL that is no ACME server at all fails the same way after the four bounded retries.
  'AcmeInvalidResponseError',
  'AcmeNetworkError',
  'AcmeTimeoutError',
  'AcmeTlsError',
  'DnsQueryTimeoutError',
  'DnsTransportError',
  'Route53ThrottledError',
  'Route53RequestError',
  'CloudflareRateLimitedError',
  'EventPublishError',
  'LineageConflictError',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

export const TRANSIENT_RETRY = {
  ErrorEquals: [...TRANSIENT_ERRORS],
  IntervalSeconds: 2,
  MaxAttempts: 4,
  BackoffRate: 2,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
} as const;

/**
 * A sweep's issuance waiting for one of the issuer's order slots (`OrderSlotsBusyError`): the
 * cap across sweeps is a wait, not a failure. Tried again after 0-60 s (full jitter, so waiting
 * issuances do not all look at once); each attempt costs one state transition and one S3 LIST. The
 * attempts cover the issuance's 6-hour limit, after which the item counts as failed in its sweep.
 */
export const ORDER_SLOT_RETRY = {
  ErrorEquals: ['OrderSlotsBusyError'],
  IntervalSeconds: 60,
  MaxAttempts: 600,
  BackoffRate: 1,
  JitterStrategy: 'FULL',
} as const;
