/**
 * Errors of the filesystem store adapters, on top of the port's errors in `../errors.ts`. Every
 * `name` is a literal (ARCHITECTURE.md, "Error model"). Messages name files and lineages, never
 * file contents: a file next to the ones named may hold a private key.
 */
import { LineageUnreadableError, StoreError } from '../errors.js';

/**
 * A lineage or account name that cannot be a file name in the config directory (it would escape
 * it, or certbot would not accept it). Thrown before any file is touched.
 *
 * @example
 * ```ts
 * await store.getLineage('../etc'); // throws InvalidLineageNameError
 * ```
 */
export class InvalidLineageNameError extends StoreError {
  readonly lineage: string;
  constructor(lineage: string, what = 'certificate name') {
    super(
      `"${lineage}" is not a valid ${what}: use letters, digits, ".", "_" and "-", starting with a letter or digit (at most 128 characters).`,
    );
    this.name = 'InvalidLineageNameError';
    this.lineage = lineage;
  }
}

/**
 * A `renewal/<name>.conf` that cannot be read as an acmeflow lineage: not certbot's INI syntax, a
 * value acmeflow cannot use (an `authenticator` that is not `dns-<provider>`, a `renew_before_expiry`
 * that is not a duration), or a conf certbot wrote without acmeflow's `[acmeflow]` section.
 *
 * @example
 * ```ts
 * // renewal/example.com.conf: renew_before_expiry = soon
 * await store.getLineage('example.com'); // RenewalConfError: ... line 1 ...
 * ```
 */
export class RenewalConfError extends LineageUnreadableError {
  /** The conf file's path. */
  readonly path: string;
  /** 1-based line of the problem, when it is about one line. */
  readonly line: number | undefined;
  constructor(path: string, problem: string, options: { line?: number; cause?: unknown } = {}) {
    super(`${path}${options.line === undefined ? '' : `, line ${options.line}`}: ${problem}`, { cause: options.cause });
    this.name = 'RenewalConfError';
    this.path = path;
    this.line = options.line;
  }
}

/**
 * A version that is complete (its `meta<N>.json` exists) lacks one of its files, or its meta is not
 * acmeflow's JSON: someone removed or edited files under `archive/<name>/` by hand.
 */
export class ArchiveCorruptError extends StoreError {
  readonly lineage: string;
  readonly version: number;
  constructor(lineage: string, version: number, problem: string, options: { cause?: unknown } = {}) {
    super(`Version ${version} of "${lineage}" is damaged: ${problem}. Restore archive/${lineage}/ from a backup, or issue a new version.`, {
      cause: options.cause,
    });
    this.name = 'ArchiveCorruptError';
    this.lineage = lineage;
    this.version = version;
  }
}

/** `promoteVersion` of a version that is not complete in the archive (never written, or cut short). */
export class VersionNotFoundError extends StoreError {
  readonly lineage: string;
  readonly version: number;
  constructor(lineage: string, version: number) {
    super(`Version ${version} of "${lineage}" is not complete in archive/${lineage}/; store it with putVersion before promoting it.`);
    this.name = 'VersionNotFoundError';
    this.lineage = lineage;
    this.version = version;
  }
}

/**
 * A lock file that is not acmeflow's (unreadable JSON): the lock cannot tell whether its holder is
 * alive, so it does not take it over.
 */
export class LockFileCorruptError extends StoreError {
  readonly path: string;
  constructor(path: string, options: { cause?: unknown } = {}) {
    super(`The lock file ${path} is not an acmeflow lock; delete it if no acmeflow run is working on this certificate.`, {
      cause: options.cause,
    });
    this.name = 'LockFileCorruptError';
    this.path = path;
  }
}

/**
 * Another acmeflow process kept one lineage's short-lived guard (`locks/<name>.conf.guard` or
 * `.lock.guard`) past the timeout while updating the same files. Transient: retry.
 */
export class GuardTimeoutError extends StoreError {
  readonly path: string;
  constructor(path: string) {
    super(`Could not take ${path} in time: another acmeflow process is updating the same certificate. Retry.`);
    this.name = 'GuardTimeoutError';
    this.path = path;
  }
}

/**
 * `archive/<name>/` or `live/<name>/` is a symbolic link, or leads outside the config directory:
 * following it would write private keys somewhere nobody chose for them, and `live/` links that
 * resolve relative to another place dangle. acmeflow refuses it rather than guess.
 *
 * @example
 * ```ts
 * await store.getLive('example.com'); // LineageDirectoryError: live/example.com is a symbolic link (to /srv/x) ...
 * ```
 */
export class LineageDirectoryError extends LineageUnreadableError {
  /** The directory's path. */
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path} ${problem}; acmeflow keeps a lineage's keys and certificates only in real directories inside the config directory. Replace it with a directory (move the files back) and run again.`);
    this.name = 'LineageDirectoryError';
    this.path = path;
  }
}
