import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorCode, readTextIfExists, removeIfExists, writeFileAtomic } from './atomic-files.js';
import { GuardTimeoutError } from './errors.js';

export interface GuardFileOptions {
  /** Give up after this long. @default 5000 */
  readonly timeoutMs?: number;
  /**
   * A guard older than this is from a process that died inside its critical section (which lasts
   * milliseconds) and is removed. @default 10000
   */
  readonly staleMs?: number;
  /** Whether a process of this host still runs. @default signal 0 to the pid */
  readonly processAlive?: (pid: number) => boolean;
}

/** Whether a process with this pid runs on this host (signal 0; EPERM means it runs as another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The guard's text when a process of this host wrote it and is gone (killed inside its section). */
async function leftByDeadProcess(path: string, processAlive: (pid: number) => boolean): Promise<string | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  try {
    const held = JSON.parse(text) as { pid?: unknown; host?: unknown };
    if (typeof held.pid === 'number' && held.host === hostname() && held.pid !== process.pid && !processAlive(held.pid)) return text;
  } catch {
    // Half written or foreign: only its age can tell.
  }
  return undefined;
}

/**
 * Runs `fn` while holding a tiny cross-process mutex: the file at `path`, created atomically only if
 * absent. POSIX has no compare-and-swap on file contents, so each read-compare-replace of a lineage's
 * conf or lock file runs inside one of these; the section is short (read, compare, rename), which
 * is what makes removing a guard older than `staleMs` safe. A guard whose process (on this host) is
 * gone is removed at once: a process killed inside the section must not block the next run for
 * `staleMs`, longer than it waits (`timeoutMs`).
 *
 * @example
 * ```ts
 * await withGuardFile('/etc/letsencrypt/locks/example.com.conf.guard', async () => {
 *   // read renewal/example.com.conf, compare its etag, rename the new one over it
 * });
 * ```
 */
export async function withGuardFile<T>(path: string, fn: () => Promise<T>, options: GuardFileOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const staleMs = options.staleMs ?? 10_000;
  const processAlive = options.processAlive ?? isProcessAlive;
  const token = randomUUID();
  const deadline = Date.now() + timeoutMs;
  let pause = 2;
  for (;;) {
    const outcome = await writeFileAtomic(path, `${JSON.stringify({ pid: process.pid, host: hostname(), token })}\n`, { mode: 0o600, createOnly: true });
    if (outcome === 'written') break;
    const dead = await leftByDeadProcess(path, processAlive);
    if (dead !== undefined) {
      // Remove it only if it is still that very guard (another waiter may have replaced it already).
      if ((await readTextIfExists(path)) === dead) await removeIfExists(path);
      continue;
    }
    const held = await stat(path).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    });
    if (held !== undefined && Date.now() - held.mtimeMs > staleMs) {
      await removeIfExists(path);
      continue;
    }
    if (Date.now() >= deadline) throw new GuardTimeoutError(path);
    await sleep(pause + Math.random() * pause);
    pause = Math.min(pause * 2, 50);
  }
  try {
    return await fn();
  } finally {
    // Remove only our own guard: if ours was judged stale and replaced, the new one is not ours.
    const current = await readTextIfExists(path);
    if (current?.includes(token)) await removeIfExists(path);
  }
}
