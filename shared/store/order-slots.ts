/**
 * One cap on the orders an issuer has in flight, whichever sweep started them: a counting semaphore
 * of `capacity` slots, each a lease (an S3 object written with `If-None-Match: *` in AWS, memory in
 * tests). Two sweeps that meet (the scheduled one and a deploy-time one, or ten deploy-time sweeps of
 * a large first deploy) share the same slots, so the Distributed Map's `MaxConcurrency`, which caps
 * one sweep only, is no longer multiplied by the number of sweeps.
 *
 * Rules: `acquire` resolves a handle on a slot no other owner holds under an unexpired lease, or
 * `undefined` when every slot is held (it never waits: waiting is the state machine's retry). An
 * expired lease is taken over (its holder crashed); of two owners racing for one slot exactly one
 * gets it. `release` with a handle that no longer holds its slot (taken over, released already) is a
 * no-op. Leases should outlast an issuance's order phase; a holder that outlives its lease lets one
 * more order start, it never blocks the fleet.
 */
export interface OrderSlots {
  /** How many orders may be in flight at once. */
  readonly capacity: number;
  acquire(options: { readonly owner: string; readonly leaseSeconds: number }): Promise<OrderSlotHandle | undefined>;
  release(handle: OrderSlotHandle): Promise<void>;
}

/** A held slot: plain JSON, carried in the issuance state until CleanupRecords releases it. */
export interface OrderSlotHandle {
  readonly slot: number;
  readonly owner: string;
  readonly expiresAt: string;
  /** Adapter data needed to release exactly this lease (an ETag). */
  readonly token: string;
}

/**
 * The order in which an owner tries the slots: starting at a slot picked from its name, so that owners
 * racing at the same moment mostly try different slots first instead of all fighting over slot 0.
 *
 * @example
 * ```ts
 * slotOrder('sweep-1-example.com', 4); // e.g. [2, 3, 0, 1]
 * ```
 */
export function slotOrder(owner: string, capacity: number): number[] {
  let hash = 2166136261;
  for (let i = 0; i < owner.length; i++) hash = Math.imul(hash ^ owner.charCodeAt(i), 16777619) >>> 0;
  const start = hash % capacity;
  return Array.from({ length: capacity }, (_, i) => (start + i) % capacity);
}
