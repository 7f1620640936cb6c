/**
 * SecretsManagerKeyStore through the real SDK against the wire-level Secrets Manager fake: the
 * staging-label life cycle of a certificate key, idempotent retries, crash recovery, account keys,
 * and that no key travels or is logged anywhere but in SecretString.
 */
import { ListSecretVersionIdsCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateCertificateKey } from '../../../../shared/crypto/index.js';
import { clientRequestToken, SecretsManagerKeyStore, type SecretsManagerKeyStoreOptions } from '../../../../shared/store/secrets-manager/index.js';
import { startSecretsManagerFake, type SecretsManagerFake } from '../../../../harness/secrets-manager-fake.js';
import { keyStoreContract } from '../key-store-contract.js';

let fake: SecretsManagerFake;
let client: SecretsManagerClient;
const logged: unknown[] = [];
const keys: string[] = [];

/** A fresh ECDSA key, remembered so the leak check can look for every key the tests used. */
async function newKey(): Promise<string> {
  const { privateKeyPem } = await generateCertificateKey('ecdsa-p256');
  keys.push(privateKeyPem);
  return privateKeyPem;
}

/**
 * 16 base64 characters of a key's private scalar: what would show up wherever a key were copied, in
 * any framing. (The first 48 characters of every P-256 PKCS#8 key are the same ASN.1 header.)
 */
const secretPart = (pem: string) => pem.split('\n')[1]?.slice(48, 64) ?? '';

beforeAll(async () => {
  fake = await startSecretsManagerFake();
  const record = (...args: unknown[]) => logged.push(args);
  client = new SecretsManagerClient({
    endpoint: fake.endpoint,
    region: fake.region,
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 's' },
    // The SDK logs every command's input and output (with SecretString filtered) to this logger.
    logger: { trace: record, debug: record, info: record, warn: record, error: record },
  });
});
afterAll(async () => {
  client.destroy();
  await fake.stop();
});

let lineageCount = 0;
let lineage: string;
beforeEach(() => {
  lineageCount += 1;
  lineage = `site${lineageCount}.example`;
});

const store = (options: SecretsManagerKeyStoreOptions = {}) => new SecretsManagerKeyStore({ client, ...options });
const secretName = () => `acmeflow/cert/${lineage}`;
const pendingId = (token: string) => clientRequestToken('acmeflow', 'pending', lineage, token);
const finalId = (token: string, version: number) => clientRequestToken('acmeflow', 'current', lineage, token, String(version));
const writes = () => fake.calls.filter((c) => ['CreateSecret', 'PutSecretValue', 'UpdateSecretVersionStage', 'DeleteSecret'].includes(c.action)).length;

// Secrets Manager keeps no certificates: a version is served as soon as its key is promoted.
keyStoreContract('SecretsManagerKeyStore on the wire-level fake', () => ({ keys: store(), putVersion: async () => {}, promoteVersion: async () => {} }), keys);

