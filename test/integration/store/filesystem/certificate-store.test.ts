/**
 * FilesystemCertificateStore on real temporary directories: certbot's layout (paths, relative
 * symlinks, modes, README), the renewal conf, write-once versions, promotion, crash recovery,
 * optimistic concurrency and pagination.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilesystemCertificateStore, FilesystemKeyStore } from '../../../../shared/store/filesystem/index.js';
import { repairInterruptedSwitch } from '../../../../shared/store/filesystem/live-link-switch.js';
import { liveReadme } from '../../../../shared/store/filesystem/live-readme.js';
import type { CertificateVersion } from '../../../../shared/store/index.js';
import { fullLineage, minimalLineage, versionOf } from '../../../unit/store/filesystem/fixtures.js';

let dir: string;
let store: FilesystemCertificateStore;
let keys: FilesystemKeyStore;

beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'acmeflow-fs-store-')), 'letsencrypt');
  store = new FilesystemCertificateStore({ configDir: dir });
  keys = new FilesystemKeyStore({ configDir: dir });
});
afterEach(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;
const KEY = '-----BEGIN PRIVATE KEY-----\nTUlJRXZRSUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NCS2N3Z2dTakFnRUFBb0lCQVFD\n-----END PRIVATE KEY-----\n';

/** Issues version `n` the way StoreCertificate does: archive, key, then live/. */
async function issue(version: CertificateVersion, key = KEY): Promise<void> {
  await store.putVersion(version);
  await keys.putPendingCertificateKey(version.lineage, `order-${version.version}`, key);
  await keys.promoteCertificateKey(version.lineage, `order-${version.version}`, version.version, version.fullchainPem);
  await store.promoteVersion(version.lineage, version.version);
}

const KEY_2 = KEY.replace('TUlJ', 'AAAA');

/** The version each live/ link points at. */
async function liveLinks(name = 'example.com'): Promise<Record<string, number | undefined>> {
  const out: Record<string, number | undefined> = {};
  for (const kind of ['cert', 'privkey', 'chain', 'fullchain']) {
    const target = await readlink(join(dir, 'live', name, `${kind}.pem`)).catch(() => undefined);
    out[kind] = target === undefined ? undefined : Number(/(\d+)\.pem$/.exec(target)?.[1]);
  }
  return out;
}

async function expectError(promise: Promise<unknown>, name: string): Promise<Error & Record<string, unknown>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error & Record<string, unknown>,
  );
  expect(error?.name).toBe(name);
  return error as Error & Record<string, unknown>;
}

