import { createHash } from 'node:crypto';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { normalizePem } from '../../crypto/normalize-pem.js';
import { parseCertificate } from '../../crypto/parse-certificate.js';
import type { CertificateStore, StoredLineage } from '../certificate-store.js';
import { KeyNotFoundError, LineageConflictError, VersionConflictError } from '../errors.js';
import type { CertificateVersion, Lineage, VersionMeta } from '../lineage.js';
import { errorCode, pathExists, readTextIfExists, removeIfExists, writeFileAtomic } from './atomic-files.js';
import { CERTBOT_KINDS, CertbotLayout, checkLineageName, versionOfArchiveFile } from './certbot-layout.js';
import { formatConfValue, parseConfigObj, type ConfDocument, type ConfValue } from './configobj.js';
import { ArchiveCorruptError, RenewalConfError, VersionNotFoundError } from './errors.js';
import { withGuardFile } from './guard-file.js';
import { checkLineageDirectories, ensureArchiveDir, ensureLiveDir, ensurePrivateDirs, liveLinkVersion } from './lineage-directories.js';
import { readLiveCertificateFacts, type LiveCertificateFacts } from './live-certificate-facts.js';
import { switchLiveLinks } from './live-link-switch.js';
import { lineageFromDocument, renderRenewalConf } from './renewal-conf.js';

export interface FilesystemCertificateStoreOptions {
  /** certbot's `--config-dir`: `/etc/letsencrypt` for the system's certbot. Made absolute. */
  readonly configDir: string;
  /** How long `putLineage` waits for another process updating the same conf. @default 5000 */
  readonly guardTimeoutMs?: number;
}

/** Page size of `listLineages` when the caller gives none (S3's ListObjectsV2 default, for the same feel). */
const DEFAULT_PAGE = 1000;

const VERSION_FILES = ['cert', 'chain', 'fullchain'] as const;

