/**
 * Typed errors of the ACME layer.
 *
 * Every class sets a literal `name`: Step Functions matches `Retry`/`Catch` on `error.name`, and a
 * bundler renames classes, so `this.constructor.name` would silently stop matching (ARCHITECTURE.md,
 * "Error model").
 * A CA's problem document is never flattened into a message string: {@link AcmeProblemError}
 * keeps `type`, `status`, `detail`, `instance` and `subproblems` as fields (RFC 8555 §6.7).
 */

import { sanitizeDisplayText } from '../text/index.js';

/** An ACME problem document (RFC 7807 as profiled by RFC 8555 §6.7), plain JSON. */
export interface AcmeProblem {
  /** Full URN, e.g. `urn:ietf:params:acme:error:rateLimited`. */
  readonly type: string;
  readonly detail?: string;
  readonly status?: number;
  readonly instance?: string;
  /** RFC 8555 §6.7.1: one problem per identifier when a request fails for several. */
  readonly subproblems?: readonly AcmeSubproblem[];
  readonly [extra: string]: unknown;
}

export interface AcmeSubproblem extends AcmeProblem {
  readonly identifier?: { readonly type: string; readonly value: string };
}

/** The prefix of ACME problem types registered by RFC 8555 §6.7 (and RFC 9773's `alreadyReplaced`). */
export const ACME_ERROR_PREFIX = 'urn:ietf:params:acme:error:';

/** The short name of an ACME problem type: `urn:ietf:params:acme:error:badNonce` → `badNonce`. */
export function shortProblemType(type: string): string {
  return type.startsWith(ACME_ERROR_PREFIX) ? type.slice(ACME_ERROR_PREFIX.length) : type;
}

/** Subproblems kept of one problem (RFC 8555 §6.7.1: one per identifier; an order has at most a few hundred). */
const MAX_SUBPROBLEMS = 100;

/**
 * A problem document as it may be shown and stored: `type`, `detail`, `instance` and the
 * subproblems' identifiers without control characters and cut to length, fields RFC 8555 §6.7 does
 * not define left out (a CA's extension fields are text nobody reads, but could be megabytes).
 * Idempotent.
 */
export function sanitizeProblem(problem: AcmeProblem): AcmeProblem {
  const text = (value: unknown, max?: number): string | undefined => (typeof value === 'string' ? sanitizeDisplayText(value, max) : undefined);
  const subproblems = Array.isArray(problem.subproblems) ? problem.subproblems.slice(0, MAX_SUBPROBLEMS) : undefined;
  const identifier = (problem as AcmeSubproblem).identifier;
  const detail = text(problem.detail);
  const instance = text(problem.instance, 300);
  return {
    type: text(problem.type, 200) ?? 'about:blank',
    ...(detail === undefined ? {} : { detail }),
    ...(typeof problem.status === 'number' ? { status: problem.status } : {}),
    ...(instance === undefined ? {} : { instance }),
    ...(identifier && typeof identifier === 'object'
      ? { identifier: { type: text(identifier.type, 50) ?? '', value: text(identifier.value, 300) ?? '' } }
      : {}),
    ...(subproblems ? { subproblems: subproblems.filter((s) => s && typeof s === 'object').map((s) => sanitizeProblem(s) as AcmeSubproblem) } : {}),
  };
}

/** Base class of every error raised by the ACME layer. */
export class AcmeError extends Error {
  /** The URL of the request that failed, when there was one. */
  readonly url?: string;
  constructor(message: string, options: { url?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AcmeError';
    if (options.url !== undefined) this.url = options.url;
  }
}

interface ProblemErrorOptions {
  url?: string;
  /** HTTP status of the response, used when the problem document has none. */
  status?: number;
  /** Seconds the server asked us to wait (`Retry-After`), already parsed and clamped. */
  retryAfterSeconds?: number;
  /** The layer refused before sending: the problem is acmeflow's, not an answer from the CA. */
  notSent?: boolean;
  cause?: unknown;
}

/** The CA answered with a problem document. Subclasses exist for the types a caller acts on. */
export class AcmeProblemError extends AcmeError {
  readonly problem: AcmeProblem;
  /** Full URN of the problem type. */
  readonly type: string;
  readonly status: number | undefined;
  readonly detail: string | undefined;
  readonly instance: string | undefined;
  readonly subproblems: readonly AcmeSubproblem[];
  readonly retryAfterSeconds: number | undefined;
  /** True when no request was sent: the layer knew the CA's answer in advance (its directory's `meta`), so `detail` is acmeflow's words. */
  readonly notSent: boolean;