describe("certbot's layout", () => {
  it('writes archive/<name>/*N.pem, live/<name>/*.pem as relative links to them, and both README files', async () => {
    await issue(versionOf('example.com', 1));
    const archive = join(dir, 'archive', 'example.com');
    expect((await readdir(archive)).sort()).toEqual(['cert1.pem', 'chain1.pem', 'fullchain1.pem', 'meta1.json', 'privkey1.pem']);
    expect((await readdir(join(dir, 'live', 'example.com'))).sort()).toEqual(['README', 'cert.pem', 'chain.pem', 'fullchain.pem', 'privkey.pem']);
    for (const kind of ['cert', 'chain', 'fullchain', 'privkey']) {
      const link = join(dir, 'live', 'example.com', `${kind}.pem`);
      expect((await lstat(link)).isSymbolicLink()).toBe(true);
      expect(await readlink(link)).toBe(`../../archive/example.com/${kind}1.pem`);
      expect(await realpath(link)).toBe(await realpath(join(archive, `${kind}1.pem`)));
    }
    const version = versionOf('example.com', 1);
    expect(await readFile(join(dir, 'live', 'example.com', 'fullchain.pem'), 'utf8')).toBe(version.fullchainPem);
    expect(await readFile(join(dir, 'live', 'example.com', 'README'), 'utf8')).toBe(liveReadme());
    expect(await readFile(join(dir, 'live', 'README'), 'utf8')).toContain('`[cert name]/privkey.pem`  : the private key for your certificate.');
  });

  it('makes archive/, live/ and renewal/ 0700 like certbot, and the key 0600', async () => {
    await issue(versionOf('example.com', 1));
    await store.putLineage(minimalLineage());
    expect(await mode(join(dir, 'archive'))).toBe(0o700);
    expect(await mode(join(dir, 'live'))).toBe(0o700);
    expect(await mode(join(dir, 'renewal'))).toBe(0o700);
    expect(await mode(join(dir, 'archive', 'example.com', 'privkey1.pem'))).toBe(0o600);
    expect(await mode(join(dir, 'archive', 'example.com', 'cert1.pem'))).toBe(0o644 & ~process.umask());
  });

  it('moves the whole tree without breaking live/: the links are relative', async () => {
    await issue(versionOf('example.com', 1));
    const moved = join(dir, '..', 'moved');
    await import('node:fs/promises').then((fs) => fs.rename(dir, moved));
    const live = await new FilesystemCertificateStore({ configDir: moved }).getLive('example.com');
    expect(live?.version).toBe(1);
    expect(await readFile(join(moved, 'live', 'example.com', 'privkey.pem'), 'utf8')).toBe(KEY);
    dir = moved;
  });

  it('refuses archive/<name> or live/<name> that is a symbolic link or leads outside the config dir, writing nothing there', async () => {
    const outside = join(dir, '..', 'elsewhere');
    await mkdir(join(outside, 'example.com'), { recursive: true });
    await mkdir(join(dir, 'archive'), { recursive: true });
    await symlink(join(outside, 'example.com'), join(dir, 'archive', 'example.com'));
    const rejection = async (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => e);
    expect(await rejection(store.putVersion(versionOf('example.com', 1)))).toMatchObject({ name: 'LineageDirectoryError', message: expect.stringContaining('archive/example.com is a symbolic link') });
    expect(await rejection(keys.getCertificateKey('example.com', 1))).toMatchObject({ name: 'LineageDirectoryError' });
    expect(await readdir(join(outside, 'example.com'))).toEqual([]);
    // live/ itself linked out of the config dir: every lineage under it leads outside.
    await issue(versionOf('other.example', 1));
    await store.putLineage(minimalLineage('other.example'));
    await import('node:fs/promises').then((fs) => fs.rename(join(dir, 'live'), join(outside, 'live')));
    await symlink(join(outside, 'live'), join(dir, 'live'));
    expect(await rejection(store.getLive('other.example'))).toMatchObject({ name: 'LineageDirectoryError', message: expect.stringContaining('leads outside the config directory') });
    expect(await rejection(store.getLineage('other.example'))).toMatchObject({ name: 'LineageDirectoryError' });
  });

  it('accepts a config directory that is itself a symbolic link (a moved /etc/letsencrypt)', async () => {
    await issue(versionOf('example.com', 1));
    const linked = join(dir, '..', 'linked');
    await symlink(dir, linked);
    expect((await new FilesystemCertificateStore({ configDir: linked }).getLive('example.com'))?.version).toBe(1);
  });

  it('leaves no temporary file behind', async () => {
    await issue(versionOf('example.com', 1));
    await issue(versionOf('example.com', 2));
    await store.putLineage(minimalLineage());
    const all: string[] = [];
    const walk = async (d: string) => {
      for (const entry of await readdir(d, { withFileTypes: true })) {
        all.push(entry.name);
        if (entry.isDirectory()) await walk(join(d, entry.name));
      }
    };
    await walk(dir);
    expect(all.filter((name) => name.endsWith('.tmp') || name.endsWith('.guard') || name.startsWith('previous_'))).toEqual([]);
  });
});

