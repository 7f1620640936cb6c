import { LineageLockedError, StoreError } from '../errors.js';
import type { LineageLock, LockHandle } from '../lineage-lock.js';
import { BucketObjects, type WriteCondition } from './bucket-objects.js';
import { assertLineageName } from './lineage-name.js';
import { s3ObjectKeys } from './object-keys.js';
import { isConditionalConflict, isNoSuchKey, isPreconditionFailed } from './s3-error-kind.js';
import type { S3StoreOptions } from './s3-store-options.js';

/** Options of {@link S3LineageLock}. */
export interface S3LineageLockOptions extends S3StoreOptions {
  /** The clock leases are measured with. @default () => new Date() */
  readonly now?: () => Date;
}

/** `locks/<name>.json`: who holds the lease and until when. */
interface Lease {
  readonly lineage: string;
  readonly owner: string;
  readonly expiresAt: string;
}

// Each round either writes or observes a write by someone else, so a few rounds settle any race.
const MAX_ROUNDS = 5;

/**
 * The {@link LineageLock} on Amazon S3: the lease is the object `locks/<name>.json` holding
 * `{ lineage, owner, expiresAt }`.
 *
 * - `acquire` creates it with `If-None-Match: *`, so exactly one of two racing runs succeeds. When it
 *   exists and its lease is unexpired, another owner gets {@link LineageLockedError}; the same owner
 *   (a retried step of the run holding it) takes it back with a fresh lease. An expired lease, or a
 *   lock object that is not a lease (no run could ever release it), is taken over with `If-Match:
 *   <its ETag>`, so of two runs taking over the same expired lease only one wins.
 * - The handle's `token` is the ETag of the lease written; `release` deletes the object only while
 *   that ETag is still current: a HEAD first (no delete when someone else's lease is there), then
 *   DeleteObject with `If-Match` (real S3 honours it on general purpose buckets since 2024 and
 *   answers 412 otherwise). On a server that ignores `If-Match` on DELETE (s3rver) a lease taken over
 *   between the HEAD and the DELETE would be deleted: a window of one round trip, reachable only by a
 *   holder that outlived its own lease.
 *
 * Lease times are compared with this process's clock, so leases should be much longer than clock skew.
 *
 * @example
 * ```ts
 * const lock = new S3LineageLock({ bucket: 'acmeflow-certificates-123456789012' });
 * const handle = await lock.acquire('example.com', { owner: executionArn, leaseSeconds: 3600 });
 * try {
 *   // check again, issue, store
 * } finally {
 *   await lock.release(handle);
 * }
 * ```
 */
export class S3LineageLock implements LineageLock {
  readonly #objects: BucketObjects;
  readonly #now: () => Date;

  constructor(options: S3LineageLockOptions) {
    this.#objects = new BucketObjects(options);
    this.#now = options.now ?? (() => new Date());
  }

  async acquire(lineage: string, options: { owner: string; leaseSeconds: number }): Promise<LockHandle> {
    assertLineageName(lineage);
    if (!(options.leaseSeconds > 0) || !Number.isFinite(options.leaseSeconds)) {
      throw new StoreError(`The lease of the lock on "${lineage}" must last a positive number of seconds, not ${String(options.leaseSeconds)}.`);
    }
    if (options.owner === '') throw new StoreError(`The lock on "${lineage}" needs an owner (the run's id).`);
    const key = s3ObjectKeys.lock(lineage);
    let condition: WriteCondition = { ifNoneMatch: '*' };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const lease: Lease = {
        lineage,
        owner: options.owner,
        expiresAt: new Date(this.#now().getTime() + options.leaseSeconds * 1000).toISOString(),
      };
      try {
        const etag = await this.#objects.put(key, `${JSON.stringify(lease)}\n`, 'application/json', condition);
        return { lineage, owner: lease.owner, expiresAt: lease.expiresAt, token: etag };
      } catch (error) {
        // 412: created or replaced since we looked; 404 on If-Match: released since; 409: a racing
        // write still settling. Each time: look again.
        if (!isPreconditionFailed(error) && !isNoSuchKey(error) && !isConditionalConflict(error)) throw error;
      }
      const held = await this.#objects.get(key);
      if (held === undefined) {
        condition = { ifNoneMatch: '*' };
        continue;
      }
      const holder = parseLease(held.body);
      if (holder !== undefined && holder.owner !== options.owner && Date.parse(holder.expiresAt) > this.#now().getTime()) {
        throw new LineageLockedError(lineage, holder.owner, holder.expiresAt);
      }
      condition = { ifMatch: held.etag };
    }
    throw new LineageLockedError(lineage);
  }

  async release(handle: LockHandle): Promise<void> {
    assertLineageName(handle.lineage);
    const key = s3ObjectKeys.lock(handle.lineage);
    // Not ours any more (taken over after our lease expired, or released already): leave it alone.
    if ((await this.#objects.etag(key)) !== handle.token) return;
    try {
      await this.#objects.delete(key, handle.token);
    } catch (error) {
      if (isPreconditionFailed(error) || isConditionalConflict(error)) return;
      throw error;
    }
  }
}

function parseLease(body: string): Lease | undefined {
  try {
    const value = JSON.parse(body) as Partial<Lease> | null;
    if (typeof value?.owner === 'string' && typeof value.expiresAt === 'string' && !Number.isNaN(Date.parse(value.expiresAt))) {
      return value as Lease;
    }
  } catch {
    // Not a lease: treated as expired below.
  }
  return undefined;
}
