/**
 * The transport context of the ACME layer: which CA, how to fetch, and the nonces held.
 *
 * It holds no account: every operation takes the account it acts for, so one context
 * may serve many accounts and every function's effect is visible in its arguments. Nonces are
 * transport state (RFC 8555 §7.2): each response's `Replay-Nonce` is kept for the next request, and
 * `newNonce` is asked only when none is held.
 */

import { defaultHttpTransport, fetchTransport, type FetchFunction, type HttpTransport } from '../http/index.js';

export type { FetchFunction } from '../http/index.js';

export interface AcmeContextOptions {
  /** The CA's directory URL (RFC 8555 §7.1.1). */
  readonly directoryUrl: string;
  /** How requests are sent. @default the process's {@link defaultHttpTransport} (node:http/https, keep-alive) */
  readonly transport?: HttpTransport;
  /** A fetch to send requests with instead (a test's fetch that trusts a private CA, a proxy-aware fetch); ignored when `transport` is given. */
  readonly fetch?: FetchFunction;
  /** Per-request timeout. @default 30000 */
  readonly timeoutMs?: number;
  /**
   * How many times a request is re-signed after `badNonce` (RFC 8555 §6.5). A rejected nonce costs one
   * round trip and the answer carries a fresh one, so the bound is generous: a CA rejecting half of all
   * nonces fails a request here once in 2^33. @default 32
   */
  readonly maxBadNonceRetries?: number;
  /** RFC 8555 §6.1 asks clients to send a User-Agent. @default 'acmeflow/<version>' */
  readonly userAgent?: string;
  /** Injected clock, for `Retry-After` dates. @default () => new Date() */
  readonly now?: () => Date;
}

export interface AcmeContext {
  readonly directoryUrl: string;
  readonly send: HttpTransport;
  readonly timeoutMs: number;
  readonly maxBadNonceRetries: number;
  readonly userAgent: string;
  readonly now: () => Date;
  /** Nonces received and not used yet; newest last. */
  readonly nonces: string[];
}

export const ACMEFLOW_USER_AGENT = 'acmeflow/0.1 (+https://github.com/acmeflow/acmeflow)';

/**
 * Creates a context for one CA.
 *
 * @example
 * const ctx = createAcmeContext({ directoryUrl: 'https://acme-v02.api.letsencrypt.org/directory' });
 * const dir = await getDirectory(ctx);
 */
export function createAcmeContext(options: AcmeContextOptions): AcmeContext {
  return {
    directoryUrl: options.directoryUrl,
    send: options.transport ?? (options.fetch ? fetchTransport(options.fetch) : defaultHttpTransport()),
    timeoutMs: options.timeoutMs ?? 30_000,
    maxBadNonceRetries: options.maxBadNonceRetries ?? 32,
    userAgent: options.userAgent ?? ACMEFLOW_USER_AGENT,
    now: options.now ?? (() => new Date()),
    nonces: [],
  };
}