describe('lineages in renewal/<name>.conf', () => {
  it('round-trips a whole lineage (spec and state) through the conf, with the etag a hash of the file', async () => {
    const lineage = fullLineage();
    const { etag } = await store.putLineage(lineage);
    const file = await readFile(join(dir, 'renewal', 'example.jp.conf'));
    expect(etag).toBe(createHash('sha256').update(file).digest('hex'));
    expect(file.toString()).toContain(`\ncert = ${dir}/live/example.jp/cert.pem\n`);
    expect(file.toString()).toContain(`\narchive_dir = ${dir}/archive/example.jp\n`);
    expect(await store.getLineage('example.jp')).toEqual({ lineage, etag });
  });

  it('resolves undefined for an unknown lineage, and refuses names that are not file names', async () => {
    expect(await store.getLineage('nothing.example')).toBeUndefined();
    for (const bad of ['../etc', 'a/b', '.hidden', '', 'a b']) await expectError(store.getLineage(bad), 'InvalidLineageNameError');
    const lineage = minimalLineage();
    await expectError(store.putLineage({ ...lineage, spec: { ...lineage.spec, name: '../../tmp/x' } }), 'InvalidLineageNameError');
  });

  it("reads an operator's hand-edited renew_before_expiry = 91 days on the next read, and the edit changes the etag", async () => {
    const { etag } = await store.putLineage(fullLineage());
    const path = join(dir, 'renewal', 'example.jp.conf');
    await writeFile(path, (await readFile(path, 'utf8')).replace('renew_before_expiry = 45 days', 'renew_before_expiry = 91 days'));
    const stored = await store.getLineage('example.jp');
    expect(stored?.lineage.spec.renewBeforeExpirySeconds).toBe(91 * 86_400);
    expect(stored?.etag).not.toBe(etag);
    // A run that read the lineage before the edit must not write over it.
    await expectError(store.putLineage(fullLineage(), { expectedEtag: etag }), 'LineageConflictError');
    // One that read it after the edit keeps it.
    const updated = { ...stored!.lineage, state: { ...stored!.lineage.state, currentVersion: 3 } };
    await store.putLineage(updated, { expectedEtag: stored!.etag });
    expect(await readFile(path, 'utf8')).toContain('renew_before_expiry = 91 days\n');
  });

  it('answers repeated reads of an unchanged conf with equal lineages each caller owns, and sees a rewrite by another store at once', async () => {
    await store.putLineage(fullLineage());
    const first = await store.getLineage('example.jp');
    const second = await store.getLineage('example.jp');
    expect(second).toEqual(first);
    const stored = first!.lineage.state.currentVersion;
    (first!.lineage.state as { currentVersion: number }).currentVersion = 99;
    expect((await store.getLineage('example.jp'))?.lineage.state.currentVersion).toBe(stored);
    const other = new FilesystemCertificateStore({ configDir: dir });
    await other.putLineage({ ...second!.lineage, state: { ...second!.lineage.state, currentVersion: 7 } }, { expectedEtag: second!.etag });
    expect((await store.getLineage('example.jp'))?.lineage.state.currentVersion).toBe(7);
  });

  it('checks expectedEtag: null means "must not exist", a string must match the stored file', async () => {
    const lineage = minimalLineage();
    await expectError(store.putLineage(lineage, { expectedEtag: 'abc' }), 'LineageConflictError');
    const first = await store.putLineage(lineage, { expectedEtag: null });
    await expectError(store.putLineage(lineage, { expectedEtag: null }), 'LineageConflictError');
    const next = { ...lineage, state: { currentVersion: 1 } };
    const second = await store.putLineage(next, { expectedEtag: first.etag });
    expect(second.etag).not.toBe(first.etag);
    expect((await store.getLineage('example.com'))?.lineage.state.currentVersion).toBe(1);
    expect((await store.putLineage(lineage)).etag).toBe(first.etag); // no expectedEtag: unconditional
  });

  it('lets exactly one of many concurrent writers with the same etag win', async () => {
    const { etag } = await store.putLineage(minimalLineage());
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => store.putLineage({ ...minimalLineage(), state: { currentVersion: i + 1 } }, { expectedEtag: etag })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.name)).toEqual(Array(7).fill('LineageConflictError'));
    expect((await store.getLineage('example.com'))?.etag).toBe((won[0] as PromiseFulfilledResult<{ etag: string }>).value.etag);
  });

  it("keeps what an operator added (account, hooks, a section) and the conf's mode when it rewrites", async () => {
    await store.putLineage(minimalLineage());
    const path = join(dir, 'renewal', 'example.com.conf');
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('[renewalparams]\n', '[renewalparams]\naccount = 0123abcd\npost_hook = systemctl reload nginx\n') + '\n[notes]\nowner = web\n', { mode: 0o600 });
    await import('node:fs/promises').then((fs) => fs.chmod(path, 0o600));
    // The hooks are the lineage's (certbot's keys, read into the spec): a read-modify-write keeps them.
    const read = (await store.getLineage('example.com'))!;
    expect(read.lineage.spec.hooks?.postHook).toBe('systemctl reload nginx');
    await store.putLineage({ spec: read.lineage.spec, state: { currentVersion: 4 } }, { expectedEtag: read.etag });
    const rewritten = await readFile(path, 'utf8');
    expect(rewritten).toContain('\naccount = 0123abcd\n');
    expect(rewritten).toContain('\npost_hook = systemctl reload nginx\n');
    expect(rewritten).toContain('\n[notes]\nowner = web\n');
    expect(rewritten).toContain('\ncurrent_version = 4\n');
    expect(await mode(path)).toBe(0o600);
  });

  it('deletes a lineage like certbot delete: conf, live/ and archive/', async () => {
    await store.putLineage(minimalLineage());
    await issue(versionOf('example.com', 1));
    await store.deleteLineage('example.com');
    expect(await store.getLineage('example.com')).toBeUndefined();
    expect(await store.getLive('example.com')).toBeUndefined();
    expect(await store.latestVersion('example.com')).toBe(0);
    await store.deleteLineage('example.com'); // gone already is fine
  });
});

