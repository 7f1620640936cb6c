/** Typed errors of the acme-dns provider (literal names; record, zone and fix in every message). */
import { DnsError } from '../../errors.js';

/**
 * No registration in the config serves the record.
 *
 * @example
 * ```ts
 * throw new AcmeDnsRegistrationNotFoundError('_acme-challenge.example.com', ['example.org']);
 * ```
 */
export class AcmeDnsRegistrationNotFoundError extends DnsError {
  readonly known: readonly string[];

  constructor(record: string, known: readonly string[]) {
    super(`no acme-dns registration serves the record (registered: ${known.join(', ') || 'none'})`, {
      record,
      fix:
        'register the domain with acme-dns (POST /register), add the returned JSON to registrations under the domain name, ' +
        'and point _acme-challenge.<domain> at its fulldomain with a CNAME',
    });
    this.name = 'AcmeDnsRegistrationNotFoundError';
    this.known = known;
  }
}

/** acme-dns keeps the two most recent values per subdomain; more cannot be published at once. */
export class AcmeDnsTooManyValuesError extends DnsError {
  constructor(record: string, count: number) {
    super(`acme-dns holds at most 2 TXT values per subdomain, ${count} were asked for`, {
      record,
      fix: 'put at most two names that share this _acme-challenge name (a domain and its wildcard) in one order, or give them separate registrations',
    });
    this.name = 'AcmeDnsTooManyValuesError';
  }
}

/** acme-dns refused the username/password (HTTP 401 `forbidden`, or the caller's address is outside `allowfrom`). */
export class AcmeDnsAuthError extends DnsError {
  constructor(record: string, zone: string, options: { cause?: unknown } = {}) {
    super('acme-dns refused the registration\'s credentials', {
      record,
      zone,
      cause: options.cause,
      fix: 'check username and password of this registration, and that its allowfrom list (if any) includes the address acmeflow calls from',
    });
    this.name = 'AcmeDnsAuthError';
  }
}

/** Any other failed `POST /update`: acme-dns's `error` (`bad_txt`, `bad_subdomain`, ...) or a network failure. */
export class AcmeDnsRequestError extends DnsError {
  readonly status: number;
  /** acme-dns's error code, e.g. `bad_txt`. */
  readonly code?: string;

  constructor(record: string, zone: string, status: number, code: string | undefined, options: { cause?: unknown } = {}) {
    super(`acme-dns update failed${status === 0 ? '' : ` with HTTP ${status}`}${code === undefined ? '' : ` (${code})`}`, {
      record,
      zone,
      cause: options.cause,
      fix: code === 'bad_txt' ? 'acme-dns only takes 43-character dns-01 values (RFC 8555 §8.4)' : 'check that the acme-dns server_url is reachable and the registration\'s subdomain is right',
    });
    this.name = 'AcmeDnsRequestError';
    this.status = status;
    if (code !== undefined) this.code = code;
  }
}
