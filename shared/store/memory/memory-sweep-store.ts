import type { SweepItem, SweepItemResult, SweepResultsRef, SweepStore } from '../sweep-store.js';

/**
 * A {@link SweepStore} in memory, for the local engine, whose map stand-in hands the results over
 * inline as `{ items }`. Plans are kept by sweep id under the same key shape as S3. It keeps no
 * planning index: the engine builds a store per run, and an index forgotten after each run would
 * also forget the ARI choice, which planning without an index keeps on the lineage.
 *
 * @example
 * ```ts
 * const sweeps = new MemorySweepStore();
 * const key = await sweeps.putPlan('s1', [{ lineage: 'a', expectedVersion: 1, force: false, dryRun: false }]);
 * sweeps.plan('s1'); // the items
 * ```
 */
export class MemorySweepStore implements SweepStore {
  readonly #plans = new Map<string, SweepItem[]>();

  async putPlan(sweepId: string, items: readonly SweepItem[]): Promise<string> {
    this.#plans.set(sweepId, items.map((item) => ({ ...item })));
    return `sweeps/${sweepId}/plan.json`;
  }

  /** The plan written for a sweep, or undefined. */
  plan(sweepId: string): SweepItem[] | undefined {
    const plan = this.#plans.get(sweepId);
    return plan?.map((item) => ({ ...item }));
  }

  /** Inline results only (`{ items }`); ResultWriter manifests are in S3 (S3SweepStore). */
  async readResults(results: SweepResultsRef): Promise<SweepItemResult[]> {
    if (!('items' in results)) {
      throw new TypeError('MemorySweepStore reads inline results ({ items }) only; ResultWriter manifests are in S3 (S3SweepStore).');
    }
    return results.items.map((item) => ({ ...item }));
  }
}
