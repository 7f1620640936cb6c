/**
 * Moving a lineage between the S3 key store (s3rver) and the Secrets Manager key store (the wire-level
 * fake), both directions: the key read after the move is the key before (same public key, no new
 * certificate), the old copy goes only after a later version was delivered, and a crash between each
 * step leaves the lineage readable.
 */
import { createPublicKey } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver, type S3rverHandle } from '../../../harness/s3rver.js';
import { startSecretsManagerFake, type SecretsManagerFake } from '../../../harness/secrets-manager-fake.js';
import type { KeyStoreKind } from '../../../shared/config/key-stores.js';
import { generateCertificateKey } from '../../../shared/crypto/index.js';
import {
  finishKeyStoreMove,
  type CertificateKeyStore,
  type CertificateStore,
  type KeyStoreMoveDeps,
  LineageRoutedKeyStore,
  moveLineageKeyStore,
} from '../../../shared/store/index.js';
import { S3CertificateStore, S3KeyStore } from '../../../shared/store/s3/index.js';
import { SecretsManagerKeyStore } from '../../../shared/store/secrets-manager/index.js';
import { SecretLedger } from '../../reliability/support/secret-scan.js';
import { lineage as lineageOf, version } from '../../unit/store/s3/fixtures.js';

let s3: S3rverHandle;
let sm: SecretsManagerFake;
let s3Client: S3Client;
let smClient: SecretsManagerClient;

beforeAll(async () => {
  [s3, sm] = await Promise.all([startS3rver(), startSecretsManagerFake()]);
  s3Client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
  smClient = new SecretsManagerClient({ endpoint: sm.endpoint, region: sm.region, maxAttempts: 1, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 's' } });
});
afterAll(async () => {
  s3Client?.destroy();
  smClient?.destroy();
  await Promise.all([s3?.stop(), sm?.stop()]);
});

const certificates = () => new S3CertificateStore({ bucket: s3.bucket, client: s3Client });
const stores = () => ({ s3: new S3KeyStore({ bucket: s3.bucket, client: s3Client }), secretsManager: new SecretsManagerKeyStore({ client: smClient }) });
/** What every reader of the issuer uses: routed by the stored spec's `keyStore`. */
const routed = () => {
  const lineages = certificates();
  return new LineageRoutedKeyStore({ ...stores(), keyStoreOf: async (name) => (await lineages.getLineage(name))?.lineage.spec.keyStore ?? 's3' });
};
const deps = (store: KeyStoreMoveDeps['store'] = certificates()): KeyStoreMoveDeps => ({
  store,
  stores: stores(),
  defaultKeyStore: 's3',
  now: () => new Date('2026-12-08T00:00:00Z'),
});
const publicKeyOf = (pem: string | undefined) =>
  createPublicKey(pem ?? '')
    .export({ type: 'spki', format: 'der' })
    .toString('base64');

let count = 0;
/** A lineage in `from` with versions 1 and 2 stored as StoreCertificate stores them; answers version 2's key. */
async function seed(from: KeyStoreKind): Promise<{ name: string; keys: string[] }> {
  count += 1;
  const name = `move${count}-${from.toLowerCase()}.example`;
  const store = certificates();
  const seeded = lineageOf(name);
  await store.putLineage({ spec: { ...seeded.spec, keyStore: from }, state: { currentVersion: 0 } }, { expectedEtag: null });
  const keys: string[] = [];
  for (const n of [1, 2]) keys.push(await renew(name, n));
  return { name, keys };
}

/** One renewal as the workflow does it, through the routed store, ending with the version announced as issued only. */
async function renew(name: string, n: number): Promise<string> {
  const store = certificates();
  const { privateKeyPem } = await generateCertificateKey('ecdsa-p256');
  await routed().putPendingCertificateKey(name, `order-${n}`, privateKeyPem);
  await store.putVersion(version(name, n));
  await routed().promoteCertificateKey(name, `order-${n}`, n, version(name, n).fullchainPem);
  await store.promoteVersion(name, n);
  const stored = await store.getLineage(name);
  await store.putLineage(
    {
      spec: stored!.lineage.spec,
      state: { ...stored!.lineage.state, currentVersion: n, announced: { version: n, issued: true, deployable: false, deployableAt: '2026-12-08T00:10:00Z' } },
    },
    { expectedEtag: stored!.etag },
  );
  return privateKeyPem;
}

