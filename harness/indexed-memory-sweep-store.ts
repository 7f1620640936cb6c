import { PlanningIndexConflictError, PlanningIndexFormatError } from '../shared/store/errors.js';
import { MemorySweepStore } from '../shared/store/memory/memory-sweep-store.js';
import { planningIndexFrom, type PlanningIndex, type StoredPlanningIndex } from '../shared/store/sweep-store.js';

/**
 * A {@link MemorySweepStore} that also keeps the planning index, read through the same checks as
 * S3's (`planningIndexFrom`), with a counter as its ETag; for tests of the index.
 */
export class IndexedMemorySweepStore extends MemorySweepStore {
  /** The index as it would be stored (JSON text), and its tag. */
  #index: { body: string; etag: string } | undefined;
  #indexWrites = 0;

  async getPlanningIndex(): Promise<StoredPlanningIndex | undefined> {
    const stored = this.#index;
    if (!stored) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(stored.body) as unknown;
    } catch (error) {
      throw new PlanningIndexFormatError('(memory planning index)', 'its content is not JSON', { cause: error, etag: stored.etag });
    }
    const index = planningIndexFrom(value);
    if (!index) throw new PlanningIndexFormatError('(memory planning index)', 'not an acmeflow planning index of a known format', { etag: stored.etag });
    return { index, etag: stored.etag };
  }

  async putPlanningIndex(index: PlanningIndex, { expectedEtag }: { readonly expectedEtag: string | null }): Promise<{ etag: string }> {
    if ((this.#index?.etag ?? null) !== expectedEtag) throw new PlanningIndexConflictError();
    this.#index = { body: JSON.stringify(index), etag: `"index-${++this.#indexWrites}"` };
    return { etag: this.#index.etag };
  }

  /** The planning index as stored (parsed, unchecked), or undefined. */
  planningIndex(): PlanningIndex | undefined {
    return this.#index ? (JSON.parse(this.#index.body) as PlanningIndex) : undefined;
  }

  /** How many times the planning index was written. */
  get planningIndexWrites(): number {
    return this.#indexWrites;
  }

  /** Replaces the stored index text as is (a damaged or foreign index). */
  replacePlanningIndex(body: string | undefined): void {
    this.#index = body === undefined ? undefined : { body, etag: `"index-${++this.#indexWrites}"` };
  }
}
