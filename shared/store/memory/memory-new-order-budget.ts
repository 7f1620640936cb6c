import type { NewOrderLimit } from '../../config/ca-presets.js';
import { takeFrom, type BudgetAnswer, type BudgetState, type NewOrderBudget } from '../new-order-budget.js';

/**
 * The {@link NewOrderBudget} in memory, for one process: the local engine's runs and the tests.
 *
 * @example
 * ```ts
 * const budget = new MemoryNewOrderBudget();
 * await budget.take('https://ca.test/acct/1', { orders: 300, windowSeconds: 10_800, ariRenewalsExempt: true }); // { granted: true }
 * ```
 */
export class MemoryNewOrderBudget implements NewOrderBudget {
  readonly #accounts = new Map<string, BudgetState>();
  readonly #now: () => Date;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  async take(account: string, limit: NewOrderLimit | undefined): Promise<BudgetAnswer> {
    const { answer, next } = takeFrom(this.#accounts.get(account) ?? { buckets: {} }, limit, this.#now().getTime());
    if (next) this.#accounts.set(account, next);
    return answer;
  }

  async hold(account: string, until: Date): Promise<boolean> {
    const state = this.#accounts.get(account) ?? { buckets: {} };
    if (state.holdUntil !== undefined && Date.parse(state.holdUntil) >= until.getTime()) return false;
    this.#accounts.set(account, { ...state, holdUntil: until.toISOString() });
    return true;
  }
}