  constructor(raw: AcmeProblem, options: ProblemErrorOptions = {}) {
    const problem = sanitizeProblem(raw);
    const status = problem.status ?? options.status;
    super(formatProblem(problem, status), options);
    this.name = 'AcmeProblemError';
    this.problem = problem;
    this.type = problem.type;
    this.status = status;
    this.detail = problem.detail;
    this.instance = problem.instance;
    this.subproblems = problem.subproblems ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.notSent = options.notSent ?? false;
  }

  /** `badNonce`, `rateLimited`, ... */
  get shortType(): string {
    return shortProblemType(this.type);
  }

  /** Plain JSON for events and Step Functions error causes: the problem as the CA sent it. */
  toJSON(): { name: string; url?: string; problem: AcmeProblem; retryAfterSeconds?: number } {
    return {
      name: this.name,
      ...(this.url === undefined ? {} : { url: this.url }),
      problem: this.problem,
      ...(this.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: this.retryAfterSeconds }),
    };
  }
}

function formatProblem(problem: AcmeProblem, status: number | undefined): string {
  const head = `${shortProblemType(problem.type)}${status === undefined ? '' : ` (HTTP ${status})`}`;
  const subs = (problem.subproblems ?? [])
    .map((s) => `${s.identifier?.value ?? '?'}: ${shortProblemType(s.type)}${s.detail ? ` ${s.detail}` : ''}`)
    .join('; ');
  return `${head}: ${problem.detail ?? 'no detail'}${subs ? ` [${subs}]` : ''}`;
}

/** RFC 8555 §6.5: the nonce was rejected; retried inside the layer, raised when retries ran out. */
export class AcmeBadNonceError extends AcmeProblemError {
  constructor(problem: AcmeProblem, options?: ProblemErrorOptions) {
    super(problem, options);
    this.name = 'AcmeBadNonceError';
  }
}

/** RFC 8555 §6.6: a rate limit was hit; `retryAfterSeconds` says when to try again. */
export class AcmeRateLimitedError extends AcmeProblemError {
  constructor(problem: AcmeProblem, options?: ProblemErrorOptions) {
    super(problem, options);
    this.name = 'AcmeRateLimitedError';
  }
}

/** RFC 9773 §5: the certificate named in `replaces` was already replaced; retry without `replaces`. */
export class AcmeAlreadyReplacedError extends AcmeProblemError {
  constructor(problem: AcmeProblem, options?: ProblemErrorOptions) {
    super(problem, options);
    this.name = 'AcmeAlreadyReplacedError';
  }
}

/** RFC 8555 §7.3.4: the CA requires External Account Binding and none was given. */
export class AcmeExternalAccountRequiredError extends AcmeProblemError {
  constructor(problem: AcmeProblem, options?: ProblemErrorOptions) {
    super(problem, options);
    this.name = 'AcmeExternalAccountRequiredError';
  }
}

/** The client lacks authorization (wrong account, deactivated account, failed validation). */
export class AcmeUnauthorizedError extends AcmeProblemError {
  constructor(problem: AcmeProblem, options?: ProblemErrorOptions) {
    super(problem, options);
    this.name = 'AcmeUnauthorizedError';
  }
}

/** RFC 8555 §7.4: finalize was sent before the order was `ready`; poll the order, then finalize. */
export class AcmeOrderNotReadyError extends AcmeProblemError {
  constructor(problem: AcmeProblem, options?: ProblemErrorOptions) {
    super(problem, options);
    this.name = 'AcmeOrderNotReadyError';
  }
}

/** RFC 8555 §7.3.1: `onlyReturnExisting` found no account for this key. */
export class AcmeAccountDoesNotExistError extends AcmeProblemError {
  constructor(problem: AcmeProblem, options?: ProblemErrorOptions) {
    super(problem, options);
    this.name = 'AcmeAccountDoesNotExistError';
  }
}

/** The CA's internal error (`serverInternal`); transient, retried by the state machine. */
export class AcmeServerInternalError extends AcmeProblemError {
  constructor(problem: AcmeProblem, options?: ProblemErrorOptions) {
    super(problem, options);
    this.name = 'AcmeServerInternalError';
  }
}

/** Subclass by short problem type: the one place where problems are mapped to errors. */
const PROBLEM_CLASSES: Record<string, new (p: AcmeProblem, o?: ProblemErrorOptions) => AcmeProblemError> = {
  badNonce: AcmeBadNonceError,
  rateLimited: AcmeRateLimitedError,
  alreadyReplaced: AcmeAlreadyReplacedError,
  externalAccountRequired: AcmeExternalAccountRequiredError,
  unauthorized: AcmeUnauthorizedError,
  orderNotReady: AcmeOrderNotReadyError,
  accountDoesNotExist: AcmeAccountDoesNotExistError,
  serverInternal: AcmeServerInternalError,
};

