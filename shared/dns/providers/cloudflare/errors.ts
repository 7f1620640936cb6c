/**
 * Typed errors of the Cloudflare provider. Each `name` is a literal (Step Functions matches on it);
 * each message names the record, the zone and the fix (see {@link DnsError}). Tokens never appear.
 */
import { sanitizeDisplayText } from '../../../text/index.js';
import { DnsError } from '../../errors.js';

/** One entry of a Cloudflare API v4 response's `errors[]`. */
export interface CloudflareApiMessage {
  readonly code: number;
  readonly message: string;
}

/** The scope the provider's API token needs, as the Cloudflare dashboard names it. */
export const CLOUDFLARE_TOKEN_SCOPE = 'Zone:DNS:Edit';

/**
 * The certbot-style credentials file named by `credentialsFile` does not exist (or cannot be read).
 *
 * @example
 * ```ts
 * throw new CloudflareCredentialsFileNotFoundError('/etc/letsencrypt/cloudflare.ini');
 * ```
 */
export class CloudflareCredentialsFileNotFoundError extends DnsError {
  readonly path: string;

  constructor(path: string, options: { cause?: unknown } = {}) {
    super(`the Cloudflare credentials file ${path} cannot be read`, {
      cause: options.cause,
      fix: `create ${path} with the line "dns_cloudflare_api_token = <token>" (a token with ${CLOUDFLARE_TOKEN_SCOPE}) and chmod 600 it`,
    });
    this.name = 'CloudflareCredentialsFileNotFoundError';
    this.path = path;
  }
}

/** No usable API token: none configured, or the credentials file lacks `dns_cloudflare_api_token`. */
export class CloudflareCredentialsError extends DnsError {
  constructor(problem: string, fix: string) {
    super(problem, { fix });
    this.name = 'CloudflareCredentialsError';
  }
}

/** Cloudflare refused the token (invalid, expired, or without the scope on this zone). */
export class CloudflareAuthError extends DnsError {
  readonly status: number;
  readonly errors: readonly CloudflareApiMessage[];

  constructor(status: number, errors: readonly CloudflareApiMessage[], options: { record?: string; zone?: string; cause?: unknown } = {}) {
    super(`Cloudflare refused the API token (HTTP ${status}${formatErrors(errors)})`, {
      ...options,
      fix: `use an API token with ${CLOUDFLARE_TOKEN_SCOPE} permission whose zone resources include ${options.zone ?? 'the zone'}; check it with GET /user/tokens/verify`,
    });
    this.name = 'CloudflareAuthError';
    this.status = status;
    this.errors = errors;
  }
}

/** No zone of the token's account holds the record. */
export class CloudflareZoneNotFoundError extends DnsError {
  constructor(record: string, options: { cause?: unknown } = {}) {
    super(`no Cloudflare zone visible to the API token holds ${record}`, {
      record,
      cause: options.cause,
      fix: `add the domain (or a parent) to Cloudflare, include it in the token's zone resources (${CLOUDFLARE_TOKEN_SCOPE}), set zoneId, or delegate _acme-challenge with a CNAME to a zone you host`,
    });
    this.name = 'CloudflareZoneNotFoundError';
  }
}

/** Cloudflare answered 429: the account's API rate limit (1200 requests per 5 minutes) is spent. */
export class CloudflareRateLimitedError extends DnsError {
  /** Seconds to wait, from `Retry-After`, when given. */
  readonly retryAfter?: number;

  constructor(options: { record?: string; zone?: string; retryAfter?: number; cause?: unknown } = {}) {
    const { retryAfter, ...context } = options;
    super(`Cloudflare rate-limited the request${retryAfter === undefined ? '' : ` (retry after ${retryAfter} s)`}`, {
      ...context,
      fix: 'retry the step later; other clients of the same Cloudflare user share the limit',
    });
    this.name = 'CloudflareRateLimitedError';
    if (retryAfter !== undefined) this.retryAfter = retryAfter;
  }
}

/** Any other failed Cloudflare API call, with the API's `errors[]`. */
export class CloudflareApiError extends DnsError {
  readonly status: number;
  readonly errors: readonly CloudflareApiMessage[];

  constructor(request: string, status: number, errors: readonly CloudflareApiMessage[], options: { record?: string; zone?: string; cause?: unknown } = {}) {
    super(`Cloudflare ${request} failed with HTTP ${status}${formatErrors(errors)}`, {
      ...options,
      fix: 'see the Cloudflare error codes in the message; https://www.cloudflarestatus.com/ shows outages',
    });
    this.name = 'CloudflareApiError';
    this.status = status;
    this.errors = errors;
  }
}

function formatErrors(errors: readonly CloudflareApiMessage[]): string {
  // The API's messages are its text, shown and stored as they come: sanitised, and at most ten.
  return errors.length === 0 ? '' : `: ${errors.slice(0, 10).map((e) => `${e.code} ${sanitizeDisplayText(String(e.message), 300)}`).join('; ')}`;
}