describe('certificate keys', () => {
  it('stores a pending key in a new KMS-encrypted, tagged secret and promotes it with its chain', async () => {
    const key = await newKey();
    const keys = store({ kmsKeyId: 'alias/acmeflow', tags: { team: 'web' } });

    await expect(keys.putPendingCertificateKey(lineage, 'order-1', key)).resolves.toBe(key);

    expect(fake.secret(secretName())).toMatchObject({
      kmsKeyId: 'alias/acmeflow',
      tags: expect.arrayContaining([{ Key: 'acmeflow:lineage', Value: lineage }, { Key: 'team', Value: 'web' }]),
    });
    await expect(keys.getPendingCertificateKey(lineage, 'order-1')).resolves.toBe(key);
    // Secrets Manager made the very first version AWSCURRENT too; it is still no current key.
    expect(fake.stages(secretName())).toEqual({ [pendingId('order-1')]: ['AWSCURRENT', 'AWSPENDING'] });
    await expect(keys.getCurrentCertificateKey(lineage)).resolves.toBeUndefined();

    await keys.promoteCertificateKey(lineage, 'order-1', 1, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');

    await expect(keys.getCurrentCertificateKey(lineage)).resolves.toBe(key);
    await expect(keys.getPendingCertificateKey(lineage, 'order-1')).resolves.toBeUndefined();
    expect(fake.stages(secretName())).toEqual({ [pendingId('order-1')]: ['AWSPREVIOUS'], [finalId('order-1', 1)]: ['AWSCURRENT'] });
    const current = fake.secret(secretName())?.versions.find((v) => v.stages.includes('AWSCURRENT'));
    expect(JSON.parse(current?.secretString ?? '')).toEqual({
      privateKeyPem: key,
      fullchainPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      version: 1,
    });
  });

  it('keeps the first key of a token when a retried step offers another', async () => {
    const [first, second] = [await newKey(), await newKey()];

    await store().putPendingCertificateKey(lineage, 'order-1', first);
    const versionsBefore = fake.secret(secretName())?.versions.length;
    await expect(store().putPendingCertificateKey(lineage, 'order-1', second)).resolves.toBe(first);

    expect(fake.secret(secretName())?.versions.length).toBe(versionsBefore);
    await expect(store().getPendingCertificateKey(lineage, 'order-1')).resolves.toBe(first);
  });

  it('renews: the new key becomes AWSCURRENT and the previous certificate key AWSPREVIOUS', async () => {
    const [k1, k2] = [await newKey(), await newKey()];
    await store().putPendingCertificateKey(lineage, 'order-1', k1);
    await store().promoteCertificateKey(lineage, 'order-1', 1, 'chain-1');
    await store().putPendingCertificateKey(lineage, 'order-2', k2);

    await expect(store().getCurrentCertificateKey(lineage)).resolves.toBe(k1);
    await store().promoteCertificateKey(lineage, 'order-2', 2, 'chain-2');

    await expect(store().getCurrentCertificateKey(lineage)).resolves.toBe(k2);
    expect(fake.stages(secretName())).toEqual({ [finalId('order-1', 1)]: ['AWSPREVIOUS'], [finalId('order-2', 2)]: ['AWSCURRENT'] });
  });

  it('does nothing when promoting the version that is current already', async () => {
    await store().putPendingCertificateKey(lineage, 'order-1', await newKey());
    await store().promoteCertificateKey(lineage, 'order-1', 1, 'chain-1');
    const before = writes();

    await store().promoteCertificateKey(lineage, 'order-1', 1, 'chain-1');

    expect(writes()).toBe(before);
  });

  it('never moves AWSCURRENT back when an older promotion is retried late', async () => {
    const [k1, k2] = [await newKey(), await newKey()];
    await store().putPendingCertificateKey(lineage, 'order-1', k1);
    await store().promoteCertificateKey(lineage, 'order-1', 1, 'chain-1');
    await store().putPendingCertificateKey(lineage, 'order-2', k2);
    await store().promoteCertificateKey(lineage, 'order-2', 2, 'chain-2');
    const before = fake.stages(secretName());

    await store().promoteCertificateKey(lineage, 'order-1', 1, 'chain-1');

    await expect(store().getCurrentCertificateKey(lineage)).resolves.toBe(k2);
    expect(fake.stages(secretName())).toEqual(before);
    // Another order's key promoted as the version that is current is a conflict.
    await store().putPendingCertificateKey(lineage, 'order-3', await newKey());
    await expect(store().promoteCertificateKey(lineage, 'order-3', 2, 'chain-3')).rejects.toMatchObject({ name: 'VersionConflictError', version: 2 });
  });

  it('finishes a promotion that crashed after writing the final value', async () => {
    const key = await newKey();
    await store().putPendingCertificateKey(lineage, 'order-1', key);
    fake.inject({ action: 'UpdateSecretVersionStage', type: 'InternalServiceError', status: 500 });

    await expect(store().promoteCertificateKey(lineage, 'order-1', 1, 'chain-1')).rejects.toMatchObject({ name: 'InternalServiceError' });
    await store().promoteCertificateKey(lineage, 'order-1', 1, 'chain-1');

    await expect(store().getCurrentCertificateKey(lineage)).resolves.toBe(key);
    expect(fake.stages(secretName())[finalId('order-1', 1)]).toEqual(['AWSCURRENT']);
  });

  it('refuses to promote another chain as a version already written: VersionConflictError', async () => {
    await store().putPendingCertificateKey(lineage, 'order-1', await newKey());
    fake.inject({ action: 'UpdateSecretVersionStage', type: 'InternalServiceError', status: 500 });
    await store().promoteCertificateKey(lineage, 'order-1', 1, 'chain-A').catch(() => undefined);

    await expect(store().promoteCertificateKey(lineage, 'order-1', 1, 'chain-B')).rejects.toMatchObject({ name: 'VersionConflictError', lineage, version: 1 });
  });

  it('throws KeyNotFoundError when there is no pending key to promote', async () => {
    await expect(store().promoteCertificateKey(lineage, 'order-1', 1, 'chain')).rejects.toMatchObject({ name: 'KeyNotFoundError' });
    await store().putPendingCertificateKey(lineage, 'order-1', await newKey());
    await expect(store().promoteCertificateKey(lineage, 'unknown-order', 1, 'chain')).rejects.toMatchObject({ name: 'KeyNotFoundError' });
  });

  it('discards a pending key; discarding an unknown one is a no-op; asking for it again restores it', async () => {
    const key = await newKey();
    await store().discardPendingCertificateKey(lineage, 'order-1');
    await store().putPendingCertificateKey(lineage, 'order-1', key);
    await store().promoteCertificateKey(lineage, 'order-1', 1, 'chain');
    await store().putPendingCertificateKey(lineage, 'order-2', await newKey());

    await store().discardPendingCertificateKey(lineage, 'order-2');
    await store().discardPendingCertificateKey(lineage, 'order-2');
    await store().discardPendingCertificateKey(lineage, 'never');

    await expect(store().getPendingCertificateKey(lineage, 'order-2')).resolves.toBeUndefined();
    expect(Object.values(fake.stages(secretName())).flat()).not.toContain('AWSPENDING');
    await expect(store().getCurrentCertificateKey(lineage)).resolves.toBe(key);

    const restored = await store().putPendingCertificateKey(lineage, 'order-2', await newKey());
    await expect(store().getPendingCertificateKey(lineage, 'order-2')).resolves.toBe(restored);
  });

  it('answers undefined for keys that are not there', async () => {
    await expect(store().getCurrentCertificateKey(lineage)).resolves.toBeUndefined();
    await expect(store().getPendingCertificateKey(lineage, 'order-1')).resolves.toBeUndefined();
    await expect(store().getAccountKey('nobody')).resolves.toBeUndefined();
  });

  it('uses the configured prefix', async () => {
    await store({ certificateSecretPrefix: 'team-a/keys/' }).putPendingCertificateKey(lineage, 'order-1', await newKey());
    expect(fake.secret(`team-a/keys/${lineage}`)).toBeDefined();
    expect(fake.secret(secretName())).toBeUndefined();
  });

  it('refuses a secret that does not hold acmeflow JSON without quoting it', async () => {
    const key = await newKey();
    await store().putPendingCertificateKey(lineage, 'order-1', key);
    // Someone stored a bare PEM as the current value.
    await store().promoteCertificateKey(lineage, 'order-1', 1, 'chain');
    await client.send(new PutSecretValueCommand({ SecretId: secretName(), SecretString: key }));

    const error = (await store().getCurrentCertificateKey(lineage).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('StoreError');
    expect(`${error.message} ${String(error.cause)} ${error.stack}`).not.toContain(secretPart(key));
  });
});

describe('account keys', () => {
  it('creates, reads, skips an unchanged write and versions a changed one', async () => {
    const key = await newKey();
    const account = { privateKeyPem: key, directoryUrl: 'https://acme.test/directory' };
    await store({ kmsKeyId: 'alias/acmeflow' }).putAccountKey('acme-test-default', account);

    expect(fake.secret('acmeflow/account/acme-test-default')).toMatchObject({
      kmsKeyId: 'alias/acmeflow',
      tags: [{ Key: 'acmeflow:account', Value: 'acme-test-default' }],
    });
    await expect(store().getAccountKey('acme-test-default')).resolves.toEqual(account);

    await store().putAccountKey('acme-test-default', account);
    const registered = { ...account, accountUrl: 'https://acme.test/acct/7' };
    await store().putAccountKey('acme-test-default', registered);

    await expect(store().getAccountKey('acme-test-default')).resolves.toEqual(registered);
    const versions = await client.send(new ListSecretVersionIdsCommand({ SecretId: 'acmeflow/account/acme-test-default', IncludeDeprecated: true }));
    expect(versions.Versions).toHaveLength(2);
  });

  it('refuses an account id that would not be one segment of the secret name', async () => {
    await expect(store().putAccountKey('../cert/x', { privateKeyPem: 'x', directoryUrl: 'https://a' })).rejects.toMatchObject({ name: 'StoreError' });
  });
});

describe('where keys travel', () => {
  // Runs last in this file: it checks every call and log line the tests above produced.
  it('sends keys only as SecretString, and never logs them', () => {
    expect(keys.length).toBeGreaterThan(5);
    expect(logged.length).toBeGreaterThan(20);
    const stripped = (text: string): string => {
      try {
        const value = JSON.parse(text) as Record<string, unknown>;
        delete value.SecretString;
        return JSON.stringify(value);
      } catch {
        return text;
      }
    };
    const outside = fake.calls.map((call) => `${JSON.stringify(call.headers)} ${stripped(call.rawRequest)} ${stripped(call.rawResponse)}`).join('\n');
    const log = JSON.stringify(logged);
    // The SDK did log the commands, with their (non-secret) input.
    expect(log).toContain('PutSecretValueCommand');
    expect(log).toContain('acmeflow/cert/site');
    for (const key of keys) {
      expect(secretPart(key)).toMatch(/^[A-Za-z0-9+/]{16}$/);
      expect(outside).not.toContain(secretPart(key));
      expect(log).not.toContain(secretPart(key));
    }
    // The checks above are only worth something if the keys did travel, as SecretString. (Some never
    // do: the key a retried step offers for a token that holds one already is dropped.)
    const travelled = keys.filter((key) => fake.calls.some((call) => call.rawRequest.includes(secretPart(key))));
    expect(travelled.length).toBeGreaterThanOrEqual(10);
  });
});
