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
