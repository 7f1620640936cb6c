/** Errors of the store ports; literal names, so Step Functions can match them. */

export class StoreError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreError';
  }
}

/** A lineage that does not exist. */
export class LineageNotFoundError extends StoreError {
  readonly lineage: string;
  constructor(lineage: string) {
    super(`No certificate lineage named "${lineage}". List them with "acmeflow certificates".`);
    this.name = 'LineageNotFoundError';
    this.lineage = lineage;
  }
}

/**
 * A stored lineage exists but cannot be read: its conf or object is damaged, was not written by
 * acmeflow, or its directories are not where they belong. Adapters throw this (or a subclass, such
 * as the filesystem's `RenewalConfError`) from `getLineage`, so that a sweep names and skips that
 * one lineage and renews the others; the message says what is wrong and where.
 */
export class LineageUnreadableError extends StoreError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'LineageUnreadableError';
  }
}

/** An archive version exists already with other content: versions are write-once. */
export class VersionConflictError extends StoreError {
  readonly lineage: string;
  readonly version: number;
  constructor(lineage: string, version: number) {
    super(`Version ${version} of "${lineage}" already exists with a different certificate; versions are never overwritten.`);
    this.name = 'VersionConflictError';
    this.lineage = lineage;
    this.version = version;
  }
}

/** The lineage was changed by someone else since it was read (optimistic concurrency). */
export class LineageConflictError extends StoreError {
  readonly lineage: string;
  constructor(lineage: string) {
    super(`The lineage "${lineage}" was changed by another run while this one worked on it; reread and try again.`);
    this.name = 'LineageConflictError';
    this.lineage = lineage;
  }
}

/** Another run holds the lineage's lock. */
export class LineageLockedError extends StoreError {
  readonly lineage: string;
  readonly holder: string | undefined;
  readonly expiresAt: string | undefined;
  constructor(lineage: string, holder?: string, expiresAt?: string) {
    super(`Another run (${holder ?? 'unknown'}) is issuing "${lineage}"${expiresAt ? ` until ${expiresAt} at the latest` : ''}; this run leaves it alone.`);
    this.name = 'LineageLockedError';
    this.lineage = lineage;
    this.holder = holder;
    this.expiresAt = expiresAt;
  }
}

/**
 * A lineage names its certbot account (the renewal conf's `account = <id>`) and the key store has
 * no such account at the lineage's CA. The lineage is not issued with another account, nor is one
 * registered in its place (the account certbot registered may hold a single-use EAB binding): the
 * conf or the accounts directory must be fixed. Other lineages are not affected.
 */
export class CertbotAccountNotFoundError extends StoreError {
  readonly certbotAccount: string;
  /** certbot's account ids found at the same CA (empty when the store cannot list them). */
  readonly present: readonly string[];
  constructor(certbotAccount: string, directoryUrl: string, present: readonly string[] = []) {
    super(
      `The renewal conf names the account ${certbotAccount} (account = ${certbotAccount}), and there is no such account for ${directoryUrl}; ` +
        (present.length === 0 ? 'no certbot account is stored for that CA. ' : `the accounts stored for that CA are ${present.join(', ')}. `) +
        'Set account = to one of them in the conf (or remove the line to use the CA\'s first account).',
    );
    this.name = 'CertbotAccountNotFoundError';
    this.certbotAccount = certbotAccount;
    this.present = present;
  }
}

/** A key the workflow needs is not in the key store. */
export class KeyNotFoundError extends StoreError {
  constructor(what: string) {
    super(`${what} is not in the key store.`);
    this.name = 'KeyNotFoundError';
  }
}

/** The sweep's planning index object is not an index acmeflow can read (another format, damaged). */
export class PlanningIndexFormatError extends StoreError {
  readonly key: string;
  /** The unreadable object's change tag, so the sweep can replace exactly that object. */
  readonly etag: string | undefined;
  constructor(key: string, problem: string, options: { cause?: unknown; etag?: string } = {}) {
    super(`${key} is not a planning index this version of acmeflow reads (${problem}); the sweep reads every lineage instead and writes a new one.`, options);
    this.name = 'PlanningIndexFormatError';
    this.key = key;
    this.etag = options.etag;
  }
}

/** Another sweep replaced the planning index since this one read it; that sweep's index is kept. */
export class PlanningIndexConflictError extends StoreError {
  constructor(options: { cause?: unknown } = {}) {
    super('Another sweep wrote the planning index while this one planned; its index is kept and this one is dropped.', options);
    this.name = 'PlanningIndexConflictError';
  }
}

/** The lineage to move does not exist. */
export class LineageNotFoundForMoveError extends StoreError {
  constructor(lineage: string, options?: { cause?: unknown }) {
    super(`There is no lineage "${lineage}" to move.`, options);
    this.name = 'LineageNotFoundForMoveError';
  }
}

/** The key read back from the new store is not the one the old store serves: the lineage was not switched. */
export class KeyStoreMoveMismatchError extends StoreError {
  constructor(lineage: string, to: string, options?: { cause?: unknown }) {
    super(`The key copied to ${to} for "${lineage}" is not the key it serves now; the lineage stays in its old store. Run the move again.`, options);
    this.name = 'KeyStoreMoveMismatchError';
  }
}

/** The lineage has an issuance in flight: its key store is not moved under it. */
export class KeyStoreMoveInflightError extends StoreError {
  constructor(lineage: string, options?: { cause?: unknown }) {
    super(`"${lineage}" has an issuance in flight; move its key once it has finished (see "acmeflow certificates").`, options);
    this.name = 'KeyStoreMoveInflightError';
  }
}
