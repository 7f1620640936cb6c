import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';

/** The AWS clients cloud mode talks to: the stack's outputs, its bucket, its state machines. */
export interface CloudClients {
  readonly cloudFormation: CloudFormationClient;
  readonly s3: S3Client;
  readonly sfn: SFNClient;
  /** The stack's secrets (`import` writes the account and DNS credentials there). */
  readonly secretsManager?: SecretsManagerClient;
}

/**
 * Makes the clients for one command. `region` is `--region` when given; otherwise the SDK's own
 * chain (AWS_REGION, the profile) decides. The command destroys the clients when it ends.
 */
export type CloudClientsFactory = (options: { readonly region?: string }) => CloudClients;

/**
 * The real clients: region and credentials from `--region` and the SDK's default chains
 * (environment, profile, SSO, instance role), as the AWS CLI finds them.
 *
 * @example
 * ```ts
 * const { cloudFormation, s3, sfn } = awsCloudClients({ region: 'ap-northeast-1' });
 * ```
 */
export const awsCloudClients: CloudClientsFactory = ({ region }) => {
  const config = region === undefined ? {} : { region };
  return { cloudFormation: new CloudFormationClient(config), s3: new S3Client(config), sfn: new SFNClient(config), secretsManager: new SecretsManagerClient(config) };
};
