import { StoreError } from '../errors.js';
import { slotOrder, type OrderSlotHandle, type OrderSlots } from '../order-slots.js';
import { BucketObjects, type WriteCondition } from './bucket-objects.js';
import { isConditionalConflict, isNoSuchKey, isPreconditionFailed } from './s3-error-kind.js';
import type { S3StoreOptions } from './s3-store-options.js';

/** Options of {@link S3OrderSlots}. */
export interface S3OrderSlotsOptions extends S3StoreOptions {
  /** How many orders the issuer may have in flight at once (the construct's `sweepConcurrency`). */
  readonly capacity: number;
  /** The clock leases are measured with. @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * `locks/order-slots/<n>.json`. A lineage lock is `locks/<name>.json` and a lineage name holds no
 * `/`, so the two never meet; the functions that take lineage locks may take slots with the same grant.
 */
export const ORDER_SLOTS_PREFIX = 'locks/order-slots/';

interface SlotLease {
  readonly slot: number;
  readonly owner: string;
  readonly expiresAt: string;
}

/**
 * The {@link OrderSlots} on Amazon S3: slot `n` is the object `locks/order-slots/<n>.json` holding
 * `{ slot, owner, expiresAt }`, written as the lineage lock writes its lease (`S3LineageLock`):
 * created with `If-None-Match: *`, an expired lease taken over with `If-Match: <its ETag>`, released
 * by a conditional delete of the ETag written.
 *
 * `acquire` lists the prefix first (one request): a slot with no object is tried at once; a slot
 * whose object was written less than `leaseSeconds` ago is held (its lease cannot have expired yet)
 * and costs no request; only an older one is read to see whether its lease ran out. So an issuance
 * that finds every slot busy, and waits in its state machine's retry, pays one LIST per attempt
 * whatever the capacity.
 *
 * @example
 * ```ts
 * const slots = new S3OrderSlots({ bucket: 'acmeflow-certificates-123456789012', capacity: 10 });
 * const held = await slots.acquire({ owner: executionName, leaseSeconds: 3600 });
 * if (!held) throw new OrderSlotsBusyError(slots.capacity); // the state machine retries later
 * ```
 */
export class S3OrderSlots implements OrderSlots {
  readonly capacity: number;
  readonly #objects: BucketObjects;
  readonly #now: () => Date;

  constructor(options: S3OrderSlotsOptions) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new StoreError(`An order-slot semaphore needs a capacity of at least 1, not ${String(options.capacity)}.`);
    }
    this.capacity = options.capacity;
    this.#objects = new BucketObjects(options);
    this.#now = options.now ?? (() => new Date());
  }

  async acquire(options: { readonly owner: string; readonly leaseSeconds: number }): Promise<OrderSlotHandle | undefined> {
    if (!(options.leaseSeconds > 0) || !Number.isFinite(options.leaseSeconds)) {
      throw new StoreError(`The lease of an order slot must last a positive number of seconds, not ${String(options.leaseSeconds)}.`);
    }
    if (options.owner === '') throw new StoreError('An order slot needs an owner (the run id).');
    const written = await this.#writtenAt();
    const now = this.#now().getTime();
    for (const slot of slotOrder(options.owner, this.capacity)) {
      const key = slotKey(slot);
      const at = written.get(key);
      let condition: WriteCondition;
      if (at === undefined) {
        condition = { ifNoneMatch: '*' };
      } else {
        // Written less than a lease ago: whoever wrote it holds it still (this owner's own earlier
        // attempt included; its lease expires on its own).
        if (at + options.leaseSeconds * 1000 > now) continue;
        const held = await this.#objects.get(key);
        if (held === undefined) {
          condition = { ifNoneMatch: '*' };
        } else {
          const holder = parseLease(held.body);
          if (holder && holder.owner !== options.owner && Date.parse(holder.expiresAt) > now) continue;
          condition = { ifMatch: held.etag };
        }
      }
      const lease: SlotLease = { slot, owner: options.owner, expiresAt: new Date(now + options.leaseSeconds * 1000).toISOString() };
      try {
        const etag = await this.#objects.put(key, `${JSON.stringify(lease)}\n`, 'application/json', condition);
        return { ...lease, token: etag };
      } catch (error) {
        // Another owner wrote or released it meanwhile: try the next slot.
        if (!isPreconditionFailed(error) && !isNoSuchKey(error) && !isConditionalConflict(error)) throw error;
      }
    }
    return undefined;
  }

  async release(handle: OrderSlotHandle): Promise<void> {
    const key = slotKey(handle.slot);
    if ((await this.#objects.etag(key)) !== handle.token) return;
    try {
      await this.#objects.delete(key, handle.token);
    } catch (error) {
      if (isPreconditionFailed(error) || isConditionalConflict(error)) return;
      throw error;
    }
  }

  /** When each slot object present was last written (ms), from one listing. */
  async #writtenAt(): Promise<Map<string, number>> {
    const written = new Map<string, number>();
    let continuationToken: string | undefined;
    do {
      const page = await this.#objects.list({ prefix: ORDER_SLOTS_PREFIX, ...(continuationToken ? { continuationToken } : {}) });
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) written.set(object.Key, object.LastModified?.getTime() ?? 0);
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
    return written;
  }
}

function slotKey(slot: number): string {
  return `${ORDER_SLOTS_PREFIX}${slot}.json`;
}

function parseLease(body: string): SlotLease | undefined {
  try {
    const value = JSON.parse(body) as Partial<SlotLease> | null;
    if (typeof value?.owner === 'string' && typeof value.expiresAt === 'string' && !Number.isNaN(Date.parse(value.expiresAt))) return value as SlotLease;
  } catch {
    // Not a lease: taken over below, as an expired one would be.
  }
  return undefined;
}
