import { join, resolve } from 'node:path';
import { LINEAGE_NAME } from '../../config/lineage-spec.js';
import { InvalidLineageNameError } from './errors.js';

/** The four files certbot keeps per version, in the order certbot's `ALL_FOUR` lists them. */
export const CERTBOT_KINDS = ['cert', 'privkey', 'chain', 'fullchain'] as const;
export type CertbotKind = (typeof CERTBOT_KINDS)[number];

/** Account ids: the same safe alphabet as lineage names (they become directory names). */
const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * Paths of certbot's config directory (`/etc/letsencrypt` by default), plus acmeflow's own
 * directories beside certbot's (`keys/pending/`, `locks/`, `accounts/<id>/`, `deploys/pending/`). Every name is checked
 * before it becomes part of a path, so no argument can point outside the directory.
 *
 * @example
 * ```ts
 * const layout = new CertbotLayout('/etc/letsencrypt');
 * layout.archiveFile('example.com', 'cert', 3); // → '/etc/letsencrypt/archive/example.com/cert3.pem'
 * layout.liveLinkTarget('example.com', 'cert', 3); // → '../../archive/example.com/cert3.pem'
 * ```
 */
export class CertbotLayout {
  /** Absolute, because certbot's renewal conf names absolute paths. */
  readonly configDir: string;

  constructor(configDir: string) {
    this.configDir = resolve(configDir);
  }

  get archiveRoot(): string {
    return join(this.configDir, 'archive');
  }
  get liveRoot(): string {
    return join(this.configDir, 'live');
  }
  get renewalRoot(): string {
    return join(this.configDir, 'renewal');
  }
  get keysRoot(): string {
    return join(this.configDir, 'keys');
  }
  get pendingKeysRoot(): string {
    return join(this.configDir, 'keys', 'pending');
  }
  get locksRoot(): string {
    return join(this.configDir, 'locks');
  }
  /** Deploy hooks waiting for their lineage's deploy delay (`deploys/pending/`), so a crash does not lose them. */
  get pendingDeploysRoot(): string {
    return join(this.configDir, 'deploys', 'pending');
  }
  get accountsRoot(): string {
    return join(this.configDir, 'accounts');
  }

  archiveDir(name: string): string {
    return join(this.archiveRoot, checkLineageName(name));
  }
  /** certbot's archive file name: `cert3.pem`; acmeflow's sidecar `meta3.json` beside it. */
  archiveFile(name: string, kind: CertbotKind | 'meta', version: number): string {
    return join(this.archiveDir(name), archiveFileName(kind, version));
  }
  liveDir(name: string): string {
    return join(this.liveRoot, checkLineageName(name));
  }
  liveFile(name: string, kind: CertbotKind): string {
    return join(this.liveDir(name), `${kind}.pem`);
  }
  /**
   * certbot's recovery link `live/<name>/previous_<kind>.pem`: while `live/` switches versions it
   * points where `<kind>.pem` pointed before (certbot's `update_all_links_to` / `_fix_symlinks`).
   */
  previousLiveFile(name: string, kind: CertbotKind): string {
    return join(this.liveDir(name), `previous_${kind}.pem`);
  }
  /** The relative target certbot writes (`os.path.relpath` from `live/<name>/`), so the tree can move. */
  liveLinkTarget(name: string, kind: CertbotKind, version: number): string {
    return `../../archive/${checkLineageName(name)}/${archiveFileName(kind, version)}`;
  }
  renewalConf(name: string): string {
    return join(this.renewalRoot, `${checkLineageName(name)}.conf`);
  }
  pendingKeyDir(name: string): string {
    return join(this.pendingKeysRoot, checkLineageName(name));
  }
  lockFile(name: string): string {
    return join(this.locksRoot, `${checkLineageName(name)}.lock`);
  }
  /** Short-lived mutex for the read-compare-replace of one lineage's files (see `withGuardFile`). */
  guardFile(name: string, what: 'conf' | 'lock'): string {
    return join(this.locksRoot, `${checkLineageName(name)}.${what}.guard`);
  }
  accountDir(accountId: string): string {
    if (!ACCOUNT_ID.test(accountId) || accountId.includes('..')) throw new InvalidLineageNameError(accountId, 'account id');
    return join(this.accountsRoot, accountId);
  }
}

function archiveFileName(kind: CertbotKind | 'meta', version: number): string {
  if (!Number.isSafeInteger(version) || version < 1) throw new RangeError(`version must be a positive integer, got ${version}`);
  return kind === 'meta' ? `meta${version}.json` : `${kind}${version}.pem`;
}

/**
 * Returns the name when it is a lineage name certbot and acmeflow both accept ({@link LINEAGE_NAME});
 * throws {@link InvalidLineageNameError} otherwise. `..` is refused too: `a..b` is harmless, but no
 * domain contains it and refusing it keeps the check obviously safe.
 */
export function checkLineageName(name: string): string {
  if (typeof name !== 'string' || !LINEAGE_NAME.test(name) || name.includes('..')) throw new InvalidLineageNameError(String(name));
  return name;
}

/** The version number in an archive file name (`cert12.pem` → 12), or undefined for other files. */
export function versionOfArchiveFile(fileName: string): number | undefined {
  const match = /^(?:cert|privkey|chain|fullchain)(\d+)\.pem$|^meta(\d+)\.json$/.exec(fileName);
  if (!match) return undefined;
  const n = Number(match[1] ?? match[2]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