async function markDeployable(name: string): Promise<void> {
  const store = certificates();
  const stored = await store.getLineage(name);
  const announced = stored!.lineage.state.announced!;
  await store.putLineage({ spec: stored!.lineage.spec, state: { ...stored!.lineage.state, announced: { ...announced, deployable: true } } }, { expectedEtag: stored!.etag });
}

async function s3KeyObjects(name: string): Promise<string[]> {
  const page = await s3Client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `keys/${name}/` }));
  return (page.Contents ?? []).map((o) => o.Key ?? '').sort();
}

/** A certificate store whose next lineage write dies, as a killed process would between two calls. */
function dyingOnNextWrite(): KeyStoreMoveDeps['store'] {
  const real = certificates();
  let died = false;
  return {
    getLineage: (name) => real.getLineage(name),
    getVersion: (name, n) => real.getVersion(name, n),
    putLineage: async (...args: Parameters<CertificateStore['putLineage']>) => {
      if (!died) {
        died = true;
        throw new Error('killed');
      }
      return real.putLineage(...args);
    },
  };
}

/** The old store's copy of version 2's key (S3 answers by version: its "current" follows live/, which moves on). */
const oldCopy = (from: KeyStoreKind, name: string) => (from === 's3' ? stores().s3.getCertificateKey(name, 2) : stores().secretsManager.getCurrentCertificateKey(name));

const other = (kind: KeyStoreKind): KeyStoreKind => (kind === 's3' ? 'secretsManager' : 's3');

