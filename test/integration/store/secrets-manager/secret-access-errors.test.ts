/**
 * Access and KMS failures of Secrets Manager, answered by the wire-level fake to the real SDK: each is
 * a typed error with an explanation, never "no secret" (which would make a step register a new
 * account or make a new key beside one it merely cannot read).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSecretJson } from '../../../../functions/runtime/adapters/secrets-manager.js';
import { explainFailure } from '../../../../shared/acme/explain.js';
import { SecretsManagerKeyStore } from '../../../../shared/store/secrets-manager/index.js';
import { startSecretsManagerFake, type SecretsManagerFake } from '../../../../harness/secrets-manager-fake.js';

let fake: SecretsManagerFake;
let client: SecretsManagerClient;
let store: SecretsManagerKeyStore;

beforeAll(async () => {
  fake = await startSecretsManagerFake();
  client = new SecretsManagerClient({ endpoint: fake.endpoint, region: fake.region, maxAttempts: 1, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 's' } });
  store = new SecretsManagerKeyStore({ client, certificateSecretPrefix: 'acmeflow/t/cert/', accountSecretPrefix: 'acmeflow/t/account/' });
});
afterAll(async () => {
  client.destroy();
  await fake.stop();
});

const CASES = [
  {
    type: 'AccessDeniedException',
    message: 'User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: secretsmanager:GetSecretValue',
    expected: 'SecretAccessDeniedError',
  },
  // What Secrets Manager answers when the role lacks kms:Decrypt on the secret's customer-managed key.
  { type: 'AccessDeniedException', message: 'Access to KMS is not allowed', expected: 'SecretKeyUnusableError' },
  { type: 'DecryptionFailure', message: "Secrets Manager can't decrypt the protected secret text using the provided KMS key.", expected: 'SecretKeyUnusableError' },
  { type: 'KMSInvalidStateException', message: 'arn:aws:kms:us-east-1:123456789012:key/k is pending deletion.', expected: 'SecretKeyUnusableError' },
] as const;

describe('SecretsManagerKeyStore', () => {
  for (const c of CASES) {
    it(`reads ${c.type} (${c.message.slice(0, 30)}…) as ${c.expected}, not as a missing account key`, async () => {
      fake.inject({ action: 'GetSecretValue', type: c.type, message: c.message });
      const error = await store.getAccountKey('acct1').catch((e: unknown) => e);
      expect(error).toMatchObject({ name: c.expected, secretId: 'acmeflow/t/account/acct1', code: c.type });
    });
  }

  it('still answers undefined for a secret that does not exist', async () => {
    await expect(store.getAccountKey('nobody')).resolves.toBeUndefined();
  });

  it('does not create a secret when writing is denied by the key', async () => {
    fake.inject({ action: 'PutSecretValue', type: 'EncryptionFailure', message: 'KMS key is disabled' });
    const error = await store.putAccountKey('acct2', { privateKeyPem: 'not-a-key', directoryUrl: 'https://ca.example/dir' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SecretKeyUnusableError', code: 'EncryptionFailure' });
    expect(fake.secret('acmeflow/t/account/acct2')).toBeUndefined();
  });
});

describe('readSecretJson (EAB and DNS credential secrets)', () => {
  it('throws the typed error for a denied key, and reports a missing secret as a problem', async () => {
    fake.inject({ action: 'GetSecretValue', type: 'KMSInvalidStateException' });
    await expect(readSecretJson(client, 'acmeflow-eab/jprs')).rejects.toMatchObject({ name: 'SecretKeyUnusableError', secretId: 'acmeflow-eab/jprs' });
    fake.inject({ action: 'GetSecretValue', type: 'AccessDeniedException', message: 'not authorized' });
    await expect(readSecretJson(client, 'acmeflow-eab/jprs')).rejects.toMatchObject({ name: 'SecretAccessDeniedError' });
    await expect(readSecretJson(client, 'acmeflow-eab/jprs')).resolves.toMatchObject({ ok: false, problem: expect.stringContaining('does not exist') });
  });
});

describe('acmeflow explain', () => {
  it('knows both errors from the catalog', () => {
    for (const name of ['SecretAccessDeniedError', 'SecretKeyUnusableError']) {
      const explanation = explainFailure(name);
      expect(explanation.source).toBe('catalog');
      expect(explanation.en).toMatch(/exists/);
    }
  });
});
