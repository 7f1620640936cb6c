/**
 * Call shapes of SecretsManagerKeyStore with aws-sdk-client-mock: the exact parameters of each
 * Secrets Manager call (version ids, staging labels, KMS key, tags) and the error mapping.
 */
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { clientRequestToken, SecretsManagerKeyStore } from '../../../../shared/store/secrets-manager/index.js';

const sm = mockClient(SecretsManagerClient);
const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgUNITTESTKEY\n-----END PRIVATE KEY-----\n';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PENDING_ID = clientRequestToken('acmeflow', 'pending', 'example.com', 'order-1');
const FINAL_ID = clientRequestToken('acmeflow', 'current', 'example.com', 'order-1', '3');

const notFound = () => new ResourceNotFoundException({ $metadata: {}, message: "Secrets Manager can't find the specified secret." });
const exists = () => new ResourceExistsException({ $metadata: {}, message: 'exists' });
const store = () => new SecretsManagerKeyStore({ client: new SecretsManagerClient({ region: 'eu-west-1' }), kmsKeyId: 'alias/acmeflow', tags: { team: 'web' } });
const inputs = <T>(command: new (input: T) => unknown) => sm.commandCalls(command as never).map((call) => (call.args[0] as unknown as { input: T }).input);

beforeEach(() => {
  sm.reset();
});

describe('clientRequestToken', () => {
  it('is a UUID-shaped 36-character value, the same for the same parts and different otherwise', () => {
    expect(PENDING_ID).toMatch(UUID);
    expect(PENDING_ID).toHaveLength(36);
    expect(clientRequestToken('acmeflow', 'pending', 'example.com', 'order-1')).toBe(PENDING_ID);
    expect(clientRequestToken('acmeflow', 'pending', 'example.com', 'order-2')).not.toBe(PENDING_ID);
    expect(clientRequestToken('acmeflow', 'pending', 'example.co', 'morder-1')).not.toBe(PENDING_ID);
  });
});

describe('putPendingCertificateKey', () => {
  it('creates the missing secret without a value (KMS key, tags) and puts the key as the AWSPENDING version', async () => {
    sm.on(GetSecretValueCommand).rejects(notFound());
    sm.on(PutSecretValueCommand).rejectsOnce(notFound()).resolves({ VersionId: PENDING_ID });
    sm.on(CreateSecretCommand).resolves({});

    await expect(store().putPendingCertificateKey('example.com', 'order-1', KEY)).resolves.toBe(KEY);

    expect(inputs(GetSecretValueCommand)).toEqual([{ SecretId: 'acmeflow/cert/example.com', VersionId: PENDING_ID }]);
    const put = { SecretId: 'acmeflow/cert/example.com', ClientRequestToken: PENDING_ID, SecretString: JSON.stringify({ privateKeyPem: KEY }), VersionStages: ['AWSPENDING'] };
    expect(inputs(PutSecretValueCommand)).toEqual([put, put]);
    const [create] = inputs(CreateSecretCommand);
    expect(create).toMatchObject({ Name: 'acmeflow/cert/example.com', KmsKeyId: 'alias/acmeflow' });
    expect(create?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'acmeflow:lineage', Value: 'example.com' },
        { Key: 'team', Value: 'web' },
      ]),
    );
    expect(create).not.toHaveProperty('SecretString');
    expect(JSON.stringify(create)).not.toContain('PRIVATE KEY');
  });

  it('returns the stored key of the token and writes nothing', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ privateKeyPem: 'stored' }), VersionStages: ['AWSPENDING'] });

    await expect(store().putPendingCertificateKey('example.com', 'order-1', KEY)).resolves.toBe('stored');
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it("returns the winner's key when a racing attempt wrote the version first", async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(notFound())
      .resolves({ SecretString: JSON.stringify({ privateKeyPem: 'winner' }), VersionStages: ['AWSPENDING'] });
    sm.on(PutSecretValueCommand).rejects(exists());

    await expect(store().putPendingCertificateKey('example.com', 'order-1', KEY)).resolves.toBe('winner');
  });
});

