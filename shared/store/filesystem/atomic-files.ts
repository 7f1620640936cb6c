/**
 * Crash-safe file operations the filesystem adapters are built on. A reader never sees a file half
 * written: content goes to a temporary file in the same directory, is fsynced, then renamed (or
 * hard-linked, to create only if absent) to its name, and the directory is fsynced so the rename
 * survives a power cut. Temporary names start with a dot and end in `.tmp`, so neither certbot
 * (which globs `*.conf` and `cert<N>.pem`) nor acmeflow ever mistakes one for the real file.
 */
import { randomUUID } from 'node:crypto';
import { renameSync } from 'node:fs';
import { link, lstat, mkdir, open, readdir, readFile, readlink, rename, symlink, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The Node.js error code of a failed fs call, if any. */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
}

async function unlinkQuietly(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/**
 * Removes the temporary files a writer of `path` killed mid-write left behind (`.<name>.<uuid>.tmp`):
 * for a key file they hold the key itself. Call it only where no other writer of `path` can be at
 * work (the lineage lock is held), or it may remove a temporary file about to be renamed.
 */
export async function removeTempLeftovers(path: string): Promise<void> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) if (name.startsWith(prefix) && name.endsWith('.tmp')) await unlinkQuietly(join(dir, name));
}

/** fsyncs a directory, so that renames and links inside it are durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Creates one directory with `mode` unless it exists (an existing one keeps its mode, as certbot
 * leaves it). Not recursive on purpose: a recursive mkdir gives every missing parent the same
 * mode, and certbot's parents (`archive/`, `live/`) have a different one than their children.
 */
export async function ensureDirectory(path: string, mode: number): Promise<void> {
  try {
    await mkdir(path, { mode });
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
  }
}

/** Reads a UTF-8 file, or resolves undefined when it does not exist. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** Whether a file (or link) is there, without reading it (it may be a private key). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

/** Reads a symlink's target, or resolves undefined when there is no link (nothing, or a regular file). */
export async function readlinkIfExists(path: string): Promise<string | undefined> {
  try {
    return await readlink(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'EINVAL') return undefined;
    throw error;
  }
}

/** Removes a file; a file already gone is fine (every caller is idempotent). */
export async function removeIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

export interface AtomicWriteOptions {
  /**
   * Mode the file is created with (the `open(2)` mode, so the umask may clear bits, never add
   * any). Private keys pass 0o600: they are never readable by others, not even for a moment.
   */
  readonly mode: number;
  /** Create only: when the file exists already, leave it and resolve `'exists'` (hard link, atomic). */
  readonly createOnly?: boolean;
  /** Runs on the empty temporary file before any byte is written (to copy a group and mode, like certbot). */
  readonly prepare?: (handle: FileHandle) => Promise<void>;
}

/**
 * Writes `data` to `path` so that readers see the old file or the whole new one, never a part.
 * With `createOnly` the write fails softly (`'exists'`) when another writer got there first,
 * which makes "write once" safe between processes.
 *
 * @example
 * ```ts
 * await writeFileAtomic('/etc/letsencrypt/archive/example.com/privkey1.pem', pem, { mode: 0o600, createOnly: true });
 * ```
 */
export async function writeFileAtomic(path: string, data: string, options: AtomicWriteOptions): Promise<'written' | 'exists'> {
  const temp = tempPathFor(path);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx', options.mode);
    if (options.prepare) await options.prepare(handle);
    await handle.writeFile(data, 'utf8');
    await handle.sync();
    await handle.close();
    handle = undefined;
    if (options.createOnly) {
      try {
        await link(temp, path);
      } catch (error) {
        if (errorCode(error) === 'EEXIST') return 'exists';
        throw error;
      }
    } else {
      await rename(temp, path);
    }
    await syncDirectory(dirname(path));
    return 'written';
  } finally {
    await handle?.close().catch(() => undefined);
    // After a rename the temp name is gone already; after a link (or a failure) it must go.
    await unlinkQuietly(temp);
  }
}

/** Links made under temporary names by {@link stageSymlinks}, waiting to be swapped in. */
export interface StagedSymlinks {
  /**
   * Renames every staged link over its path, back to back with synchronous calls: no I/O wait and
   * no turn of the event loop between two renames (microseconds, unless the process is preempted
   * between two of them). Each path always resolves, to its old target or its new one; a reader,
   * or a crash, can still fall between two renames.
   */
  swap(): void;
  /** Removes what was staged and not swapped (after a failure); a no-op after {@link swap}. */
  discard(): Promise<void>;
}

/**
 * Makes each new link under a temporary name beside its path, ready for {@link StagedSymlinks.swap}.
 * Splitting the slow part (creating links) from the swap keeps the swap itself as short as it can be.
 *
 * @example
 * ```ts
 * const staged = await stageSymlinks([{ target: '../../archive/x/cert2.pem', path: '/etc/letsencrypt/live/x/cert.pem' }]);
 * try {
 *   staged.swap();
 * } finally {
 *   await staged.discard();
 * }
 * await syncDirectory('/etc/letsencrypt/live/x');
 * ```
 */
export async function stageSymlinks(links: readonly { readonly target: string; readonly path: string }[]): Promise<StagedSymlinks> {
  const staged: { temp: string; path: string }[] = [];
  const discard = async () => {
    // After the swap the temporary names are gone already; after a failure they must go.
    for (const { temp } of staged.splice(0)) await unlinkQuietly(temp);
  };
  try {
    for (const { target, path } of links) {
      const temp = tempPathFor(path);
      await symlink(target, temp);
      staged.push({ temp, path });
    }
  } catch (error) {
    await discard();
    throw error;
  }
  return {
    swap: () => {
      for (const { temp, path } of staged) renameSync(temp, path);
      staged.length = 0;
    },
    discard,
  };
}
