import { createHash } from 'node:crypto';
import { stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { normalizePem } from '../../crypto/normalize-pem.js';
import { parseCertbotAccountKeyId } from '../certbot-account-id.js';
import { CertbotAccountNotFoundError, KeyNotFoundError, StoreError, VersionConflictError } from '../errors.js';
import type { KeyStore, StoredAccountKey } from '../key-store.js';
import { errorCode, pathExists, readTextIfExists, removeIfExists, removeTempLeftovers, writeFileAtomic } from './atomic-files.js';
import { findCertbotAccounts } from './certbot-accounts.js';
import { CertbotLayout, checkLineageName } from './certbot-layout.js';
import { checkLineageDirectories, ensureArchiveDir, ensurePrivateDirs, liveLinkVersion } from './lineage-directories.js';
import { servedLink, switchLiveLinks } from './live-link-switch.js';

export interface FilesystemKeyStoreOptions {
  /** certbot's `--config-dir`, the same as the {@link FilesystemCertificateStore}'s. */
  readonly configDir: string;
}

/** Private keys: owner read/write only, from the moment the file exists. */
const KEY_MODE = 0o600;

/** Group bits and world-read that certbot carries from the old key to a renewed one (`compute_private_key_mode`). */
const CARRIED_MODE_BITS = 0o074;

function samePem(a: string, b: string): boolean {
  try {
    return normalizePem(a) === normalizePem(b);
  } catch {
    return a.trim() === b.trim();
  }
}

/**
 * {@link KeyStore} in the same config directory as the {@link FilesystemCertificateStore}:
 *
 * ```
 * keys/pending/<name>/<sha256(token)>.pem   pending certificate keys (0600; keys/, pending/, <name>/ 0700)
 * archive/<name>/privkey<N>.pem              promoted keys, certbot's place (0600)
 * live/<name>/privkey.pem                    -> ../../archive/<name>/privkey<N>.pem (switched by the
 *                                              certificate store with the other three links)
 * accounts/<accountId>/account.json          { directoryUrl, accountUrl?, privateKeyPem } (0600; the
 *                                              directories 0700): key and URL in one file, one rename
 * ```
 *
 * Account keys use this simple layout, not certbot's `accounts/<server>/directory/<md5>/` with a
 * JWK `private_key.json`: the port looks accounts up by acmeflow's account id alone, and certbot's
 * id is a hash of the key. The two never collide: certbot's first level is a host name with a
 * `directory/` below it, acmeflow's holds `account.json` directly. Where acmeflow has no account
 * for a CA and certbot has one, certbot's is read and used as it is (`certbot-accounts.ts`).
 *
 * Tokens are hashed into file names, so any string is a valid token and none can name a path.
 * Every file appears whole (temporary file, fsync, rename or hard link); keys are created mode
 * 0600 (group bits only ever copied from the lineage's previous key, before a byte is written, as
 * certbot does for servers that read keys through a group). No key is ever logged or put in an
 * error message.
 *
 * @example
 * ```ts
 * const keys = new FilesystemKeyStore({ configDir: '/etc/letsencrypt' });
 * const pem = await keys.putPendingCertificateKey('example.com', orderUrl, generatedPem); // the stored one on a retry
 * await keys.promoteCertificateKey('example.com', orderUrl, 3, fullchainPem); // archive/example.com/privkey3.pem
 * await store.promoteVersion('example.com', 3); // live/: cert, privkey, chain, fullchain -> version 3
 * ```
 */
export class FilesystemKeyStore implements KeyStore {
  readonly layout: CertbotLayout;

  constructor(options: FilesystemKeyStoreOptions) {
    this.layout = new CertbotLayout(options.configDir);
  }

  #pendingPath(lineage: string, token: string): string {
    if (typeof token !== 'string' || token === '') throw new RangeError('a pending key token must be a non-empty string');
    return join(this.layout.pendingKeyDir(lineage), `${createHash('sha256').update(token).digest('hex')}.pem`);
  }

  async putPendingCertificateKey(lineage: string, token: string, privateKeyPem: string): Promise<string> {
    const path = this.#pendingPath(lineage, token);
    await ensurePrivateDirs(this.layout, this.layout.keysRoot, this.layout.pendingKeysRoot, this.layout.pendingKeyDir(lineage));
    // Create only: a retried FinalizeOrder must get the key the CA may have seen in the first CSR.
    const outcome = await writeFileAtomic(path, privateKeyPem, { mode: KEY_MODE, createOnly: true });
    if (outcome === 'written') return privateKeyPem;
    const stored = await readTextIfExists(path);
    if (stored === undefined) throw new StoreError(`The pending key of "${lineage}" vanished while it was being stored; retry.`);
    return stored;
  }

  async getPendingCertificateKey(lineage: string, token: string): Promise<string | undefined> {
    return readTextIfExists(this.#pendingPath(lineage, token));
  }

  /**
   * Copies the pending key to `archive/<name>/privkey<N>.pem` (create only), then removes the pending
   * file; a crash anywhere leaves a state the next call completes. With the pending file gone and
   * `privkey<N>.pem` present, the key was promoted already and nothing happens.
   *
   * `live/` is not touched: the certificate store's `promoteVersion` switches all four links,
   * `privkey.pem` with the certificate, so the served pair never goes through "new key, old
   * certificate". The key is served (and {@link getCurrentCertificateKey} answers it) from that
   * switch on. One exception keeps the pair whole when a caller promoted the version first: when
   * `live/cert.pem` serves version N already, `privkey.pem` is pointed at the new key too.
   * `fullchainPem` is not stored here: the certificate store has written `fullchain<N>.pem`.
   *
   * @throws KeyNotFoundError when neither the pending key nor `privkey<N>.pem` exists.
   * @throws VersionConflictError when `privkey<N>.pem` holds another key.
   */
  async promoteCertificateKey(lineage: string, token: string, version: number, _fullchainPem: string): Promise<void> {
    checkLineageName(lineage);
    const pendingPath = this.#pendingPath(lineage, token);
    const archivePath = this.layout.archiveFile(lineage, 'privkey', version);
    await checkLineageDirectories(this.layout, lineage);
    const pending = await readTextIfExists(pendingPath);
    if (pending === undefined) {
      if (!(await pathExists(archivePath))) throw new KeyNotFoundError(`The pending certificate key for version ${version} of "${lineage}"`);
    } else {
      await ensureArchiveDir(this.layout, lineage);
      const { mode, gid } = await this.#renewedKeyPermissions(lineage);
      const outcome = await writeFileAtomic(archivePath, pending, {
        mode: KEY_MODE,
        createOnly: true,
        prepare: async (handle) => applyCarriedPermissions(handle, mode, gid),
      });
      if (outcome === 'exists') {
        const stored = await readTextIfExists(archivePath);
        if (stored === undefined || !samePem(stored, pending)) throw new VersionConflictError(lineage, version);
      }
    }
    if ((await liveLinkVersion(this.layout, lineage, 'cert')) === version) await switchLiveLinks(this.layout, lineage, version, ['privkey']);
    await removeIfExists(pendingPath);
    // A promotion killed mid-write left a copy of this key under a temporary name: it goes too.
    await removeTempLeftovers(archivePath);
  }

  /** certbot's rule for a renewed key: 0600 plus the old key's group bits and world-read, and the old key's group. */
  async #renewedKeyPermissions(lineage: string): Promise<{ mode: number; gid: number | undefined }> {
    const previous = await stat(this.layout.liveFile(lineage, 'privkey')).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    });
    if (previous === undefined) return { mode: KEY_MODE, gid: undefined };
    return { mode: KEY_MODE | (previous.mode & CARRIED_MODE_BITS), gid: previous.gid };
  }

  async discardPendingCertificateKey(lineage: string, token: string): Promise<void> {
    const path = this.#pendingPath(lineage, token);
    await removeIfExists(path);
    // And the key's copies a process killed while writing it left under temporary names.
    await removeTempLeftovers(path);
  }

  /** The key `live/privkey.pem` serves: the journal's while a switch that was cut short waits for its repair. */
  async getCurrentCertificateKey(lineage: string): Promise<string | undefined> {
    await checkLineageDirectories(this.layout, lineage);
    return readTextIfExists(await servedLink(this.layout, lineage, 'privkey'));
  }

  /** `archive/<name>/privkey<N>.pem`: promoted for that version, whether `live/` serves it yet or not. */
  async getCertificateKey(lineage: string, version: number): Promise<string | undefined> {
    checkLineageName(lineage);
    await checkLineageDirectories(this.layout, lineage);
    return readTextIfExists(this.layout.archiveFile(lineage, 'privkey', version));
  }

  /**
   * `accounts/<id>/account.json`: the key and its URL are one file, so a reader never sees one
   * registration's key with another's URL. A directory of an earlier acmeflow (`private_key.pem` and
   * `meta.json`) is still read, until the next write replaces it.
   */
  async getAccountKey(accountId: string): Promise<StoredAccountKey | undefined> {
    const named = parseCertbotAccountKeyId(accountId);
    if (named !== undefined) return this.#getNamedCertbotAccountKey(named.caId, named.certbotId);
    const dir = this.layout.accountDir(accountId);
    const text = await readTextIfExists(join(dir, ACCOUNT_FILE));
    if (text !== undefined) return parseAccountFile(accountId, ACCOUNT_FILE, text);
    return (await this.#getSplitAccountKey(accountId)) ?? (await this.#getCertbotAccountKey(accountId));
  }

  /**
   * certbot's account at the same CA (`accounts/<server>/directory/<id>/`), used as it is: a second
   * registration would need a second EAB credential, which is often single-use. With several, the
   * oldest, as certbot's own accounts list starts with it; a lineage whose conf names its account
   * asks for that one by its own id instead (`shared/store/certbot-account-id.ts`).
   */
  async #getCertbotAccountKey(accountId: string): Promise<StoredAccountKey | undefined> {
    const [account] = await findCertbotAccounts(this.layout, accountId);
    return account?.key;
  }

  /**
   * The certbot account a renewal conf names (`account = <id>`), at the CA `caId`, as certbot itself
   * picks it for the lineage.
   *
   * @throws CertbotAccountNotFoundError naming the id and the accounts present at that CA, rather than
   *   answering undefined: a missing account must not be registered anew.
   */
  async #getNamedCertbotAccountKey(caId: string, certbotId: string): Promise<StoredAccountKey> {
    const accounts = await findCertbotAccounts(this.layout, caId);
    const account = accounts.find((a) => a.id === certbotId);
    if (account !== undefined) return account.key;
    throw new CertbotAccountNotFoundError(certbotId, accounts[0]?.key.directoryUrl ?? caId, accounts.map((a) => a.id));
  }

  /** The two-file layout: resolves undefined unless both files are there (`meta.json` was written last). */
  async #getSplitAccountKey(accountId: string): Promise<StoredAccountKey | undefined> {
    const dir = this.layout.accountDir(accountId);
    const metaText = await readTextIfExists(join(dir, 'meta.json'));
    if (metaText === undefined) return undefined;
    const privateKeyPem = await readTextIfExists(join(dir, 'private_key.pem'));
    if (privateKeyPem === undefined) return undefined;
    return parseAccountFile(accountId, 'meta.json', metaText, privateKeyPem);
  }

  /**
   * Replaces the account in one rename (key, URL and directory URL together), mode 0600 from the
   * moment the file exists. Callers serialize registrations (the workflow's registration lock);
   * this only promises that every reader sees one whole account.
   */
  async putAccountKey(accountId: string, key: StoredAccountKey): Promise<void> {
    // certbot's accounts are certbot's files: read as they are, never rewritten in acmeflow's layout.
    if (parseCertbotAccountKeyId(accountId) !== undefined) throw new StoreError(`The account ${accountId} is certbot's; acmeflow does not write certbot's accounts.`);
    const dir = this.layout.accountDir(accountId);
    await ensurePrivateDirs(this.layout, this.layout.accountsRoot, dir);
    const record = { directoryUrl: key.directoryUrl, ...(key.accountUrl === undefined ? {} : { accountUrl: key.accountUrl }), privateKeyPem: key.privateKeyPem };
    await writeFileAtomic(join(dir, ACCOUNT_FILE), `${JSON.stringify(record, null, 2)}\n`, { mode: KEY_MODE });
    // The earlier two-file layout would only confuse a person reading the directory now.
    await removeIfExists(join(dir, 'meta.json'));
    await removeIfExists(join(dir, 'private_key.pem'));
  }
}

