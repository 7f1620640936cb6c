/**
 * ACME resources as plain JSON (RFC 8555 §7.1). Every type here survives `JSON.parse(JSON.stringify(x))`,
 * so it can cross a Step Functions state; URLs are ordinary fields (a later step finds the order by its URL).
 */
import type { AcmeProblem } from './errors.js';

/** RFC 8555 §7.1.1, with RFC 9773 `renewalInfo` and the `profiles` meta field of the ACME profiles draft. */
export interface Directory {
  readonly newNonce: string;
  readonly newAccount: string;
  readonly newOrder: string;
  readonly revokeCert: string;
  readonly keyChange: string;
  readonly newAuthz?: string;
  readonly renewalInfo?: string;
  readonly meta?: DirectoryMeta;
}

export interface DirectoryMeta {
  readonly termsOfService?: string;
  readonly website?: string;
  readonly caaIdentities?: readonly string[];
  readonly externalAccountRequired?: boolean;
  /** Profile name → human description. */
  readonly profiles?: Readonly<Record<string, string>>;
}

/** RFC 8555 §9.7.7: only `dns` identifiers are issued by acmeflow. */
export interface Identifier {
  readonly type: 'dns' | (string & {});
  readonly value: string;
}

export type AccountStatus = 'valid' | 'deactivated' | 'revoked';

/** RFC 8555 §7.1.2, plus the account URL from the `Location` header. */
export interface AccountResource {
  readonly url: string;
  readonly status: AccountStatus;
  readonly contact?: readonly string[];
  readonly termsOfServiceAgreed?: boolean;
  readonly orders?: string;
  /** True when newAccount created it (201), false when it already existed (200). */
  readonly created?: boolean;
}

export type OrderStatus = 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';

/** RFC 8555 §7.1.3, plus the order URL from the `Location` header. */
export interface Order {
  readonly url: string;
  readonly status: OrderStatus;
  readonly expires?: string;
  readonly identifiers: readonly Identifier[];
  readonly notBefore?: string;
  readonly notAfter?: string;
  readonly error?: AcmeProblem;
  readonly authorizations: readonly string[];
  readonly finalize: string;
  readonly certificate?: string;
  /** RFC 9773 §5. */
  readonly replaces?: string;
  readonly profile?: string;
}

export type AuthorizationStatus = 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';

/** RFC 8555 §7.1.4, plus its URL. */
export interface Authorization {
  readonly url: string;
  readonly identifier: Identifier;
  readonly status: AuthorizationStatus;
  readonly expires?: string;
  readonly challenges: readonly Challenge[];
  readonly wildcard?: boolean;
}

export type ChallengeStatus = 'pending' | 'processing' | 'valid' | 'invalid';

/** RFC 8555 §7.1.5 / §8. */
export interface Challenge {
  readonly type: string;
  readonly url: string;
  readonly status: ChallengeStatus;
  readonly token?: string;
  readonly validated?: string;
  readonly error?: AcmeProblem;
}

/** A polled resource and how long the server asked us to wait before asking again. */
export interface Polled<T> {
  readonly resource: T;
  /** Seconds from `Retry-After` (clamped), or undefined when the server gave none. */
  readonly retryAfterSeconds: number | undefined;
}

/** RFC 9773 §4.2. */
export interface RenewalInfo {
  readonly suggestedWindow: { readonly start: string; readonly end: string };
  readonly explanationURL?: string;
  /** Seconds until the client should ask again (`Retry-After`, clamped; RFC 9773 §4.3 suggests 6 h when absent). */
  readonly retryAfterSeconds: number;
}

/** RFC 5280 §5.3.1 CRLReason codes a client may ask for (RFC 8555 §7.6). */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
} as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;