describe('versions', () => {
  it('are write-once: the same certificate again is a no-op, another one a VersionConflictError', async () => {
    const v1 = versionOf('example.com', 1);
    await store.putVersion(v1);
    const metaPath = join(dir, 'archive', 'example.com', 'meta1.json');
    const before = await stat(metaPath);
    // A retried step recomputes issuedAt; the stored version stays as it was.
    await store.putVersion({ ...v1, meta: { ...v1.meta, issuedAt: '2030-01-01T00:00:00.000Z' } });
    expect((await stat(metaPath)).mtimeMs).toBe(before.mtimeMs);
    expect((await store.getVersion('example.com', 1))?.meta.issuedAt).toBe(v1.meta.issuedAt);
    // The same certificate with CRLF line endings is the same certificate.
    await store.putVersion({ ...v1, certPem: v1.certPem.replace(/\n/g, '\r\n') });
    const error = await expectError(store.putVersion(versionOf('example.com', 1, '99')), 'VersionConflictError');
    expect(error).toMatchObject({ lineage: 'example.com', version: 1 });
    expect(await store.getVersion('example.com', 1)).toEqual(v1);
  });

  it('reads a version back as written, and undefined for one never written', async () => {
    const v = versionOf('example.com', 5);
    await store.putVersion(v);
    expect(await store.getVersion('example.com', 5)).toEqual(v);
    expect(await store.getVersion('example.com', 4)).toBeUndefined();
    expect(await store.getVersion('other.example', 1)).toBeUndefined();
    expect(JSON.parse(await readFile(join(dir, 'archive', 'example.com', 'meta5.json'), 'utf8'))).toEqual(v.meta);
  });

  it('keeps live/ on the old version until promoteVersion, then serves the new one', async () => {
    await issue(versionOf('example.com', 1));
    const v2 = versionOf('example.com', 2);
    await store.putVersion(v2);
    await keys.putPendingCertificateKey('example.com', 'order-2', KEY_2);
    await keys.promoteCertificateKey('example.com', 'order-2', 2, v2.fullchainPem);
    expect((await store.getLive('example.com'))?.version).toBe(1);
    expect(await keys.getCurrentCertificateKey('example.com')).toBe(KEY);
    expect(await readlink(join(dir, 'live', 'example.com', 'cert.pem'))).toBe('../../archive/example.com/cert1.pem');
    await store.promoteVersion('example.com', 2);
    expect(await store.getLive('example.com')).toEqual(v2);
    expect(await readFile(join(dir, 'live', 'example.com', 'cert.pem'), 'utf8')).toBe(v2.certPem);
    expect(await keys.getCurrentCertificateKey('example.com')).toBe(KEY_2);
    await store.promoteVersion('example.com', 2); // again: nothing changes
    expect(await liveLinks()).toEqual({ cert: 2, privkey: 2, chain: 2, fullchain: 2 });
  });

  it('switches all four links, privkey.pem with the certificate, and leaves no journal behind', async () => {
    await issue(versionOf('example.com', 1));
    await issue(versionOf('example.com', 2), KEY_2);
    expect(await liveLinks()).toEqual({ cert: 2, privkey: 2, chain: 2, fullchain: 2 });
    expect((await readdir(join(dir, 'live', 'example.com'))).sort()).toEqual(['README', 'cert.pem', 'chain.pem', 'fullchain.pem', 'privkey.pem']);
  });

  it('refuses a version whose key is not archived while live/ serves a key: the pair would not match', async () => {
    await issue(versionOf('example.com', 1));
    await store.putVersion(versionOf('example.com', 2));
    const error = await expectError(store.promoteVersion('example.com', 2), 'KeyNotFoundError');
    expect(error.message).toContain('privkey2.pem');
    expect(await liveLinks()).toEqual({ cert: 1, privkey: 1, chain: 1, fullchain: 1 });
  });

  it('refuses to promote a version that is not complete', async () => {
    await expectError(store.promoteVersion('example.com', 1), 'VersionNotFoundError');
    expect(await store.getLive('example.com')).toBeUndefined();
  });

  it('survives a crash: files without meta are not a version; putVersion again converges', async () => {
    await issue(versionOf('example.com', 1));
    const archive = join(dir, 'archive', 'example.com');
    // What a crash after the first files (and a torn write) leaves behind.
    await writeFile(join(archive, 'cert2.pem'), '-----BEGIN CERTIFICATE-----\nTORN');
    await writeFile(join(archive, 'chain2.pem'), 'junk');
    expect(await store.getVersion('example.com', 2)).toBeUndefined();
    expect(await store.latestVersion('example.com')).toBe(2); // complete or not
    await expectError(store.promoteVersion('example.com', 2), 'VersionNotFoundError');
    expect((await store.getLive('example.com'))?.version).toBe(1);
    const v2 = versionOf('example.com', 2);
    await store.putVersion(v2);
    expect(await store.getVersion('example.com', 2)).toEqual(v2);
    expect(await readFile(join(archive, 'cert2.pem'), 'utf8')).toBe(v2.certPem);
  });

  it('reports damage to a complete version instead of serving half of it', async () => {
    await store.putVersion(versionOf('example.com', 1));
    await rm(join(dir, 'archive', 'example.com', 'chain1.pem'));
    const error = await expectError(store.getVersion('example.com', 1), 'ArchiveCorruptError');
    expect(error.message).toContain('chain1.pem is missing');
    await writeFile(join(dir, 'archive', 'example.com', 'meta1.json'), '{not json');
    await expectError(store.getVersion('example.com', 1), 'ArchiveCorruptError');
  });

  it('counts every archive file for latestVersion, and 0 for a lineage without any', async () => {
    expect(await store.latestVersion('example.com')).toBe(0);
    await store.putVersion(versionOf('example.com', 3));
    expect(await store.latestVersion('example.com')).toBe(3);
    await writeFile(join(dir, 'archive', 'example.com', 'privkey4.pem'), 'x', { mode: 0o600 });
    await writeFile(join(dir, 'archive', 'example.com', 'cert10.pem.bak'), 'x');
    await writeFile(join(dir, 'archive', 'example.com', 'notes.txt'), 'x');
    expect(await store.latestVersion('example.com')).toBe(4);
  });
});

