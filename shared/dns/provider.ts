/**
 * The DNS provider port. Providers write fast and never wait (a Lambda is billed while it waits and
 * capped at 15 minutes; a Wait state is free): the state machine waits in a Wait state and asks
 * {@link DnsProvider.changeStatus} or the propagation checker.
 */

/** One TXT record set as a provider sees it: the final, delegated name and the values that belong to us. */
export interface TxtRecord {
  /** Fully qualified name without the trailing dot, e.g. `_acme-challenge.example.com`. */
  readonly name: string;
  /** The dns-01 values (RFC 8555 §8.4) we own at that name; a wildcard and its apex put two values here. */
  readonly values: readonly string[];
  /** TTL in seconds; providers use a short default (60) when absent. */
  readonly ttl?: number;
}

/**
 * Opaque handle for a change, returned by {@link DnsProvider.upsertTxt}. Plain JSON: it travels in
 * Step Functions state between the publish step and the check step.
 */
export interface ChangeRef {
  readonly provider: string;
  /** Provider-specific change id (Route 53 change id, ...); absent when the change is applied at once. */
  readonly id?: string;
  readonly [key: string]: unknown;
}

export type ChangeStatus = 'pending' | 'insync';

export interface DnsProvider {
  /** The provider code, as in its manifest (`route53`, `rfc2136`, ...). */
  readonly code: string;
  /**
   * Make every value in `record.values` present at `record.name`, keeping any value already there
   * (another order, another client). Idempotent: calling it twice converges to the same set.
   * Must not wait for propagation.
   */
  upsertTxt(record: TxtRecord): Promise<ChangeRef>;
  /**
   * Remove only `record.values` from `record.name`, leaving other values; a record or value that is
   * already gone is success, so cleanup can run again after a crash.
   */
  deleteTxt(record: TxtRecord): Promise<void>;
  /** Whether the change has reached all of the provider's authoritative servers (Route 53 `INSYNC`). */
  changeStatus?(ref: ChangeRef): Promise<ChangeStatus>;
}