describe('promoteCertificateKey', () => {
  it('writes the final value as AWSPENDING, moves AWSCURRENT from the old current, then removes AWSPENDING', async () => {
    sm.on(DescribeSecretCommand)
      .resolvesOnce({ VersionIdsToStages: { old: ['AWSCURRENT'], [PENDING_ID]: ['AWSPENDING'] } })
      .resolves({ VersionIdsToStages: { old: ['AWSPREVIOUS'], [FINAL_ID]: ['AWSCURRENT', 'AWSPENDING'] } });
    sm.on(GetSecretValueCommand, { VersionId: 'old' }).resolves({ SecretString: JSON.stringify({ privateKeyPem: 'old key', version: 2 }), VersionStages: ['AWSCURRENT'] });
    sm.on(GetSecretValueCommand, { VersionId: PENDING_ID }).resolves({ SecretString: JSON.stringify({ privateKeyPem: KEY }), VersionStages: [] });
    sm.on(PutSecretValueCommand).resolves({});
    sm.on(UpdateSecretVersionStageCommand).resolves({});

    await store().promoteCertificateKey('example.com', 'order-1', 3, 'FULLCHAIN');

    expect(inputs(PutSecretValueCommand)).toEqual([
      {
        SecretId: 'acmeflow/cert/example.com',
        ClientRequestToken: FINAL_ID,
        SecretString: JSON.stringify({ privateKeyPem: KEY, fullchainPem: 'FULLCHAIN', version: 3 }),
        VersionStages: ['AWSPENDING'],
      },
    ]);
    expect(inputs(UpdateSecretVersionStageCommand)).toEqual([
      { SecretId: 'acmeflow/cert/example.com', VersionStage: 'AWSCURRENT', MoveToVersionId: FINAL_ID, RemoveFromVersionId: 'old' },
      { SecretId: 'acmeflow/cert/example.com', VersionStage: 'AWSPENDING', RemoveFromVersionId: FINAL_ID },
    ]);
  });

  it('is a no-op when the version is current already', async () => {
    sm.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { [FINAL_ID]: ['AWSCURRENT'] } });

    await store().promoteCertificateKey('example.com', 'order-1', 3, 'FULLCHAIN');

    expect(sm.calls().map((call) => call.args[0].constructor.name)).toEqual(['DescribeSecretCommand']);
  });

  it('throws KeyNotFoundError when the secret does not exist', async () => {
    sm.on(DescribeSecretCommand).rejects(notFound());
    await expect(store().promoteCertificateKey('example.com', 'order-1', 3, 'FULLCHAIN')).rejects.toMatchObject({ name: 'KeyNotFoundError' });
  });
});

describe('discardPendingCertificateKey', () => {
  it("removes AWSPENDING from the token's version, reading labels only (no secret value)", async () => {
    sm.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { [PENDING_ID]: ['AWSPENDING'] } });
    sm.on(UpdateSecretVersionStageCommand).resolves({});

    await store().discardPendingCertificateKey('example.com', 'order-1');

    expect(inputs(UpdateSecretVersionStageCommand)).toEqual([{ SecretId: 'acmeflow/cert/example.com', VersionStage: 'AWSPENDING', RemoveFromVersionId: PENDING_ID }]);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('is a no-op for an unknown token or secret', async () => {
    sm.on(DescribeSecretCommand)
      .resolvesOnce({ VersionIdsToStages: { other: ['AWSPENDING'] } })
      .rejects(notFound());
    await store().discardPendingCertificateKey('example.com', 'order-1');
    await store().discardPendingCertificateKey('example.com', 'order-1');
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });
});

describe('getters', () => {
  it('read AWSCURRENT and map ResourceNotFoundException to undefined', async () => {
    sm.on(GetSecretValueCommand).rejects(notFound());
    await expect(store().getCurrentCertificateKey('example.com')).resolves.toBeUndefined();
    await expect(store().getPendingCertificateKey('example.com', 'order-1')).resolves.toBeUndefined();
    await expect(store().getAccountKey('acct')).resolves.toBeUndefined();
    expect(inputs(GetSecretValueCommand)).toEqual([
      { SecretId: 'acmeflow/cert/example.com', VersionStage: 'AWSCURRENT' },
      { SecretId: 'acmeflow/cert/example.com', VersionId: PENDING_ID },
      { SecretId: 'acmeflow/account/acct', VersionStage: 'AWSCURRENT' },
    ]);
  });

  it('turn access denied into SecretAccessDeniedError, never "missing"', async () => {
    sm.on(GetSecretValueCommand).rejects(
      new SecretsManagerServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'denied' }),
    );
    await expect(store().getCurrentCertificateKey('example.com')).rejects.toMatchObject({ name: 'SecretAccessDeniedError', secretId: 'acmeflow/cert/example.com' });
  });

  it('let other errors through with their own name', async () => {
    sm.on(GetSecretValueCommand).rejects(
      new SecretsManagerServiceException({ name: 'InternalServiceError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'oops' }),
    );
    await expect(store().getCurrentCertificateKey('example.com')).rejects.toMatchObject({ name: 'InternalServiceError' });
  });

  it('refuse names that are not lineage names before calling AWS', async () => {
    await expect(store().getCurrentCertificateKey('../account/x')).rejects.toMatchObject({ name: 'StoreError' });
    expect(sm.calls()).toHaveLength(0);
  });
});

describe('putAccountKey', () => {
  const account = { privateKeyPem: KEY, accountUrl: 'https://acme.test/acct/1', directoryUrl: 'https://acme.test/dir' };

  it('creates a missing secret with the value, KMS key and tags', async () => {
    sm.on(GetSecretValueCommand).rejects(notFound());
    sm.on(PutSecretValueCommand).rejects(notFound());
    sm.on(CreateSecretCommand).resolves({});

    await store().putAccountKey('acme-test', account);

    const [create] = inputs(CreateSecretCommand);
    expect(create).toMatchObject({
      Name: 'acmeflow/account/acme-test',
      KmsKeyId: 'alias/acmeflow',
      SecretString: JSON.stringify({ privateKeyPem: KEY, accountUrl: 'https://acme.test/acct/1', directoryUrl: 'https://acme.test/dir' }),
    });
    expect(create?.Tags).toEqual(expect.arrayContaining([{ Key: 'acmeflow:account', Value: 'acme-test' }]));
  });

  it('writes nothing when the stored value is the same', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(account) });
    await store().putAccountKey('acme-test', account);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});