/** Builds the typed error for a problem document. */
export function problemError(problem: AcmeProblem, options?: ProblemErrorOptions): AcmeProblemError {
  const Cls = PROBLEM_CLASSES[shortProblemType(problem.type)] ?? AcmeProblemError;
  return new Cls(problem, options);
}

/** The CA answered with an HTTP error that is not an ACME problem (an HTML 502 page from a proxy, say). */
export class AcmeHttpError extends AcmeError {
  readonly status: number;
  readonly contentType: string | undefined;
  /** The first few hundred characters of the body, for diagnosis. */
  readonly bodySnippet: string;
  readonly retryAfterSeconds: number | undefined;
  constructor(url: string, status: number, contentType: string | undefined, body: string, retryAfterSeconds?: number) {
    const snippet = sanitizeDisplayText(body.slice(0, 4000), 300);
    super(`HTTP ${status} from ${url} (${contentType ?? 'no content type'}), not an ACME problem document: ${snippet || '(empty body)'}`, { url });
    this.name = 'AcmeHttpError';
    this.status = status;
    this.contentType = contentType;
    this.bodySnippet = snippet;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A success response whose body is not what RFC 8555 says it must be (invalid JSON, missing field). */
export class AcmeInvalidResponseError extends AcmeError {
  readonly status: number | undefined;
  constructor(url: string, reason: string, options: { status?: number; cause?: unknown } = {}) {
    super(`Invalid response from ${url}${options.status === undefined ? '' : ` (HTTP ${options.status})`}: ${reason}`, { url, cause: options.cause });
    this.name = 'AcmeInvalidResponseError';
    this.status = options.status;
  }
}

/** The request did not complete within the client timeout. */
export class AcmeTimeoutError extends AcmeError {
  readonly timeoutMs: number;
  constructor(url: string, timeoutMs: number, options: { cause?: unknown } = {}) {
    super(`No response from ${url} within ${timeoutMs} ms. The CA may be down or slow; the request is safe to retry.`, { url, cause: options.cause });
    this.name = 'AcmeTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The TLS handshake failed: the CA's certificate is not trusted, expired, or for another name. */
export class AcmeTlsError extends AcmeError {
  readonly code: string | undefined;
  constructor(url: string, code: string | undefined, options: { cause?: unknown } = {}) {
    super(
      `TLS connection to ${url} failed${code ? ` (${code})` : ''}. Check the directory URL; for a private CA, ` +
        `make Node trust its root (NODE_EXTRA_CA_CERTS=/path/to/root.pem).`,
      { url, cause: options.cause },
    );
    this.name = 'AcmeTlsError';
    this.code = code;
  }
}

/** The connection failed before any HTTP response (refused, reset, DNS lookup failed). */
export class AcmeNetworkError extends AcmeError {
  readonly code: string | undefined;
  constructor(url: string, code: string | undefined, options: { cause?: unknown } = {}) {
    super(`Could not reach ${url}${code ? ` (${code})` : ''}. Check the directory URL and the network; the request is safe to retry.`, {
      url,
      cause: options.cause,
    });
    this.name = 'AcmeNetworkError';
    this.code = code;
  }
}

/**
 * RFC 8555 §6.1: ACME runs over HTTPS only. Raised before anything is sent to a `http:` (or any
 * other non-https) URL: a directory given so, or one the CA handed back (a directory entry, an
 * order's authorization, a `Location`), since signed requests would otherwise travel in clear text.
 */
export class AcmeInsecureUrlError extends AcmeError {
  constructor(url: string, where: string) {
    super(`Refusing ${where} ${sanitizeDisplayText(url, 300)}: ACME is spoken over https only (RFC 8555 §6.1).`, { url });
    this.name = 'AcmeInsecureUrlError';
  }
}

/** The CA's answer was larger than any ACME answer of its kind can be; reading stopped at the limit. */
export class AcmeResponseTooLargeError extends AcmeError {
  readonly limitBytes: number;
  constructor(url: string, limitBytes: number, options: { cause?: unknown } = {}) {
    super(`The answer from ${url} is larger than ${limitBytes} bytes, more than an ACME answer of its kind can be; stopped reading it.`, { url, cause: options.cause });
    this.name = 'AcmeResponseTooLargeError';
    this.limitBytes = limitBytes;
  }
}

/** The client refused to go on: the caller's input or the CA's answer breaks an RFC rule. */
export class AcmeClientError extends AcmeError {
  constructor(message: string, options: { url?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'AcmeClientError';
  }
}

/**
 * A required profile (draft-ietf-acme-profiles §3) that the CA's directory does not list: refused
 * before any order, since an order without it would give a certificate of another kind.
 */
export class AcmeProfileNotOfferedError extends AcmeError {
  readonly profile: string;
  /** The profiles the directory lists (`meta.profiles`), empty when it lists none. */
  readonly offered: readonly string[];
  constructor(url: string, profile: string, rawOffered: readonly string[]) {
    const offered = rawOffered.slice(0, 20).map((name) => sanitizeDisplayText(String(name), 60));
    super(
      `The CA at ${url} does not offer the required profile "${profile}"; ${offered.length > 0 ? `it offers: ${offered.join(', ')}` : 'it lists no profiles at all'}. ` +
        "Require one of those, make the profile preferred instead (it falls back to the CA's default), or use a CA that offers it.",
      { url },
    );
    this.name = 'AcmeProfileNotOfferedError';
    this.profile = profile;
    this.offered = offered;
  }
}

/** RFC 8555 §7.4: the order the CA created does not cover exactly the identifiers we asked for. */
export class AcmeIdentifierMismatchError extends AcmeError {
  readonly requested: readonly string[];
  readonly received: readonly string[];
  constructor(url: string, requested: readonly string[], rawReceived: readonly string[]) {
    // What the CA listed is its text: at most as many as an order holds, each sanitised.
    const received = rawReceived.slice(0, MAX_SUBPROBLEMS).map((value) => sanitizeDisplayText(String(value), 300));
    super(`The CA's order at ${url} covers [${received.join(', ')}] but [${requested.join(', ')}] was asked for; refusing to use it.`, { url });
    this.name = 'AcmeIdentifierMismatchError';
    this.requested = requested;
    this.received = received;
  }
}

/** The authorization offers no challenge of the type we can solve (acmeflow solves dns-01 only). */
export class AcmeChallengeUnavailableError extends AcmeError {
  readonly identifier: string;
  readonly offered: readonly string[];
  constructor(url: string, rawIdentifier: string, wanted: string, rawOffered: readonly string[]) {
    // The identifier and the types come from the CA's authorization: sanitised before they are shown.
    const identifier = sanitizeDisplayText(String(rawIdentifier), 300);
    const offered = rawOffered.slice(0, 20).map((type) => sanitizeDisplayText(String(type), 50));
    super(`The CA offers no ${wanted} challenge for ${identifier} (offered: ${offered.join(', ') || 'none'}); acmeflow validates with dns-01 only.`, { url });
    this.name = 'AcmeChallengeUnavailableError';
    this.identifier = identifier;
    this.offered = offered;
  }
}

/** Where EAB credentials came from: a Secrets Manager secret (AWS), a file (local engine), or the command line. */
export type EabCredentialsSource = 'secret' | 'file' | 'flags';

const EAB_SHAPE = '{"kid":"<key id>","hmacKey":"<base64url or base64 HMAC key>","algorithm":"HS256"} (algorithm optional)';

/**
 * The External Account Binding credentials are missing, unreadable or not `{ kid, hmacKey, algorithm? }`
 * (RFC 8555 §7.3.4). The message names the source and the fix, never the HMAC key.
 */
export class EabCredentialsError extends Error {
  readonly source: EabCredentialsSource;
  /** The secret's name or ARN (the lineage's `ca.eabRef`), the file's path, or `command line`. */
  readonly ref: string;
  /** The member at fault, when the problem is one member. */
  readonly field: 'kid' | 'hmacKey' | 'algorithm' | undefined;
  constructor(source: EabCredentialsSource, ref: string, problem: string, options: { field?: 'kid' | 'hmacKey' | 'algorithm'; cause?: unknown } = {}) {
    const fix =
      source === 'secret'
        ? `The EAB secret "${ref}" ${problem}. Store the CA's External Account Binding as a Secrets Manager secret whose SecretString is JSON ${EAB_SHAPE}.`
        : source === 'file'
          ? `The EAB credentials file ${ref} ${problem}. It must hold JSON ${EAB_SHAPE} (mode 0600).`
          : `The External Account Binding given on the ${ref} ${problem}. Give --eab-kid and --eab-hmac-key as the CA portal shows them.`;
    super(fix, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EabCredentialsError';
    this.source = source;
    this.ref = ref;
    this.field = options.field;
  }
}