describe.each(['s3', 'secretsManager'] as const)('moving a lineage out of %s', (from) => {
  const to = other(from);

  it('copies the current key, switches the spec, and serves the same key with the same certificate', async () => {
    const { name, keys } = await seed(from);
    const liveBefore = await certificates().getLive(name);

    const outcome = await moveLineageKeyStore(deps(), name, to);

    expect(outcome).toMatchObject({ from, to, moved: true });
    expect(outcome.copiedVersions).toContain(2);
    const stored = await certificates().getLineage(name);
    expect(stored?.lineage.spec.keyStore).toBe(to);
    expect(stored?.lineage.state.keyStoreMove).toMatchObject({ from, to, atVersion: 2 });
    expect(stored?.lineage.state.currentVersion).toBe(2);
    // The new store on its own answers the key, and the routed reader gets it from there.
    await expect(stores()[to].getCurrentCertificateKey(name)).resolves.toBe(keys[1]);
    expect(publicKeyOf(await routed().getCurrentCertificateKey(name))).toBe(publicKeyOf(keys[1]));
    expect((await certificates().getLive(name))?.meta.serialHex).toBe(liveBefore?.meta.serialHex);
    await expect(certificates().latestVersion(name)).resolves.toBe(2);
    // A second run finds the lineage in `to` and does nothing.
    await expect(moveLineageKeyStore(deps(), name, to)).resolves.toMatchObject({ moved: false, copiedVersions: [] });
  });

  it('removes the old copy only after a later version was delivered', async () => {
    const { name, keys } = await seed(from);
    await markDeployable(name);
    await moveLineageKeyStore(deps(), name, to);

    // Version 2 was delivered before the move: no delivery since, so the old copy stays.
    await expect(finishKeyStoreMove({ store: certificates(), keys: routed() }, name)).resolves.toBe(false);
    await expect(oldCopy(from, name)).resolves.toBe(keys[1]);

    const k3 = await renew(name, 3);
    await expect(stores()[to].getCurrentCertificateKey(name)).resolves.toBe(k3);
    // Stored and announced as issued, not yet deployable: still kept.
    await expect(finishKeyStoreMove({ store: certificates(), keys: routed() }, name)).resolves.toBe(false);
    await expect(oldCopy(from, name)).resolves.toBe(keys[1]);

    await markDeployable(name);
    await expect(finishKeyStoreMove({ store: certificates(), keys: routed() }, name)).resolves.toBe(true);
    await expect(oldCopy(from, name)).resolves.toBeUndefined();
    if (from === 's3') expect(await s3KeyObjects(name)).toEqual([]);
    expect((await certificates().getLineage(name))?.lineage.state.keyStoreMove).toBeUndefined();
    await expect(routed().getCurrentCertificateKey(name)).resolves.toBe(k3);
  });

  it('a crash between copy and switch leaves the lineage in the old store, and the next run converges', async () => {
    const { name, keys } = await seed(from);

    await expect(moveLineageKeyStore(deps(dyingOnNextWrite()), name, to)).rejects.toThrow('killed');

    const stored = await certificates().getLineage(name);
    expect(stored?.lineage.spec.keyStore).toBe(from);
    expect(stored?.lineage.state.keyStoreMove).toBeUndefined();
    await expect(stores()[from].getCurrentCertificateKey(name)).resolves.toBe(keys[1]);
    await expect(routed().getCurrentCertificateKey(name)).resolves.toBe(keys[1]);

    await expect(moveLineageKeyStore(deps(), name, to)).resolves.toMatchObject({ moved: true });
    await expect(stores()[to].getCurrentCertificateKey(name)).resolves.toBe(keys[1]);
    expect((await certificates().getLineage(name))?.lineage.spec.keyStore).toBe(to);
  });

  it('a crash in the middle of the copy leaves the lineage in the old store, and the next run converges', async () => {
    const { name, keys } = await seed(from);
    const target: CertificateKeyStore = stores()[to];
    let promotions = 0;
    // Killed on the last promotion of the copy (the current version's).
    const dying: CertificateKeyStore = {
      putPendingCertificateKey: target.putPendingCertificateKey.bind(target),
      getPendingCertificateKey: target.getPendingCertificateKey.bind(target),
      discardPendingCertificateKey: target.discardPendingCertificateKey.bind(target),
      getCurrentCertificateKey: target.getCurrentCertificateKey.bind(target),
      promoteCertificateKey: async (lineage: string, token: string, n: number, fullchainPem: string) => {
        promotions += 1;
        if (n === 2) throw new Error('killed');
        return target.promoteCertificateKey(lineage, token, n, fullchainPem);
      },
    };
    const killed = { ...deps(), stores: { ...stores(), [to]: dying } };
    await expect(moveLineageKeyStore(killed, name, to)).rejects.toThrow('killed');
    expect(promotions).toBeGreaterThan(0);
    expect((await certificates().getLineage(name))?.lineage.spec.keyStore).toBe(from);
    await expect(routed().getCurrentCertificateKey(name)).resolves.toBe(keys[1]);

    await expect(moveLineageKeyStore(deps(), name, to)).resolves.toMatchObject({ moved: true });
    await expect(stores()[to].getCurrentCertificateKey(name)).resolves.toBe(keys[1]);
    await expect(routed().getCurrentCertificateKey(name)).resolves.toBe(keys[1]);
  });

  it('a crash between switch and removal leaves both copies, the new one in use; the next run removes and clears', async () => {
    const { name, keys } = await seed(from);
    await moveLineageKeyStore(deps(), name, to);
    await renew(name, 3);
    await markDeployable(name);

    // Killed after the removal, before the record was cleared.
    await expect(finishKeyStoreMove({ store: dyingOnNextWrite(), keys: routed() }, name)).rejects.toThrow('killed');
    expect((await certificates().getLineage(name))?.lineage.state.keyStoreMove).toMatchObject({ from, to });
    await expect(oldCopy(from, name)).resolves.toBeUndefined();
    await expect(finishKeyStoreMove({ store: certificates(), keys: routed() }, name)).resolves.toBe(true);
    expect((await certificates().getLineage(name))?.lineage.state.keyStoreMove).toBeUndefined();
    expect(publicKeyOf(await routed().getCurrentCertificateKey(name))).not.toBe(publicKeyOf(keys[1]));
  });

  it('before the removal both stores hold the key and the routed reader serves the new one', async () => {
    const { name, keys } = await seed(from);
    await moveLineageKeyStore(deps(), name, to);
    await expect(stores()[from].getCurrentCertificateKey(name)).resolves.toBe(keys[1]);
    await expect(stores()[to].getCurrentCertificateKey(name)).resolves.toBe(keys[1]);
    await expect(routed().getCurrentCertificateKey(name)).resolves.toBe(keys[1]);
  });
});

