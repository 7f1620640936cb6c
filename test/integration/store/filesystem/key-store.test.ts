/**
 * FilesystemKeyStore on real temporary directories: pending keys, promotion into certbot's
 * archive (live/ follows with the certificate store's promotion), account keys, and the modes that
 * keep keys private.
 */
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilesystemCertificateStore, FilesystemKeyStore } from '../../../../shared/store/filesystem/index.js';
import { versionOf } from '../../../unit/store/filesystem/fixtures.js';
import { keyStoreContract } from '../key-store-contract.js';

let dir: string;
let keys: FilesystemKeyStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'acmeflow-fs-keys-'));
  keys = new FilesystemKeyStore({ configDir: dir });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;
const pem = (body: string) => `-----BEGIN PRIVATE KEY-----\n${Buffer.from(body).toString('base64')}\n-----END PRIVATE KEY-----\n`;
const KEY_A = pem('key A: never in a message');
const KEY_B = pem('key B: never in a message');
const TOKEN = 'https://acme.example/order/123/../../etc/passwd';

async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error & Record<string, unknown>,
  );
}

/** Runs `fn` with the most permissive umask, so modes come from the code, not from the umask. */
async function withUmask<T>(umask: number, fn: () => Promise<T>): Promise<T> {
  const old = process.umask(umask);
  try {
    return await fn();
  } finally {
    process.umask(old);
  }
}

keyStoreContract('FilesystemKeyStore in certbot\'s layout', () => {
  const certificates = new FilesystemCertificateStore({ configDir: dir });
  return {
    keys,
    putVersion: (lineage, n) => certificates.putVersion(versionOf(lineage, n)),
    promoteVersion: (lineage, n) => certificates.promoteVersion(lineage, n),
  };
});

describe('pending certificate keys', () => {
  it('stores one under keys/pending/<name>/<sha256(token)>.pem, 0600 in 0700 directories, whatever the umask', async () => {
    await withUmask(0, () => keys.putPendingCertificateKey('example.com', TOKEN, KEY_A));
    const file = join(dir, 'keys', 'pending', 'example.com', `${createHash('sha256').update(TOKEN).digest('hex')}.pem`);
    expect(await readFile(file, 'utf8')).toBe(KEY_A);
    expect(await mode(file)).toBe(0o600);
    for (const d of ['keys', 'keys/pending', 'keys/pending/example.com']) expect(await mode(join(dir, d))).toBe(0o700);
    expect(await keys.getPendingCertificateKey('example.com', TOKEN)).toBe(KEY_A);
    expect(await keys.getPendingCertificateKey('example.com', 'other')).toBeUndefined();
    expect(await keys.getPendingCertificateKey('other.example', TOKEN)).toBeUndefined();
  });

  it('keeps the first key for a token: a retried FinalizeOrder gets back the key its CSR used', async () => {
    expect(await keys.putPendingCertificateKey('example.com', TOKEN, KEY_A)).toBe(KEY_A);
    expect(await keys.putPendingCertificateKey('example.com', TOKEN, KEY_B)).toBe(KEY_A);
    const racers = await Promise.all([KEY_A, KEY_B, KEY_A, KEY_B].map((k) => keys.putPendingCertificateKey('example.com', 'race', k)));
    expect(new Set(racers).size).toBe(1); // every racer got the one key that was stored
    expect(await keys.getPendingCertificateKey('example.com', 'race')).toBe(racers[0]);
  });

  it('discards a pending key, and discarding an unknown one is a no-op', async () => {
    await keys.putPendingCertificateKey('example.com', TOKEN, KEY_A);
    await keys.discardPendingCertificateKey('example.com', TOKEN);
    expect(await keys.getPendingCertificateKey('example.com', TOKEN)).toBeUndefined();
    await keys.discardPendingCertificateKey('example.com', TOKEN);
    await keys.discardPendingCertificateKey('never.example', 'nothing');
  });

  it('refuses lineage names that would leave the config directory', async () => {
    expect((await rejection(keys.putPendingCertificateKey('../outside', TOKEN, KEY_A))).name).toBe('InvalidLineageNameError');
    expect((await rejection(keys.getCurrentCertificateKey('a/b'))).name).toBe('InvalidLineageNameError');
  });
});

