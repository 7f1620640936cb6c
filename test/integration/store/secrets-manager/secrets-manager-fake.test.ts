/**
 * The Secrets Manager fake itself, through the real SDK: the API rules the key store relies on
 * (version idempotency, staging-label moves with AWSPREVIOUS, error classes).
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecretsManagerFake, type SecretsManagerFake } from '../../../../harness/secrets-manager-fake.js';

let fake: SecretsManagerFake;
let client: SecretsManagerClient;
beforeAll(async () => {
  fake = await startSecretsManagerFake({ region: 'eu-west-3' });
  client = new SecretsManagerClient({ endpoint: fake.endpoint, region: fake.region, maxAttempts: 1, credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 's' } });
});
afterAll(async () => {
  client.destroy();
  await fake.stop();
});

const V = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('Secrets Manager fake', () => {
  it('speaks JSON 1.1 with X-Amz-Target and answers errors the SDK maps to its classes', async () => {
    const error = await client.send(new GetSecretValueCommand({ SecretId: 'missing' })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as Error).message).toBe("Secrets Manager can't find the specified secret.");
    const call = fake.calls.at(-1);
    expect(call).toMatchObject({ action: 'GetSecretValue', status: 400, errorType: 'ResourceNotFoundException', accessKeyId: 'AKIDFAKE' });
    expect(call?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(call?.headers['content-type']).toMatch(/^application\/x-amz-json-1\.1/);
  });

  it('labels the first version AWSCURRENT even when asked for AWSPENDING only', async () => {
    await client.send(new CreateSecretCommand({ Name: 'first', KmsKeyId: 'alias/k', Tags: [{ Key: 'a', Value: 'b' }] }));
    await client.send(new PutSecretValueCommand({ SecretId: 'first', ClientRequestToken: V(1), SecretString: 'one', VersionStages: ['AWSPENDING'] }));

    expect(fake.stages('first')).toEqual({ [V(1)]: ['AWSCURRENT', 'AWSPENDING'] });
    const described = await client.send(new DescribeSecretCommand({ SecretId: 'first' }));
    expect(described).toMatchObject({ Name: 'first', KmsKeyId: 'alias/k', Tags: [{ Key: 'a', Value: 'b' }] });
    expect(described.ARN).toMatch(/^arn:aws:secretsmanager:eu-west-3:123456789012:secret:first-.{6}$/);
  });

  it('treats a repeated ClientRequestToken as a no-op with the same value and ResourceExistsException with another', async () => {
    await client.send(new CreateSecretCommand({ Name: 'tokens', SecretString: 'v1', ClientRequestToken: V(1) }));
    await client.send(new PutSecretValueCommand({ SecretId: 'tokens', ClientRequestToken: V(2), SecretString: 'v2', VersionStages: ['AWSPENDING'] }));
    await client.send(new PutSecretValueCommand({ SecretId: 'tokens', ClientRequestToken: V(2), SecretString: 'v2', VersionStages: ['AWSPENDING'] }));

    await expect(
      client.send(new PutSecretValueCommand({ SecretId: 'tokens', ClientRequestToken: V(2), SecretString: 'other', VersionStages: ['AWSPENDING'] })),
    ).rejects.toBeInstanceOf(ResourceExistsException);
    await expect(client.send(new PutSecretValueCommand({ SecretId: 'tokens', ClientRequestToken: 'short', SecretString: 'x' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    expect(fake.secret('tokens')?.versions.map((v) => v.secretString)).toEqual(['v1', 'v2']);
  });

  it('moves AWSCURRENT only with RemoveFromVersionId naming its holder, and labels the old one AWSPREVIOUS', async () => {
    await client.send(new CreateSecretCommand({ Name: 'stages', SecretString: 'v1', ClientRequestToken: V(1) }));
    await client.send(new PutSecretValueCommand({ SecretId: 'stages', ClientRequestToken: V(2), SecretString: 'v2', VersionStages: ['AWSPENDING'] }));

    await expect(client.send(new UpdateSecretVersionStageCommand({ SecretId: 'stages', VersionStage: 'AWSCURRENT', MoveToVersionId: V(2) }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await expect(
      client.send(new UpdateSecretVersionStageCommand({ SecretId: 'stages', VersionStage: 'AWSCURRENT', RemoveFromVersionId: V(1) })),
    ).rejects.toBeInstanceOf(InvalidParameterException);

    await client.send(new UpdateSecretVersionStageCommand({ SecretId: 'stages', VersionStage: 'AWSCURRENT', MoveToVersionId: V(2), RemoveFromVersionId: V(1) }));
    expect(fake.stages('stages')).toEqual({ [V(1)]: ['AWSPREVIOUS'], [V(2)]: ['AWSPENDING', 'AWSCURRENT'] });

    await client.send(new PutSecretValueCommand({ SecretId: 'stages', ClientRequestToken: V(3), SecretString: 'v3' }));
    expect(fake.stages('stages')).toEqual({ [V(2)]: ['AWSPENDING', 'AWSPREVIOUS'], [V(3)]: ['AWSCURRENT'] });
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'stages', VersionStage: 'AWSPREVIOUS' }))).resolves.toMatchObject({ SecretString: 'v2' });
  });

  it('keeps deprecated versions readable by id and lists them only with IncludeDeprecated', async () => {
    await client.send(new CreateSecretCommand({ Name: 'deprecated', SecretString: 'v1', ClientRequestToken: V(1) }));
    await client.send(new PutSecretValueCommand({ SecretId: 'deprecated', ClientRequestToken: V(2), SecretString: 'v2' }));
    await client.send(new PutSecretValueCommand({ SecretId: 'deprecated', ClientRequestToken: V(3), SecretString: 'v3' }));

    const labelled = await client.send(new ListSecretVersionIdsCommand({ SecretId: 'deprecated' }));
    const all = await client.send(new ListSecretVersionIdsCommand({ SecretId: 'deprecated', IncludeDeprecated: true }));
    expect(labelled.Versions?.map((v) => v.VersionId)).toEqual([V(2), V(3)]);
    expect(all.Versions?.map((v) => v.VersionId)).toEqual([V(1), V(2), V(3)]);
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'deprecated', VersionId: V(1) }))).resolves.toMatchObject({ SecretString: 'v1', VersionStages: [] });
  });

  it('refuses work on a secret scheduled for deletion and forgets a force-deleted one', async () => {
    await client.send(new CreateSecretCommand({ Name: 'doomed', SecretString: 'x', ClientRequestToken: V(1) }));
    await client.send(new DeleteSecretCommand({ SecretId: 'doomed', RecoveryWindowInDays: 7 }));

    await expect(client.send(new GetSecretValueCommand({ SecretId: 'doomed' }))).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(client.send(new DescribeSecretCommand({ SecretId: 'doomed' }))).resolves.toMatchObject({ DeletedDate: expect.any(Date) });

    await client.send(new DeleteSecretCommand({ SecretId: 'doomed', ForceDeleteWithoutRecovery: true }));
    await expect(client.send(new DescribeSecretCommand({ SecretId: 'doomed' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
