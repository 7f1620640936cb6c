import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LineageLockedError } from '../errors.js';
import type { LineageLock, LockHandle } from '../lineage-lock.js';
import { readTextIfExists, removeIfExists, writeFileAtomic } from './atomic-files.js';
import { CertbotLayout, checkLineageName } from './certbot-layout.js';
import { LockFileCorruptError } from './errors.js';
import { isProcessAlive, withGuardFile } from './guard-file.js';
import { ensurePrivateDirs } from './lineage-directories.js';

export interface FilesystemLineageLockOptions {
  /** certbot's `--config-dir`; locks go to `locks/<name>.lock` in it. */
  readonly configDir: string;
  /** The clock leases are measured with (injected, so tests need no waiting). @default () => new Date() */
  readonly now?: () => Date;
  /**
   * Whether a process of this host is still running. A lease held by a process that is gone (the
   * local engine was killed) is treated as expired, so a rerun need not wait out the lease.
   * @default signal 0 to the pid
   */
  readonly processAlive?: (pid: number) => boolean;
}

/** What a lock file holds. */
interface LockRecord {
  readonly lineage: string;
  readonly owner: string;
  readonly expiresAt: string;
  readonly token: string;
  /** The holding process and its host, so a lease of a dead local process can be taken over. */
  readonly pid?: number;
  readonly host?: string;
}

function parseRecord(text: string, path: string): LockRecord {
  try {
    const record = JSON.parse(text) as Partial<LockRecord>;
    if (typeof record.owner === 'string' && typeof record.expiresAt === 'string' && typeof record.token === 'string' && !Number.isNaN(Date.parse(record.expiresAt))) {
      return record as LockRecord;
    }
  } catch (error) {
    throw new LockFileCorruptError(path, { cause: error });
  }
  throw new LockFileCorruptError(path);
}

/**
 * {@link LineageLock} as one file per lineage, `locks/<name>.lock`, holding
 * `{ lineage, owner, expiresAt, token }`.
 *
 * - **acquire** writes the record to a temporary file and hard-links it to the lock name: the
 *   link fails if the name exists, exactly like `open(O_CREAT|O_EXCL)`, but the lock file never
 *   exists half written (an empty O_EXCL file left by a crash would block the lineage for good),
 *   and it works on NFS, where O_EXCL historically did not.
 * - An **expired** lease is taken over inside a short guard (`locks/<name>.lock.guard`): the file is
 *   read again, and only if it is still the same expired lease is a fresh file renamed over it.
 *   Release takes the same guard, so neither can act on a file the other just replaced.
 * - **release** removes the file only while it holds the handle's token; otherwise it does nothing.
 *
 * An unexpired lease of another owner blocks; the same owner (the same execution retrying a step)
 * renews its lease. A lease whose process is gone from this host counts as expired.
 *
 * @example
 * ```ts
 * const lock = new FilesystemLineageLock({ configDir: '/etc/letsencrypt' });
 * const handle = await lock.acquire('example.com', { owner: 'renew-2025-06-01T00:00Z', leaseSeconds: 900 });
 * try { ... } finally { await lock.release(handle); }
 * ```
 */
export class FilesystemLineageLock implements LineageLock {
  readonly layout: CertbotLayout;
  readonly #now: () => Date;
  readonly #processAlive: (pid: number) => boolean;

  constructor(options: FilesystemLineageLockOptions) {
    this.layout = new CertbotLayout(options.configDir);
    this.#now = options.now ?? (() => new Date());
    this.#processAlive = options.processAlive ?? isProcessAlive;
  }

  /** Held by another owner, unexpired, and (when on this host) by a process that still runs. */
  #blocks(held: LockRecord, owner: string): boolean {
    if (held.owner === owner) return false;
    if (Date.parse(held.expiresAt) <= this.#now().getTime()) return false;
    if (held.pid !== undefined && held.host === hostname() && !this.#processAlive(held.pid)) return false;
    return true;
  }

  async acquire(lineage: string, options: { owner: string; leaseSeconds: number }): Promise<LockHandle> {
    checkLineageName(lineage);
    if (!Number.isFinite(options.leaseSeconds) || options.leaseSeconds <= 0) throw new RangeError(`leaseSeconds must be positive, got ${options.leaseSeconds}`);
    const path = this.layout.lockFile(lineage);
    await ensurePrivateDirs(this.layout, this.layout.locksRoot);
    const handle: LockHandle = {
      lineage,
      owner: options.owner,
      expiresAt: new Date(this.#now().getTime() + options.leaseSeconds * 1000).toISOString(),
      token: randomUUID(),
    };
    const content = `${JSON.stringify({ lineage, owner: handle.owner, expiresAt: handle.expiresAt, token: handle.token, pid: process.pid, host: hostname() })}\n`;
    // A few rounds: the name may come free between our create and our read (a late release).
    for (let attempt = 0; attempt < 3; attempt++) {
      if ((await writeFileAtomic(path, content, { mode: 0o644, createOnly: true })) === 'written') return handle;
      const text = await readTextIfExists(path);
      if (text === undefined) continue; // released between our link and our read
      const held = parseRecord(text, path);
      if (this.#blocks(held, options.owner)) throw new LineageLockedError(lineage, held.owner, held.expiresAt);
      const taken = await withGuardFile(this.layout.guardFile(lineage, 'lock'), async () => {
        const again = await readTextIfExists(path);
        if (again === undefined) return false; // gone: try the plain create again
        if (again !== text) {
          const other = parseRecord(again, path);
          throw new LineageLockedError(lineage, other.owner, other.expiresAt);
        }
        // Still the same expired (or our own) lease, and nobody else may change it while we hold the guard.
        await writeFileAtomic(path, content, { mode: 0o644 });
        return true;
      });
      if (taken) return handle;
    }
    throw new LineageLockedError(lineage);
  }

  async release(handle: LockHandle): Promise<void> {
    checkLineageName(handle.lineage);
    const path = this.layout.lockFile(handle.lineage);
    if ((await readTextIfExists(path)) === undefined) return;
    await withGuardFile(this.layout.guardFile(handle.lineage, 'lock'), async () => {
      const text = await readTextIfExists(path);
      if (text === undefined) return;
      let held: LockRecord;
      try {
        held = parseRecord(text, path);
      } catch {
        return; // not ours, whatever it is
      }
      if (held.token === handle.token) await removeIfExists(path);
    });
  }
}