describe('promoteCertificateKey', () => {
  /** StoreCertificate's order: the version archived, its key promoted, then live/ switched. */
  async function store(version: number, token: string, key: string): Promise<void> {
    const certificates = new FilesystemCertificateStore({ configDir: dir });
    await certificates.putVersion(versionOf('example.com', version));
    await keys.putPendingCertificateKey('example.com', token, key);
    await keys.promoteCertificateKey('example.com', token, version, versionOf('example.com', version).fullchainPem);
    await certificates.promoteVersion('example.com', version);
  }

  it('writes archive/<name>/privkey<N>.pem 0600 and drops the pending key, leaving live/ to the certificate store', async () => {
    await keys.putPendingCertificateKey('example.com', TOKEN, KEY_A);
    await withUmask(0, () => keys.promoteCertificateKey('example.com', TOKEN, 1, versionOf('example.com', 1).fullchainPem));
    const archived = join(dir, 'archive', 'example.com', 'privkey1.pem');
    expect(await readFile(archived, 'utf8')).toBe(KEY_A);
    expect(await mode(archived)).toBe(0o600);
    expect(await mode(join(dir, 'archive'))).toBe(0o700);
    // Not served yet: live/privkey.pem switches with the certificate, in promoteVersion.
    await expect(lstat(join(dir, 'live', 'example.com', 'privkey.pem'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await keys.getCurrentCertificateKey('example.com')).toBeUndefined();
    expect(await keys.getPendingCertificateKey('example.com', TOKEN)).toBeUndefined();
    expect(await readdir(join(dir, 'keys', 'pending', 'example.com'))).toEqual([]);
  });

  it('is served once the certificate store promotes the version: live/<name>/privkey.pem links to it like certbot', async () => {
    await store(1, TOKEN, KEY_A);
    const live = join(dir, 'live', 'example.com', 'privkey.pem');
    expect((await lstat(live)).isSymbolicLink()).toBe(true);
    expect(await readlink(live)).toBe('../../archive/example.com/privkey1.pem');
    expect(await keys.getCurrentCertificateKey('example.com')).toBe(KEY_A);
  });

  it('keeps serving the old key until the new version is promoted', async () => {
    await store(1, 't1', KEY_A);
    const certificates = new FilesystemCertificateStore({ configDir: dir });
    await certificates.putVersion(versionOf('example.com', 2));
    await keys.putPendingCertificateKey('example.com', 't2', KEY_B);
    await keys.promoteCertificateKey('example.com', 't2', 2, '');
    expect(await keys.getCurrentCertificateKey('example.com')).toBe(KEY_A);
    for (const kind of ['cert', 'chain', 'fullchain', 'privkey']) expect(await readlink(join(dir, 'live', 'example.com', `${kind}.pem`))).toBe(`../../archive/example.com/${kind}1.pem`);
    await certificates.promoteVersion('example.com', 2);
    expect(await keys.getCurrentCertificateKey('example.com')).toBe(KEY_B);
  });

  it('is idempotent, and never moves live/ back to a version promoted before', async () => {
    await store(1, 't1', KEY_A);
    await keys.promoteCertificateKey('example.com', 't1', 1, '');
    expect(await keys.getCurrentCertificateKey('example.com')).toBe(KEY_A);
    await store(2, 't2', KEY_B);
    expect(await keys.getCurrentCertificateKey('example.com')).toBe(KEY_B);
    await keys.promoteCertificateKey('example.com', 't1', 1, ''); // a late retry of the first promotion
    expect(await readlink(join(dir, 'live', 'example.com', 'privkey.pem'))).toBe('../../archive/example.com/privkey2.pem');
  });

  it('completes a promotion cut short after the archive write', async () => {
    await store(1, TOKEN, KEY_A);
    // Crash after privkey2.pem was written, before the pending file's removal.
    await keys.putPendingCertificateKey('example.com', 'next', KEY_B);
    await writeFile(join(dir, 'archive', 'example.com', 'privkey2.pem'), KEY_B, { mode: 0o600 });
    await keys.promoteCertificateKey('example.com', 'next', 2, '');
    expect(await keys.getPendingCertificateKey('example.com', 'next')).toBeUndefined();
    expect(await readFile(join(dir, 'archive', 'example.com', 'privkey2.pem'), 'utf8')).toBe(KEY_B);
    expect(await keys.getCurrentCertificateKey('example.com')).toBe(KEY_A);
  });

  it('throws KeyNotFoundError without a pending key, VersionConflictError over another key, and never shows a key', async () => {
    const missing = await rejection(keys.promoteCertificateKey('example.com', TOKEN, 1, ''));
    expect(missing.name).toBe('KeyNotFoundError');
    await store(1, 'a', KEY_A);
    await keys.putPendingCertificateKey('example.com', 'b', KEY_B);
    const conflict = await rejection(keys.promoteCertificateKey('example.com', 'b', 1, ''));
    expect(conflict).toMatchObject({ name: 'VersionConflictError', lineage: 'example.com', version: 1 });
    expect(await keys.getCurrentCertificateKey('example.com')).toBe(KEY_A);
    for (const error of [missing, conflict]) {
      expect(error.message).not.toContain('PRIVATE KEY');
      expect(error.message).not.toContain(KEY_A.split('\n')[1]);
      expect(error.message).not.toContain(KEY_B.split('\n')[1]);
    }
  });

  it("carries the previous key's group read bit to the renewed key, like certbot", async () => {
    await store(1, 'a', KEY_A);
    // The operator lets a web server group read the key (chgrp ssl-cert; chmod 640).
    await chmod(join(dir, 'archive', 'example.com', 'privkey1.pem'), 0o640);
    await store(2, 'b', KEY_B);
    expect(await mode(join(dir, 'archive', 'example.com', 'privkey2.pem'))).toBe(0o640);
    expect((await stat(join(dir, 'archive', 'example.com', 'privkey2.pem'))).gid).toBe((await stat(join(dir, 'archive', 'example.com', 'privkey1.pem'))).gid);
  });

  it('works with the certificate store in either order, ending with cert and key of the same version live', async () => {
    const certificates = new FilesystemCertificateStore({ configDir: dir });
    const v1 = versionOf('example.com', 1);
    await certificates.putVersion(v1);
    await certificates.promoteVersion('example.com', 1); // no key archived yet, none served: privkey.pem is not linked
    await expect(lstat(join(dir, 'live', 'example.com', 'privkey.pem'))).rejects.toMatchObject({ code: 'ENOENT' });
    await keys.putPendingCertificateKey('example.com', 'a', KEY_A);
    await keys.promoteCertificateKey('example.com', 'a', 1, v1.fullchainPem); // live/cert.pem serves 1: the key joins it
    expect(await keys.getCurrentCertificateKey('example.com')).toBe(KEY_A);
    expect((await certificates.getLive('example.com'))?.version).toBe(1);
    // Once a key is served, a version without its key is refused rather than paired with the old key.
    await certificates.putVersion(versionOf('example.com', 2));
    expect((await rejection(certificates.promoteVersion('example.com', 2))).name).toBe('KeyNotFoundError');
    expect(await readlink(join(dir, 'live', 'example.com', 'cert.pem'))).toBe('../../archive/example.com/cert1.pem');
  });
});

describe('account keys', () => {
  it('stores accounts/<id>/account.json (0600) with key and URL together, in 0700 directories, and reads it back', async () => {
    const account = { privateKeyPem: KEY_A, accountUrl: 'https://acme.example/acct/1', directoryUrl: 'https://acme.example/dir' };
    await withUmask(0, () => keys.putAccountKey('acme.example-default', account));
    const accountDir = join(dir, 'accounts', 'acme.example-default');
    expect(await mode(join(accountDir, 'account.json'))).toBe(0o600);
    expect(await mode(accountDir)).toBe(0o700);
    expect(await mode(join(dir, 'accounts'))).toBe(0o700);
    expect(JSON.parse(await readFile(join(accountDir, 'account.json'), 'utf8'))).toEqual(account);
    expect(await readdir(accountDir)).toEqual(['account.json']);
    expect(await keys.getAccountKey('acme.example-default')).toEqual(account);
  });

  it('reads the two-file layout of an earlier acmeflow, and replaces it with account.json on the next write', async () => {
    const accountDir = join(dir, 'accounts', 'old');
    await mkdir(accountDir, { recursive: true });
    await writeFile(join(accountDir, 'private_key.pem'), KEY_A, { mode: 0o600 });
    await writeFile(join(accountDir, 'meta.json'), JSON.stringify({ accountUrl: 'https://acme.example/acct/2', directoryUrl: 'https://acme.example/dir' }));
    const stored = await keys.getAccountKey('old');
    expect(stored).toEqual({ privateKeyPem: KEY_A, accountUrl: 'https://acme.example/acct/2', directoryUrl: 'https://acme.example/dir' });
    await keys.putAccountKey('old', stored as NonNullable<typeof stored>);
    expect(await readdir(accountDir)).toEqual(['account.json']);
    expect(await keys.getAccountKey('old')).toEqual(stored);
  });

  it('stores a key before registration without a URL, then with it; resolves undefined for unknown ids', async () => {
    expect(await keys.getAccountKey('nobody')).toBeUndefined();
    await keys.putAccountKey('ca', { privateKeyPem: KEY_A, directoryUrl: 'https://acme.example/dir' });
    expect(await keys.getAccountKey('ca')).toEqual({ privateKeyPem: KEY_A, directoryUrl: 'https://acme.example/dir' });
    await keys.putAccountKey('ca', { privateKeyPem: KEY_A, accountUrl: 'https://acme.example/acct/9', directoryUrl: 'https://acme.example/dir' });
    expect((await keys.getAccountKey('ca'))?.accountUrl).toBe('https://acme.example/acct/9');
  });

  it('treats an old-layout key without its meta.json (a crash between the two writes) as absent', async () => {
    const accountDir = join(dir, 'accounts', 'ca');
    await mkdir(accountDir, { recursive: true });
    await writeFile(join(accountDir, 'private_key.pem'), KEY_A, { mode: 0o600 });
    expect(await keys.getAccountKey('ca')).toBeUndefined();
  });

  it('refuses account ids that are not safe directory names', async () => {
    for (const id of ['../x', 'a/b', '.', '..', '']) {
      expect((await rejection(keys.putAccountKey(id, { privateKeyPem: KEY_A, directoryUrl: 'https://a.example/' }))).name).toBe('InvalidLineageNameError');
    }
  });
});
