/**
 * Typed errors of the RFC 2136 provider. Each names the record, the zone and the fix (via
 * {@link DnsError}) and, where it matters, the TSIG key name — never its secret.
 */
import { DnsError } from '../../errors.js';

/** The provider configuration (or credentials file) is incomplete or invalid. */
export class Rfc2136ConfigError extends DnsError {
  /** One line per problem, `field: problem`; values are never echoed. */
  readonly issues: readonly string[];

  constructor(issues: readonly string[], options: { source?: string; cause?: unknown } = {}) {
    super(`invalid RFC 2136 configuration${options.source === undefined ? '' : ` in ${options.source}`}: ${issues.join('; ')}`, {
      cause: options.cause,
      fix: 'give server, tsig.name, tsig.algorithm (hmac-sha256 or hmac-sha512) and tsig.secret (base64, as tsig-keygen prints it)',
    });
    this.name = 'Rfc2136ConfigError';
    this.issues = issues;
  }
}

/** A certbot-style credentials INI file is missing or unreadable. */
export class Rfc2136CredentialsFileError extends DnsError {
  readonly path: string;

  constructor(path: string, problem: string, options: { cause?: unknown } = {}) {
    super(`cannot read the RFC 2136 credentials file ${path}: ${problem}`, {
      cause: options.cause,
      fix: `create ${path} with dns_rfc2136_server, dns_rfc2136_name, dns_rfc2136_secret and dns_rfc2136_algorithm lines, readable by this user only (chmod 600)`,
    });
    this.name = 'Rfc2136CredentialsFileError';
    this.path = path;
  }
}

/** The server rejected our TSIG signature: unknown key, wrong secret or algorithm, clock skew (RFC 8945 §5.2). */
export class Rfc2136TsigError extends DnsError {
  readonly keyName: string;
  /** `BADKEY`, `BADSIG`, `BADTIME`, `BADTRUNC`, or `NOTAUTH` when the server gave no TSIG detail. */
  readonly tsigError: string;

  constructor(keyName: string, tsigError: string, options: { record?: string; zone?: string; server: string; cause?: unknown }) {
    super(`${options.server} rejected TSIG key ${keyName} (${tsigError})`, {
      ...options,
      fix:
        tsigError === 'BADTIME'
          ? 'synchronize this machine\'s clock (TSIG allows 300 s of skew)'
          : `make the key name, algorithm and secret match the server's key "${keyName}" statement`,
    });
    this.name = 'Rfc2136TsigError';
    this.keyName = keyName;
    this.tsigError = tsigError;
  }
}

/** The server's answer to a signed request was unsigned or its TSIG did not verify (RFC 8945 §5.3.2). */
export class Rfc2136ResponseVerificationError extends DnsError {
  readonly keyName: string;

  constructor(keyName: string, detail: string, options: { record?: string; zone?: string; server: string }) {
    super(`the answer from ${options.server} could not be verified with TSIG key ${keyName}: ${detail}`, {
      ...options,
      fix: 'check that the configured server is the one holding the key (no middlebox rewriting DNS), and that the secret matches',
    });
    this.name = 'Rfc2136ResponseVerificationError';
    this.keyName = keyName;
  }
}

/** REFUSED: the server's policy (BIND `update-policy`/`allow-update`) does not let the key change this record. */
export class Rfc2136UpdateRefusedError extends DnsError {
  constructor(keyName: string, options: { record: string; zone: string; server: string }) {
    super(`${options.server} refused the update of TXT ${options.record} signed with key ${keyName}`, {
      ...options,
      fix: `allow the key on the server, e.g. BIND: zone "${options.zone}" { update-policy { grant ${keyName} name ${options.record}. TXT; }; };`,
    });
    this.name = 'Rfc2136UpdateRefusedError';
  }
}

/**
 * The zone is wrong: NOTZONE (the record is outside the zone named in the update, RFC 2136 §2.2),
 * NOTAUTH without TSIG detail (the server is not primary for it), or no zone for the name on the server.
 */
export class Rfc2136ZoneError extends DnsError {
  constructor(problem: string, options: { record: string; zone?: string; server: string }) {
    super(problem, {
      ...options,
      fix: 'set zone to the zone that holds this name on the server (or leave it unset to find it by SOA), and point server at that zone\'s primary',
    });
    this.name = 'Rfc2136ZoneError';
  }
}

/** Any other failure answer (SERVFAIL, FORMERR, NOTIMP, ...). */
export class Rfc2136ServerError extends DnsError {
  readonly rcode: string;

  constructor(rcode: string, options: { record: string; zone?: string; server: string }) {
    super(`${options.server} answered ${rcode}`, {
      ...options,
      fix: 'look at the DNS server\'s log for this update; SERVFAIL often means the zone failed to load or its journal is not writable',
    });
    this.name = 'Rfc2136ServerError';
    this.rcode = rcode;
  }
}
