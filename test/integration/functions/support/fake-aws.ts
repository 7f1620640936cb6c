/** SDK client settings that point awsDepsFromEnv at s3rver and the wire-level fakes. */
import type { AwsClientConfigs } from '../../../../functions/runtime/aws-deps.js';
import type { EventBridgeFake } from '../../../../harness/eventbridge-fake.js';
import type { S3rverHandle } from '../../../../harness/s3rver.js';
import type { SecretsManagerFake } from '../../../../harness/secrets-manager-fake.js';

export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

export function fakeClientConfig(handles: { s3: S3rverHandle; sm: SecretsManagerFake; eb: EventBridgeFake; acmEndpoint?: string }): AwsClientConfigs {
  return {
    s3: {
      endpoint: handles.s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      // s3rver stores the aws-chunked framing of a streamed upload as the object's content otherwise.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    },
    secretsManager: { endpoint: handles.sm.endpoint, credentials: FAKE_CREDENTIALS },
    eventBridge: { endpoint: handles.eb.endpoint, credentials: FAKE_CREDENTIALS },
    ...(handles.acmEndpoint ? { acm: { endpoint: handles.acmEndpoint, credentials: FAKE_CREDENTIALS } } : {}),
  };
}
