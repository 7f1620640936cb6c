/**
 * A per-lineage lock with a lease, so that two runs never issue the same lineage at once
 * (an S3 object written with `If-None-Match: *` in AWS, a lock file locally).
 *
 * Rules: `acquire` returns a handle, or throws `LineageLockedError` while another owner's unexpired
 * lease exists; an expired lease may be taken over (its holder crashed); the same owner acquiring
 * again gets a renewed lease (owner = the execution, so that is a retried step of the same run). `release` with a handle that no
 * longer holds the lock is a no-op. Callers check, lock, and check again before issuing.
 */
export interface LineageLock {
  acquire(lineage: string, options: { owner: string; leaseSeconds: number }): Promise<LockHandle>;
  release(handle: LockHandle): Promise<void>;
}

export interface LockHandle {
  readonly lineage: string;
  readonly owner: string;
  readonly expiresAt: string;
  /** Adapter data needed to release exactly this lease (an ETag, a file token). */
  readonly token: string;
}
