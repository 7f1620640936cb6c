import type { NewOrderLimit } from '../config/ca-presets.js';

/**
 * The CA's limit on new orders per ACME account, kept across every sweep and deploy of an issuer
 * (one count per account in the store, S3 in AWS), and the account's hold after the CA answered
 * `rateLimited` (RFC 8555 §6.6) with a Retry-After.
 *
 * Rules: `take` counts one new order against `limit` and resolves `{ granted: true }` (`limit`
 * undefined: an order that does not count, such as an ARI renewal the CA exempts: only the hold is
 * checked, nothing is written), or, when the
 * window's orders are used up or the account is on hold, `{ granted: false, retryAt }` without
 * counting. Concurrent takers never together exceed the limit within one counting bucket (a
 * conditional write per take). The window slides in thirds of it: orders older than the window stop
 * counting a third of a window late at most, so the count is conservative. `hold` records the
 * latest hold of the account and resolves `true` only for the call that set or extended it (so the
 * first run to meet the limit reports it, and the others stay quiet).
 */
export interface NewOrderBudget {
  take(account: string, limit: NewOrderLimit | undefined): Promise<BudgetAnswer>;
  hold(account: string, until: Date): Promise<boolean>;
}

export type BudgetAnswer = { readonly granted: true } | { readonly granted: false; readonly retryAt: string; readonly reason: 'limit' | 'hold' };

/** The counted state of one account: orders per bucket start (ms), and the hold. Plain JSON. */
export interface BudgetState {
  readonly buckets: Readonly<Record<string, number>>;
  readonly holdUntil?: string;
}

/**
 * The pure step both adapters share: `take` on a state at `now`, giving the answer and the state to
 * write (undefined: nothing to write).
 *
 * @example
 * ```ts
 * takeFrom({ buckets: {} }, { orders: 300, windowSeconds: 10_800, ariRenewalsExempt: true }, Date.now());
 * // { answer: { granted: true }, next: { buckets: { '…': 1 } } }
 * ```
 */
export function takeFrom(state: BudgetState, limit: NewOrderLimit | undefined, now: number): { answer: BudgetAnswer; next?: BudgetState } {
  const hold = state.holdUntil === undefined ? Number.NaN : Date.parse(state.holdUntil);
  if (hold > now) return { answer: { granted: false, retryAt: new Date(hold).toISOString(), reason: 'hold' } };
  if (!limit) return { answer: { granted: true } };
  const bucketMs = Math.max(1, Math.floor((limit.windowSeconds * 1000) / 3));
  const current = Math.floor(now / bucketMs) * bucketMs;
  // Buckets that may still hold an order placed within the window (the oldest one conservatively).
  const live = Object.entries(state.buckets).filter(([start]) => Number(start) > current - 3 * bucketMs);
  const used = live.reduce((sum, [, count]) => sum + count, 0);
  if (used >= limit.orders) {
    const oldest = Math.min(...live.map(([start]) => Number(start)));
    return { answer: { granted: false, retryAt: new Date(oldest + 3 * bucketMs).toISOString(), reason: 'limit' } };
  }
  const buckets = Object.fromEntries(live);
  buckets[String(current)] = (buckets[String(current)] ?? 0) + 1;
  return { answer: { granted: true }, next: { buckets } };
}
