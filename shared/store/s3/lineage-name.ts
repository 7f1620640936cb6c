import { LINEAGE_NAME } from '../../config/lineage-spec.js';
import { StoreError } from '../errors.js';

/**
 * Refuses a lineage name that is not a certbot lineage name before it becomes part of an object key:
 * a `/` or `..` would reach outside the lineage's own prefix.
 *
 * @example
 * ```ts
 * assertLineageName('example.com'); // fine
 * assertLineageName('../live/x');   // throws StoreError
 * ```
 */
export function assertLineageName(name: string): void {
  if (!LINEAGE_NAME.test(name)) {
    throw new StoreError(`"${name}" is not a lineage name: use letters, digits, ".", "_" and "-", starting with a letter or digit (at most 128).`);
  }
}

/** Refuses a version number that is not a positive integer (versions count from 1). */
export function assertVersionNumber(name: string, version: number): void {
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new StoreError(`Version numbers of "${name}" are integers from 1; ${String(version)} is not one.`);
  }
}