/** The account's one file in its directory. */
const ACCOUNT_FILE = 'account.json';

function parseAccountFile(accountId: string, file: string, text: string, splitKeyPem?: string): StoredAccountKey {
  let record: { accountUrl?: unknown; directoryUrl?: unknown; privateKeyPem?: unknown };
  try {
    record = JSON.parse(text) as typeof record;
  } catch (error) {
    throw new StoreError(`accounts/${accountId}/${file} is not JSON; remove the account directory to register again.`, { cause: error });
  }
  const privateKeyPem = splitKeyPem ?? record.privateKeyPem;
  if (typeof record.directoryUrl !== 'string' || typeof privateKeyPem !== 'string') {
    throw new StoreError(`accounts/${accountId}/${file} has no directoryUrl or key; remove the account directory to register again.`);
  }
  return { privateKeyPem, directoryUrl: record.directoryUrl, ...(typeof record.accountUrl === 'string' ? { accountUrl: record.accountUrl } : {}) };
}

/**
 * Gives the new, still empty key file the old key's group and extra bits. When the group cannot
 * be given (not root, not a member), the extra group bits are dropped rather than granted to the
 * process's own group.
 */
async function applyCarriedPermissions(handle: FileHandle, mode: number, gid: number | undefined): Promise<void> {
  if (mode === KEY_MODE) return;
  let effectiveMode = mode;
  if (gid !== undefined) {
    const own = await handle.stat();
    if (own.gid !== gid) {
      try {
        await handle.chown(own.uid, gid);
      } catch {
        effectiveMode &= ~0o070;
      }
    }
  }
  await handle.chmod(effectiveMode);
}