describe('moving a lineage back and forth', () => {
  it('moves S3 → Secrets Manager → S3 before any removal, keeping the key', async () => {
    const { name, keys } = await seed('s3');
    await moveLineageKeyStore(deps(), name, 'secretsManager');
    await expect(moveLineageKeyStore(deps(), name, 's3')).resolves.toMatchObject({ from: 'secretsManager', to: 's3', moved: true });
    expect((await certificates().getLineage(name))?.lineage.state.keyStoreMove).toMatchObject({ from: 'secretsManager', to: 's3' });
    await expect(routed().getCurrentCertificateKey(name)).resolves.toBe(keys[1]);
  });

  it('refuses a lineage with an issuance in flight, changing nothing', async () => {
    const { name, keys } = await seed('s3');
    const store = certificates();
    const stored = (await store.getLineage(name))!;
    const inflight = { owner: 'exec-1', orderUrl: 'https://ca.test/order/9', keyToken: 'order-3', records: [], startedAt: '2026-12-08T00:00:00Z' };
    await store.putLineage({ spec: stored.lineage.spec, state: { ...stored.lineage.state, inflight } }, { expectedEtag: stored.etag });
    await expect(moveLineageKeyStore(deps(), name, 'secretsManager')).rejects.toMatchObject({ name: 'KeyStoreMoveInflightError' });
    expect((await store.getLineage(name))?.lineage.spec.keyStore).toBe('s3');
    await expect(stores().secretsManager.getCurrentCertificateKey(name)).resolves.toBeUndefined();
    await expect(routed().getCurrentCertificateKey(name)).resolves.toBe(keys[1]);
  });

  it('never removes the old copies while the store in use has no current key', async () => {
    const { name, keys } = await seed('s3');
    const store = certificates();
    const stored = (await store.getLineage(name))!;
    // A move recorded (as a deploy records one) with nothing copied yet, and a version "delivered" after it.
    const keyStoreMove = { from: 's3', to: 'secretsManager', atVersion: 1, movedAt: '2026-12-08T00:00:00Z' } as const;
    const announced = { version: 2, issued: true, deployable: true, deployableAt: '2026-12-08T00:10:00Z' };
    await store.putLineage(
      { spec: { ...stored.lineage.spec, keyStore: 'secretsManager' }, state: { ...stored.lineage.state, keyStoreMove, announced } },
      { expectedEtag: stored.etag },
    );
    await expect(finishKeyStoreMove({ store, keys: routed() }, name)).rejects.toMatchObject({ name: 'StoreError' });
    await expect(stores().s3.getCertificateKey(name, 2)).resolves.toBe(keys[1]);
    expect((await store.getLineage(name))?.lineage.state.keyStoreMove).toEqual(keyStoreMove);
  });

  it('refuses an unknown lineage by name', async () => {
    await expect(moveLineageKeyStore(deps(), 'missing.example', 's3')).rejects.toMatchObject({ name: 'LineageNotFoundForMoveError' });
  });
});

describe('the secret scan after every move above', () => {
  it('finds key material in the bucket only in the S3 key store\u2019s objects, and the lineages record no key', async () => {
    const ledger = new SecretLedger();
    let token: string | undefined;
    let objects = 0;
    do {
      const page = await s3Client.send(new ListObjectsV2Command({ Bucket: s3.bucket, ...(token ? { ContinuationToken: token } : {}) }));
      for (const { Key } of page.Contents ?? []) {
        const body = (await (await s3Client.send(new GetObjectCommand({ Bucket: s3.bucket, Key }))).Body?.transformToString()) ?? '';
        ledger.s3Object(s3.bucket, Key ?? '', body);
        objects += 1;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const summary = await ledger.scan();
    expect(summary.findings).toEqual([]);
    // The scan saw both kinds: lineages (with their keyStoreMove records) and the key store's objects.
    expect(summary.counts['S3 objects']).toBeGreaterThan(0);
    expect(summary.counts['S3 key store objects']).toBeGreaterThan(0);
    expect(objects).toBe((summary.counts['S3 objects'] ?? 0) + (summary.counts['S3 key store objects'] ?? 0));
  });
});
