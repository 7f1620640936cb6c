import { StoreError } from '../errors.js';
import { slotOrder, type OrderSlotHandle, type OrderSlots } from '../order-slots.js';

/**
 * The {@link OrderSlots} in memory, for one process: the local engine's runs and the tests. Keeps
 * every rule of the port (leases, takeover of an expired one, release only by the holder).
 *
 * @example
 * ```ts
 * const slots = new MemoryOrderSlots(2);
 * const held = await slots.acquire({ owner: 'run-1', leaseSeconds: 3600 }); // { slot: …, token: '1', … }
 * ```
 */
export class MemoryOrderSlots implements OrderSlots {
  readonly capacity: number;
  readonly #held = new Map<number, OrderSlotHandle>();
  readonly #now: () => Date;
  #tokens = 0;

  constructor(capacity: number, now: () => Date = () => new Date()) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new StoreError(`An order-slot semaphore needs a capacity of at least 1, not ${String(capacity)}.`);
    this.capacity = capacity;
    this.#now = now;
  }

  async acquire(options: { readonly owner: string; readonly leaseSeconds: number }): Promise<OrderSlotHandle | undefined> {
    const now = this.#now().getTime();
    for (const slot of slotOrder(options.owner, this.capacity)) {
      const holder = this.#held.get(slot);
      if (holder && holder.owner !== options.owner && Date.parse(holder.expiresAt) > now) continue;
      const handle: OrderSlotHandle = { slot, owner: options.owner, expiresAt: new Date(now + options.leaseSeconds * 1000).toISOString(), token: String(++this.#tokens) };
      this.#held.set(slot, handle);
      return handle;
    }
    return undefined;
  }

  async release(handle: OrderSlotHandle): Promise<void> {
    if (this.#held.get(handle.slot)?.token === handle.token) this.#held.delete(handle.slot);
  }

  /** Slots held under an unexpired lease now. */
  inUse(): number {
    const now = this.#now().getTime();
    return [...this.#held.values()].filter((h) => Date.parse(h.expiresAt) > now).length;
  }
}
