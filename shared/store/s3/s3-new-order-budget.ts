import { createHash } from 'node:crypto';
import type { NewOrderLimit } from '../../config/ca-presets.js';
import { StoreError } from '../errors.js';
import { takeFrom, type BudgetAnswer, type BudgetState, type NewOrderBudget } from '../new-order-budget.js';
import { BucketObjects, type WriteCondition } from './bucket-objects.js';
import { isConditionalConflict, isNoSuchKey, isPreconditionFailed } from './s3-error-kind.js';
import type { S3StoreOptions } from './s3-store-options.js';

/** Options of {@link S3NewOrderBudget}. */
export interface S3NewOrderBudgetOptions extends S3StoreOptions {
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** `locks/order-budget/<sha256(account URL), 32 hex>.json`: one object per ACME account, beside the locks (the same grant). */
export const ORDER_BUDGET_PREFIX = 'locks/order-budget/';

// Each round either writes or sees another writer's write; with a jittered pause between rounds
// (up to 25 ms × the round), fifty issuances of one account taking at once settle well within these.
const MAX_ROUNDS = 16;

/**
 * The {@link NewOrderBudget} on Amazon S3: the account's {@link BudgetState} in one object, changed
 * by read, decide ({@link takeFrom}), write with `If-Match: <ETag>` (`If-None-Match: *` for the
 * first), again on a 412 — so concurrent sweeps and deploys never count past the limit.
 *
 * @example
 * ```ts
 * const budget = new S3NewOrderBudget({ bucket: 'acmeflow-certificates-123456789012' });
 * const answer = await budget.take(account.url, newOrderLimitFor(directoryUrl)!);
 * ```
 */
export class S3NewOrderBudget implements NewOrderBudget {
  readonly #objects: BucketObjects;
  readonly #now: () => Date;

  constructor(options: S3NewOrderBudgetOptions) {
    this.#objects = new BucketObjects(options);
    this.#now = options.now ?? (() => new Date());
  }

  async take(account: string, limit: NewOrderLimit | undefined): Promise<BudgetAnswer> {
    return this.#update(account, (state) => {
      const { answer, next } = takeFrom(state, limit, this.#now().getTime());
      return { result: answer, ...(next ? { next } : {}) };
    });
  }

  async hold(account: string, until: Date): Promise<boolean> {
    return this.#update(account, (state) =>
      state.holdUntil !== undefined && Date.parse(state.holdUntil) >= until.getTime() ? { result: false } : { result: true, next: { ...state, holdUntil: until.toISOString() } },
    );
  }

  async #update<T>(account: string, change: (state: BudgetState) => { result: T; next?: BudgetState }): Promise<T> {
    const key = `${ORDER_BUDGET_PREFIX}${createHash('sha256').update(account).digest('hex').slice(0, 32)}.json`;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const held = await this.#objects.get(key);
      const { result, next } = change(held ? parseState(held.body) : { buckets: {} });
      if (!next) return result;
      const condition: WriteCondition = held ? { ifMatch: held.etag } : { ifNoneMatch: '*' };
      try {
        await this.#objects.put(key, `${JSON.stringify(next)}\n`, 'application/json', condition);
        return result;
      } catch (error) {
        if (!isPreconditionFailed(error) && !isNoSuchKey(error) && !isConditionalConflict(error)) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * (round + 1)));
    }
    throw new StoreError(`The new-order budget of an account changed under ${MAX_ROUNDS} writes in a row; try again.`);
  }
}

/** A damaged object counts as empty: the CA's own limit still stands behind it. */
function parseState(body: string): BudgetState {
  try {
    const value = JSON.parse(body) as Partial<BudgetState> | null;
    const buckets =
      value?.buckets && typeof value.buckets === 'object' ? Object.fromEntries(Object.entries(value.buckets).filter(([k, v]) => /^\d+$/.test(k) && typeof v === 'number')) : {};
    return { buckets, ...(typeof value?.holdUntil === 'string' ? { holdUntil: value.holdUntil } : {}) };
  } catch {
    return { buckets: {} };
  }
}