/** The etag of a conf: a hash of its bytes, so any edit (by acmeflow, certbot or a person) changes it. */
function etagOf(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Same certificate, whatever the line endings or base64 wrapping. */
function sameCertificate(a: string, b: string): boolean {
  try {
    return normalizePem(a) === normalizePem(b);
  } catch {
    return a.replace(/\r\n/g, '\n').trim() === b.replace(/\r\n/g, '\n').trim();
  }
}

/**
 * {@link CertificateStore} over a certbot config directory, in certbot's exact layout, so that
 * servers and scripts set up for certbot (and certbot itself: `certbot certificates`) work on it:
 *
 * ```
 * renewal/<name>.conf                      the lineage, certbot's INI plus an [acmeflow] section
 * archive/<name>/cert<N>.pem chain<N>.pem fullchain<N>.pem   (privkey<N>.pem: FilesystemKeyStore)
 * archive/<name>/meta<N>.json              VersionMeta; certbot ignores it. Written last: a version
 *                                          is complete exactly when its meta exists (a version
 *                                          certbot wrote has none: complete when cert and key are there)
 * live/<name>/{cert,chain,fullchain,privkey}.pem -> ../../archive/<name>/<kind><N>.pem
 * live/<name>/previous_<kind>.pem          certbot's journal, only while the links switch
 * live/<name>/README, live/README           certbot's text
 * ```
 *
 * Every file appears complete (temporary file, fsync, rename); the four `live/` links switch
 * together in {@link promoteVersion}, journaled as certbot journals them; `putLineage`'s etag check
 * and rewrite run under a per-lineage guard file (`locks/<name>.conf.guard`), since POSIX has no
 * compare-and-swap.
 * Concurrent `putVersion` calls for the same version with *different* certificates are kept apart
 * by the {@link LineageLock}, not by this store.
 *
 * @example
 * ```ts
 * const store = new FilesystemCertificateStore({ configDir: '/etc/letsencrypt' });
 * await store.putVersion(version);                       // archive/example.com/*3.pem, meta3.json
 * await keyStore.promoteCertificateKey('example.com', token, 3, version.fullchainPem); // archive/example.com/privkey3.pem
 * await store.promoteVersion('example.com', 3);           // all four live/example.com/*.pem -> version 3
 * ```
 */
export class FilesystemCertificateStore implements CertificateStore {
  readonly layout: CertbotLayout;
  readonly #guardTimeoutMs: number | undefined;
  /**
   * The lineage each conf was last read or written as, with the content's etag: a conf is parsed and
   * checked once per content, not on every read (an issuance reads its lineage in every step). A
   * different etag (another process wrote the file, or an operator edited it) means read it again.
   */
  readonly #known = new Map<string, StoredLineage>();
  /** The version live/ served when {@link #known} was read. */
  readonly #knownLive = new Map<string, number | undefined>();

  constructor(options: FilesystemCertificateStoreOptions) {
    this.layout = new CertbotLayout(options.configDir);
    this.#guardTimeoutMs = options.guardTimeoutMs;
  }

  async getLineage(name: string): Promise<StoredLineage | undefined> {
    const path = this.layout.renewalConf(name);
    const bytes = await readFile(path).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    });
    if (bytes === undefined) {
      this.#known.delete(name);
      return undefined;
    }
    // A lineage whose directories lead elsewhere is not one to list as VALID or to renew; checked on
    // every read, as a directory can be swapped for a link while the conf stays the same.
    await checkLineageDirectories(this.layout, name);
    const etag = etagOf(bytes);
    // certbot renews without touching [acmeflow]: the version live/ serves is part of what was read.
    const liveVersion = await liveLinkVersion(this.layout, name, 'cert');
    const known = this.#known.get(name);
    if (known?.etag === etag && this.#knownLive.get(name) === liveVersion) return structuredClone(known);
    const live = await this.#liveFacts(name, path);
    const lineage = lineageFromDocument(parseConfigObj(bytes.toString('utf8'), path), name, path, live);
    this.#known.set(name, { lineage, etag });
    this.#knownLive.set(name, liveVersion);
    return structuredClone({ lineage, etag });
  }

  /** The certificate live/ serves, for a conf certbot wrote or renewed; a broken one makes the lineage unreadable, not the run. */
  async #liveFacts(name: string, path: string): Promise<LiveCertificateFacts | undefined> {
    try {
      return await readLiveCertificateFacts(this.layout, name);
    } catch (error) {
      throw new RenewalConfError(path, `live/${name}/cert.pem cannot be read as a certificate: ${(error as Error).message}`, { cause: error });
    }
  }

  async putLineage(lineage: Lineage, options: { expectedEtag?: string | null } = {}): Promise<{ etag: string }> {
    const name = checkLineageName(lineage.spec.name);
    const path = this.layout.renewalConf(name);
    await ensurePrivateDirs(this.layout, this.layout.renewalRoot, this.layout.locksRoot);
    const guardOptions = this.#guardTimeoutMs === undefined ? {} : { timeoutMs: this.#guardTimeoutMs };
    return withGuardFile(
      this.layout.guardFile(name, 'conf'),
      async () => {
        const bytes = await readFile(path).catch((error: unknown) => {
          if (errorCode(error) === 'ENOENT') return undefined;
          throw error;
        });
        const { expectedEtag } = options;
        if (expectedEtag !== undefined) {
          const current = bytes === undefined ? null : etagOf(bytes);
          if (current !== expectedEtag) throw new LineageConflictError(name);
        }
        // Keys and sections acmeflow does not own (account, hooks, ...) are carried over, as certbot does.
        const previous: ConfDocument | undefined = bytes === undefined ? undefined : parseConfigObj(bytes.toString('utf8'), path);
        // Checks that the text reads back as this very lineage: a conf the next read would reject or
        // change would stop (or silently alter) every later run of the lineage.
        const { text, lineage: written } = renderRenewalConf(lineage, this.layout, previous);
        // certbot keeps the old conf's mode on rewrite; new confs get the usual 0644.
        const mode = bytes === undefined ? 0o644 : (await stat(path)).mode & 0o777;
        await writeFileAtomic(path, text, {
          mode,
          prepare: async (handle) => {
            if (bytes !== undefined) await handle.chmod(mode);
          },
        });
        const etag = etagOf(text);
        this.#known.set(name, { lineage: written, etag });
        this.#knownLive.set(name, await liveLinkVersion(this.layout, name, 'cert'));
        return { etag };
      },
      guardOptions,
    );
  }

  /**
   * Sets keys of `[renewalparams]` in a conf as it is, even one no lineage can be read from (certbot's
   * `webroot` or `apache` lineage): how `reconfigure` moves such a lineage to dns-01 before it is
   * read. Every other line stays as written; an installer is set to `none` (the lineage's servers
   * read `live/` and are reloaded by a deploy hook).
   */
  async setRenewalParams(name: string, values: Readonly<Record<string, ConfValue>>): Promise<void> {
    const path = this.layout.renewalConf(name);
    await withGuardFile(this.layout.guardFile(name, 'conf'), async () => {
      const text = await readTextIfExists(path);
      if (text === undefined) throw new RenewalConfError(path, 'there is no such conf');
      const document = parseConfigObj(text, path);
      const params = document.sections.find((section) => section.name === 'renewalparams');
      const wanted: Record<string, ConfValue> = { ...values };
      if (params?.entries.some((e) => e.key === 'installer')) wanted.installer = 'none';
      const rewrite = (section: (typeof document.sections)[number]): string => {
        if (section !== params) return section.text;
        let out = section.text;
        for (const entry of section.entries) {
          const value = wanted[entry.key];
          if (value !== undefined) out = out.replace(entry.text, `${entry.key} = ${formatConfValue(value)}`);
        }
        const added = Object.entries(wanted).filter(([key]) => !section.entries.some((e) => e.key === key));
        return [out.trimEnd(), ...added.map(([key, value]) => `${key} = ${formatConfValue(value)}`)].join('\n');
      };
      const sections = params ? document.sections : [...document.sections, { name: 'renewalparams', entries: [], text: '[renewalparams]', line: 0 }];
      const next = `${sections.map((section) => rewrite(section as (typeof document.sections)[number])).join('\n').trimEnd()}\n`;
      const mode = (await stat(path)).mode & 0o777;
      await writeFileAtomic(path, next, { mode, prepare: async (handle) => handle.chmod(mode) });
      this.#known.delete(name);
    });
  }

  /** Removes the conf first (the lineage is gone from then on), then `live/<name>/` and `archive/<name>/`, like `certbot delete`. */
  async deleteLineage(name: string): Promise<void> {
    this.#known.delete(name);
    this.#knownLive.delete(name);
    await removeIfExists(this.layout.renewalConf(name));
    await rm(this.layout.liveDir(name), { recursive: true, force: true });
    await rm(this.layout.archiveDir(name), { recursive: true, force: true });
  }

  /**
   * Names of `renewal/*.conf` in code-unit order (ASCII, as S3 lists keys), after `cursor` (the last
   * name of the previous page). Files whose name is not a valid lineage name are left out: no method
   * of this store could open them.
   */
  async listLineages(options: { cursor?: string; limit?: number } = {}): Promise<{ names: string[]; cursor?: string }> {
    const limit = options.limit ?? DEFAULT_PAGE;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    const files = await readdir(this.layout.renewalRoot).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') return [] as string[];
      throw error;
    });
    const names = files
      .filter((file) => file.endsWith('.conf'))
      .map((file) => file.slice(0, -'.conf'.length))
      .filter((name) => {
        try {
          return checkLineageName(name) === name;
        } catch {
          return false;
        }
      })
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const { cursor } = options;
    const rest = cursor === undefined ? names : names.filter((name) => name > cursor);
    const page = rest.slice(0, limit);
    return rest.length > limit ? { names: page, cursor: page.at(-1) as string } : { names: page };
  }

  async putVersion(version: CertificateVersion): Promise<void> {
    const name = checkLineageName(version.lineage);
    const n = version.version;
    const metaPath = this.layout.archiveFile(name, 'meta', n);
    if ((await pathExists(metaPath)) || (await this.#isCertbotVersion(name, n))) return this.#checkSameCertificate(version);
    await ensureArchiveDir(this.layout, name);
    // Not complete, so not visible: whatever a crashed attempt left of these files is replaced.
    const contents: Record<(typeof VERSION_FILES)[number], string> = { cert: version.certPem, chain: version.chainPem, fullchain: version.fullchainPem };
    for (const kind of VERSION_FILES) await writeFileAtomic(this.layout.archiveFile(name, kind, n), contents[kind], { mode: 0o644 });
    const meta = `${JSON.stringify(version.meta, null, 2)}\n`;
    // The meta last, created only if absent: it makes the version complete, once.
    const outcome = await writeFileAtomic(metaPath, meta, { mode: 0o644, createOnly: true });
    if (outcome === 'exists') await this.#checkSameCertificate(version);
  }

  /** Write-once: a stored version with the same certificate is the retried write; another one is a conflict. */
  async #checkSameCertificate(version: CertificateVersion): Promise<void> {
    const stored = await readTextIfExists(this.layout.archiveFile(version.lineage, 'cert', version.version));
    if (stored === undefined || !sameCertificate(stored, version.certPem)) throw new VersionConflictError(version.lineage, version.version);
  }

  /**
   * A version certbot wrote: no `meta<N>.json` (acmeflow's own marker), but the certificate and its
   * key, which certbot writes together. acmeflow's own unfinished version never has its key without
   * its meta (the key is promoted after the version is complete), so the two cannot be confused.
   */
  async #isCertbotVersion(name: string, version: number): Promise<boolean> {
    return (await pathExists(this.layout.archiveFile(name, 'cert', version))) && (await pathExists(this.layout.archiveFile(name, 'privkey', version)));
  }

  async getVersion(name: string, version: number): Promise<CertificateVersion | undefined> {
    checkLineageName(name);
    await checkLineageDirectories(this.layout, name);
    const metaText = await readTextIfExists(this.layout.archiveFile(name, 'meta', version));
    if (metaText === undefined && !(await this.#isCertbotVersion(name, version))) return undefined;
    let meta: VersionMeta;
    try {
      meta = metaText === undefined ? await this.#certbotVersionMeta(name, version) : (JSON.parse(metaText) as VersionMeta);
    } catch (error) {
      throw new ArchiveCorruptError(name, version, metaText === undefined ? `cert${version}.pem is not a certificate` : `meta${version}.json is not JSON`, { cause: error });
    }
    const files: Partial<Record<(typeof VERSION_FILES)[number], string>> = {};
    for (const kind of VERSION_FILES) {
      const text = await readTextIfExists(this.layout.archiveFile(name, kind, version));
      if (text === undefined) throw new ArchiveCorruptError(name, version, `${kind}${version}.pem is missing`);
      files[kind] = text;
    }
    return { lineage: name, version, certPem: files.cert as string, chainPem: files.chain as string, fullchainPem: files.fullchain as string, meta };
  }

  /** What acmeflow keeps in `meta<N>.json`, read from certbot's certificate (certbot keeps no order URL). */
  async #certbotVersionMeta(name: string, version: number): Promise<VersionMeta> {
    const pem = (await readTextIfExists(this.layout.archiveFile(name, 'cert', version))) ?? '';
    const info = parseCertificate(pem);
    return {
      serialHex: info.serialHex,
      notBefore: info.notBefore,
      notAfter: info.notAfter,
      domains: [...info.domains],
      orderUrl: '',
      issuedAt: info.notBefore,
      keyType: info.keyType ?? 'unknown',
      ...(info.issuerCommonName ? { issuerCommonName: info.issuerCommonName } : {}),
    };
  }

  async latestVersion(name: string): Promise<number> {
    await checkLineageDirectories(this.layout, name);
    const files = await readdir(this.layout.archiveDir(name)).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') return [] as string[];
      throw error;
    });
    return files.reduce((max, file) => Math.max(max, versionOfArchiveFile(file) ?? 0), 0);
  }

  /**
   * Points all four `live/<name>/` links at a complete version: `cert`, `privkey`, `chain` and
   * `fullchain` switch together, journaled with certbot's `previous_*.pem` links (`live-link-switch.ts`):
   *
   * - Outside the swap itself the four links are on one version, so the served key matches the
   *   served certificate; every link resolves at every moment, into a complete version.
   * - The swap is four renames back to back (microseconds, unless the process is preempted between
   *   them: the window is short, never closed). A reader opening the files inside it may get two
   *   versions (as with certbot). A process killed inside it leaves the complete journal: until the
   *   next repair `live/` pairs two versions (each complete), and {@link getLive} and the key store
   *   already answer the journal's (old) pair; any certbot command that loads the lineage, or the
   *   next promotion of it, puts all four back on the old version, then switches forward.
   * - An earlier switch cut short is repaired first. Links already on `version` stay as they are, so
   *   a repeated call changes nothing.
   *
   * The key must be in the archive first (`FilesystemKeyStore.promoteCertificateKey` writes
   * `privkey<N>.pem`). Without it the version is promoted only while `live/` serves no key at all
   * (nothing can mismatch); the key store then links `privkey.pem` itself when it stores the key.
   *
   * @throws VersionNotFoundError when the version is not complete (no `meta<N>.json`).
   * @throws KeyNotFoundError when `privkey<N>.pem` is missing while `live/` serves another key.
   */
  async promoteVersion(name: string, version: number): Promise<void> {
    checkLineageName(name);
    await checkLineageDirectories(this.layout, name);
    if (!(await pathExists(this.layout.archiveFile(name, 'meta', version))) && !(await this.#isCertbotVersion(name, version))) throw new VersionNotFoundError(name, version);
    await ensureLiveDir(this.layout, name);
    const hasKey = await pathExists(this.layout.archiveFile(name, 'privkey', version));
    if (!hasKey && (await pathExists(this.layout.liveFile(name, 'privkey')))) {
      throw new KeyNotFoundError(`The key of version ${version} of "${name}" (archive/${name}/privkey${version}.pem; promote the key before the version)`);
    }
    await switchLiveLinks(this.layout, name, version, hasKey ? CERTBOT_KINDS : VERSION_FILES);
  }

  async getLive(name: string): Promise<CertificateVersion | undefined> {
    checkLineageName(name);
    await checkLineageDirectories(this.layout, name);
    const version = await liveLinkVersion(this.layout, name, 'cert');
    return version === undefined ? undefined : this.getVersion(name, version);
  }
}
