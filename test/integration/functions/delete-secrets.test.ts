/**
 * The DESTROY cleanup custom resource (functions/delete-secrets) through the real SDK against the
 * wire-level Secrets Manager fake: on Delete, exactly the run-time secrets under the issuer's prefix
 * go, forced, including ones already scheduled for deletion; another issuer's are left alone.
 */
import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHandler, PHYSICAL_RESOURCE_ID } from '../../../functions/delete-secrets/handler.js';
import { startSecretsManagerFake, type SecretsManagerFake } from '../../../harness/secrets-manager-fake.js';

let fake: SecretsManagerFake;
let client: SecretsManagerClient;
const PREFIX = 'acmeflow/Prod/Issuer/';
const OURS = [`${PREFIX}cert/example.jp`, `${PREFIX}cert/www.example.com`, `${PREFIX}account/acct-1`];
const OTHERS = [
  'acmeflow/Staging/Issuer/cert/example.jp',
  // Same letters in another case: ListSecrets' name filter would match it, the handler must not.
  'ACMEFLOW/Prod/Issuer/cert/example.jp',
  `${PREFIX}something-else`,
  'acmeflow-eab/jprs',
];

beforeAll(async () => {
  fake = await startSecretsManagerFake();
  client = new SecretsManagerClient({ endpoint: fake.endpoint, region: fake.region, maxAttempts: 1, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 's' } });
  for (const name of [...OURS, ...OTHERS]) await client.send(new CreateSecretCommand({ Name: name, SecretString: '{"privateKeyPem":"x"}' }));
  // A secret the issuer deleted with a recovery window still holds its name: it must go too.
  await client.send(new CreateSecretCommand({ Name: `${PREFIX}cert/old.example`, SecretString: '{}' }));
  await client.send(new DeleteSecretCommand({ SecretId: `${PREFIX}cert/old.example`, RecoveryWindowInDays: 7 }));
  // Many secrets, so the listing pages.
  for (let i = 0; i < 105; i++) await client.send(new CreateSecretCommand({ Name: `${PREFIX}cert/bulk${i}.example`, SecretString: '{}' }));
});
afterAll(async () => {
  client.destroy();
  await fake.stop();
});

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/AcmeflowProd/0f1e2d3c-aaaa-bbbb-cccc-000000000000';
let stackStatus = 'DELETE_IN_PROGRESS';
const asked: string[] = [];
const handler = () =>
  makeHandler(() => ({
    secretsManager: client,
    stackStatus: async (stackId: string) => {
      asked.push(stackId);
      return stackStatus;
    },
  }));

describe('delete-secrets custom resource', () => {
  it('does nothing on Create and Update, with a physical id that never changes', async () => {
    for (const RequestType of ['Create', 'Update'] as const) {
      await expect(handler()({ RequestType, StackId: STACK_ID, ResourceProperties: { SecretPrefix: PREFIX } })).resolves.toEqual({ PhysicalResourceId: PHYSICAL_RESOURCE_ID });
    }
    // The one DeleteSecret so far is the setup's.
    expect(fake.calls.filter((c) => c.action === 'DeleteSecret')).toHaveLength(1);
    for (const name of OURS) expect(fake.secret(name)).toBeDefined();
  });

  it('refuses a prefix that does not end with "/" (it would match other names)', async () => {
    await expect(handler()({ RequestType: 'Delete', StackId: STACK_ID, ResourceProperties: { SecretPrefix: 'acmeflow' } })).rejects.toThrow(/ending with "\/"/);
  });

  it('keeps every secret when only the resource leaves a stack that stays (DESTROY switched to RETAIN)', async () => {
    stackStatus = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
    const result = await handler()({ RequestType: 'Delete', StackId: STACK_ID, ResourceProperties: { SecretPrefix: PREFIX } });
    expect(result.Data).toEqual({ Deleted: '0', StackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' });
    expect(asked).toContain(STACK_ID);
    for (const name of OURS) expect(fake.secret(name), name).toBeDefined();
    expect(fake.calls.filter((c) => c.action === 'DeleteSecret')).toHaveLength(1);
    stackStatus = 'DELETE_IN_PROGRESS';
  });

  it('on Delete removes every cert/ and account/ secret under the prefix, forced, and nothing else', async () => {
    const result = await handler()({ RequestType: 'Delete', StackId: STACK_ID, PhysicalResourceId: PHYSICAL_RESOURCE_ID, ResourceProperties: { SecretPrefix: PREFIX } });
    expect(result).toEqual({ PhysicalResourceId: PHYSICAL_RESOURCE_ID, Data: { Deleted: String(OURS.length + 1 + 105) } });
    for (const name of [...OURS, `${PREFIX}cert/old.example`, `${PREFIX}cert/bulk104.example`]) expect(fake.secret(name), name).toBeUndefined();
    for (const name of OTHERS) expect(fake.secret(name), name).toBeDefined();
    const deletes = fake.calls.filter((c) => c.action === 'DeleteSecret').slice(1);
    expect(deletes).toHaveLength(OURS.length + 1 + 105);
    expect(deletes.every((c) => c.request.ForceDeleteWithoutRecovery === true)).toBe(true);
  });

  it('is idempotent: a retried Delete finds nothing left and succeeds', async () => {
    await expect(handler()({ RequestType: 'Delete', StackId: STACK_ID, ResourceProperties: { SecretPrefix: PREFIX } })).resolves.toMatchObject({ Data: { Deleted: '0' } });
  });
});