describe('a switch of live/ cut short (certbot\'s previous_*.pem journal)', () => {
  const KINDS = ['cert', 'privkey', 'chain', 'fullchain'] as const;
  const live = (file: string) => join(dir, 'live', 'example.com', file);

  /** Version 1 served; version 2 archived with its key, not promoted yet. */
  async function twoVersions(): Promise<void> {
    await issue(versionOf('example.com', 1));
    const v2 = versionOf('example.com', 2);
    await store.putVersion(v2);
    await keys.putPendingCertificateKey('example.com', 'order-2', KEY_2);
    await keys.promoteCertificateKey('example.com', 'order-2', 2, v2.fullchainPem);
  }

  /** What a process killed after `switched` of the four renames leaves: the complete journal, links mixed. */
  async function killedAfter(switched: number, journalTarget = (kind: string) => `../../archive/example.com/${kind}1.pem`): Promise<void> {
    for (const kind of KINDS) await symlink(journalTarget(kind), live(`previous_${kind}.pem`));
    for (const kind of KINDS.slice(0, switched)) {
      await rm(live(`${kind}.pem`));
      await symlink(`../../archive/example.com/${kind}2.pem`, live(`${kind}.pem`));
    }
  }

  it('readers get the old pair until the repair; the next promotion restores it, then switches all four', async () => {
    await twoVersions();
    await killedAfter(2); // cert and privkey on 2, chain and fullchain on 1
    expect((await store.getLive('example.com'))?.version).toBe(1);
    expect(await keys.getCurrentCertificateKey('example.com')).toBe(KEY);
    await store.promoteVersion('example.com', 2);
    expect(await liveLinks()).toEqual({ cert: 2, privkey: 2, chain: 2, fullchain: 2 });
    expect((await readdir(join(dir, 'live', 'example.com'))).filter((f) => f.startsWith('previous_') || f.endsWith('.tmp'))).toEqual([]);
    expect(await keys.getCurrentCertificateKey('example.com')).toBe(KEY_2);
  });

  it('the repair alone puts all four links back on the old version, as certbot\'s _fix_symlinks does', async () => {
    for (const switched of [1, 2, 3, 4]) {
      await rm(dir, { recursive: true, force: true });
      await twoVersions();
      await killedAfter(switched);
      expect(await repairInterruptedSwitch(store.layout, 'example.com')).toBe(true);
      expect(await liveLinks(), `after ${switched} renames`).toEqual({ cert: 1, privkey: 1, chain: 1, fullchain: 1 });
      expect((await readdir(join(dir, 'live', 'example.com'))).sort()).toEqual(['README', 'cert.pem', 'chain.pem', 'fullchain.pem', 'privkey.pem']);
    }
  });

  it('an incomplete journal (cut short while written, or while removed) is only removed', async () => {
    await twoVersions();
    // Killed while the journal was written: the links are all still on 1.
    await symlink('../../archive/example.com/cert1.pem', live('previous_cert.pem'));
    await symlink('../../archive/example.com/privkey1.pem', live('previous_privkey.pem'));
    expect(await repairInterruptedSwitch(store.layout, 'example.com')).toBe(false);
    expect(await liveLinks()).toEqual({ cert: 1, privkey: 1, chain: 1, fullchain: 1 });
    // Killed while the journal was removed (previous_cert.pem first): the links are all on 2 already.
    await store.promoteVersion('example.com', 2);
    await symlink('../../archive/example.com/chain1.pem', live('previous_chain.pem'));
    await symlink('../../archive/example.com/fullchain1.pem', live('previous_fullchain.pem'));
    expect((await store.getLive('example.com'))?.version).toBe(2);
    await store.promoteVersion('example.com', 2);
    expect(await liveLinks()).toEqual({ cert: 2, privkey: 2, chain: 2, fullchain: 2 });
    expect((await readdir(join(dir, 'live', 'example.com'))).filter((f) => f.startsWith('previous_'))).toEqual([]);
  });

  it('repairs a journal certbot wrote (absolute targets) the same way, and removes links a killed swap left under temporary names', async () => {
    await twoVersions();
    await killedAfter(3, (kind) => join(dir, 'archive', 'example.com', `${kind}1.pem`));
    await symlink('../../archive/example.com/fullchain2.pem', live('.fullchain.pem.0000-dead.tmp'));
    expect((await store.getLive('example.com'))?.version).toBe(1);
    await repairInterruptedSwitch(store.layout, 'example.com');
    expect(await liveLinks()).toEqual({ cert: 1, privkey: 1, chain: 1, fullchain: 1 });
    expect((await readdir(join(dir, 'live', 'example.com'))).sort()).toEqual(['README', 'cert.pem', 'chain.pem', 'fullchain.pem', 'privkey.pem']);
  });

  it('a process killed between any two of the four renames leaves the journal, and the old pair is restored', async () => {
    const child = join(import.meta.dirname, 'support', 'promote-version.ts');
    const preload = join(import.meta.dirname, '..', '..', '..', 'reliability', 'support', 'kill-at-live-rename.mjs');
    for (const after of [1, 2, 3]) {
      await rm(dir, { recursive: true, force: true });
      await twoVersions();
      const proc = spawn(process.execPath, ['--import', 'tsx', '--import', preload, child, dir, 'example.com', '2'], {
        cwd: process.cwd(),
        env: { ...process.env, ACMEFLOW_KILL_AFTER_LIVE_RENAMES: String(after), ACMEFLOW_KILL_LINEAGE: 'example.com' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      const [, signal] = (await once(proc, 'exit')) as [number | null, NodeJS.Signals | null];
      expect(signal, `killed after ${after} renames`).toBe('SIGKILL');
      // Exactly `after` links moved, in certbot's order, and the journal names the old pair.
      const links = await liveLinks();
      expect(Object.values(links)).toEqual([...Array(after).fill(2), ...Array(4 - after).fill(1)]);
      for (const kind of KINDS) expect(await readlink(live(`previous_${kind}.pem`))).toBe(`../../archive/example.com/${kind}1.pem`);
      expect((await store.getLive('example.com'))?.version).toBe(1);
      expect(await keys.getCurrentCertificateKey('example.com')).toBe(KEY);
      await store.promoteVersion('example.com', 2);
      expect(await liveLinks()).toEqual({ cert: 2, privkey: 2, chain: 2, fullchain: 2 });
    }
  }, 60_000);
});

describe('listLineages', () => {
  it('pages through renewal/*.conf in sorted order with a cursor, skipping files that are not lineages', async () => {
    const names = ['b.example', 'a.example', 'g.example', 'c.example', 'f.example', 'e.example', 'd.example'];
    for (const name of names) await store.putLineage(minimalLineage(name));
    // certbot's temp file, a name no store method could open, a stray file.
    await writeFile(join(dir, 'renewal', 'h.example.conf.new'), '');
    await writeFile(join(dir, 'renewal', 'bad name.conf'), '');
    await writeFile(join(dir, 'renewal', 'README'), '');
    const first = await store.listLineages({ limit: 3 });
    expect(first).toEqual({ names: ['a.example', 'b.example', 'c.example'], cursor: 'c.example' });
    const second = await store.listLineages({ limit: 3, cursor: first.cursor! });
    expect(second).toEqual({ names: ['d.example', 'e.example', 'f.example'], cursor: 'f.example' });
    const last = await store.listLineages({ limit: 3, cursor: second.cursor! });
    expect(last).toEqual({ names: ['g.example'] });
    expect(await store.listLineages()).toEqual({ names: [...names].sort() });
    expect(await store.listLineages({ limit: 7 })).toEqual({ names: [...names].sort() });
  });

  it('lists nothing in an empty or missing config directory, and refuses a bad limit', async () => {
    expect(await store.listLineages()).toEqual({ names: [] });
    await mkdir(join(dir, 'renewal'), { recursive: true });
    expect(await store.listLineages({ limit: 1 })).toEqual({ names: [] });
    await expect(store.listLineages({ limit: 0 })).rejects.toThrow(RangeError);
  });
});
