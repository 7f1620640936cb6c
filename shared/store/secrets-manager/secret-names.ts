import { LINEAGE_NAME } from '../../config/lineage-spec.js';
import { StoreError } from '../errors.js';

// Secrets Manager allows letters, digits and /_+=.@- in names; "/" is left out so an id stays one path segment.
const ACCOUNT_ID = /^[A-Za-z0-9_+=.@-]{1,256}$/;

/** `<prefix><lineage>`, after checking the lineage is a certbot lineage name. */
export function certificateSecretName(prefix: string, lineage: string): string {
  if (!LINEAGE_NAME.test(lineage)) {
    throw new StoreError(`"${lineage}" is not a lineage name: use letters, digits, ".", "_" and "-", starting with a letter or digit (at most 128).`);
  }
  return `${prefix}${lineage}`;
}

/** `<prefix><accountId>`, after checking the id fits in one segment of a secret name. */
export function accountSecretName(prefix: string, accountId: string): string {
  if (!ACCOUNT_ID.test(accountId)) {
    throw new StoreError(`"${accountId}" cannot name an account key: use letters, digits and _+=.@- (at most 256).`);
  }
  return `${prefix}${accountId}`;
}
