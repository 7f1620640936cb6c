/**
 * LineageRoutedKeyStore over two filesystem key stores standing in for S3 and Secrets Manager: each
 * lineage's keys go where its spec says, account keys to Secrets Manager, and a lineage that moved
 * keeps its pending and current keys.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyStoreKind } from '../../../shared/config/index.js';
import { LineageRoutedKeyStore } from '../../../shared/store/index.js';
import { FilesystemCertificateStore, FilesystemKeyStore } from '../../../shared/store/filesystem/index.js';
import { versionOf } from './filesystem/fixtures.js';

let dir: string;
let s3: FilesystemKeyStore;
let secrets: FilesystemKeyStore;
let kinds: Record<string, KeyStoreKind>;
let routed: LineageRoutedKeyStore;
const pem = (label: string) => `-----BEGIN PRIVATE KEY-----\n${Buffer.from(label).toString('base64')}\n-----END PRIVATE KEY-----\n`;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'acmeflow-routed-'));
  s3 = new FilesystemKeyStore({ configDir: join(dir, 's3') });
  secrets = new FilesystemKeyStore({ configDir: join(dir, 'sm') });
  kinds = {};
  routed = new LineageRoutedKeyStore({ s3, secretsManager: secrets, keyStoreOf: async (name) => kinds[name] ?? 's3' });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Serves version `n` in the store at `root` (the filesystem store serves keys through live/). */
async function serve(root: string, name: string, n: number): Promise<void> {
  const certificates = new FilesystemCertificateStore({ configDir: join(dir, root) });
  await certificates.putVersion(versionOf(name, n));
  await certificates.promoteVersion(name, n);
}

describe('LineageRoutedKeyStore', () => {
  it("puts each lineage's keys in the store its spec names, and account keys in Secrets Manager", async () => {
    kinds['in-secrets.example'] = 'secretsManager';
    await routed.putPendingCertificateKey('in-s3.example', 'o1', pem('a'));
    await routed.putPendingCertificateKey('in-secrets.example', 'o1', pem('b'));
    await routed.putAccountKey('ca-default', { privateKeyPem: pem('acct'), directoryUrl: 'https://ca.test/dir' });

    await expect(s3.getPendingCertificateKey('in-s3.example', 'o1')).resolves.toBe(pem('a'));
    await expect(secrets.getPendingCertificateKey('in-s3.example', 'o1')).resolves.toBeUndefined();
    await expect(secrets.getPendingCertificateKey('in-secrets.example', 'o1')).resolves.toBe(pem('b'));
    await expect(secrets.getAccountKey('ca-default')).resolves.toMatchObject({ privateKeyPem: pem('acct') });
    await expect(s3.getAccountKey('ca-default')).resolves.toBeUndefined();
  });

  it('finishes an order started before the lineage moved with the key its CSR used', async () => {
    kinds['moved.example'] = 'secretsManager';
    await routed.putPendingCertificateKey('moved.example', 'o1', pem('first'));
    kinds['moved.example'] = 's3';

    await expect(routed.putPendingCertificateKey('moved.example', 'o1', pem('second'))).resolves.toBe(pem('first'));
    await new FilesystemCertificateStore({ configDir: join(dir, 'sm') }).putVersion(versionOf('moved.example', 1));
    await routed.promoteCertificateKey('moved.example', 'o1', 1, 'fullchain');
    await expect(secrets.getCertificateKey('moved.example', 1)).resolves.toBe(pem('first'));
    await expect(s3.getPendingCertificateKey('moved.example', 'o1')).resolves.toBeUndefined();
  });

  it('answers the current key from the old store until the lineage renews in the new one', async () => {
    kinds['moved.example'] = 'secretsManager';
    await routed.putPendingCertificateKey('moved.example', 'o1', pem('old'));
    await new FilesystemCertificateStore({ configDir: join(dir, 'sm') }).putVersion(versionOf('moved.example', 1));
    await routed.promoteCertificateKey('moved.example', 'o1', 1, 'fullchain');
    await serve('sm', 'moved.example', 1);
    kinds['moved.example'] = 's3';

    await expect(routed.getCurrentCertificateKey('moved.example')).resolves.toBe(pem('old'));
    await routed.putPendingCertificateKey('moved.example', 'o2', pem('new'));
    await new FilesystemCertificateStore({ configDir: join(dir, 's3') }).putVersion(versionOf('moved.example', 2));
    await routed.promoteCertificateKey('moved.example', 'o2', 2, 'fullchain');
    await serve('s3', 'moved.example', 2);

    await expect(routed.getCurrentCertificateKey('moved.example')).resolves.toBe(pem('new'));
    await expect(s3.getCertificateKey('moved.example', 2)).resolves.toBe(pem('new'));
  });

  it('keeps KeyNotFoundError when neither store has the key to promote', async () => {
    await expect(routed.promoteCertificateKey('none.example', 'o1', 1, 'fullchain')).rejects.toMatchObject({ name: 'KeyNotFoundError' });
  });
});
