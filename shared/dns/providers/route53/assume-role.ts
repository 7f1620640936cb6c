import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { Route53ClientConfig } from '@aws-sdk/client-route-53';
import { Route53AssumeRoleError } from './errors.js';

/** A credentials provider as the AWS SDK clients take it. */
export type AwsCredentialsProvider = Extract<NonNullable<Route53ClientConfig['credentials']>, (...args: never[]) => unknown>;

export interface AssumeRoleOptions {
  readonly roleArn: string;
  readonly externalId?: string;
  /** @default 'acmeflow-dns-01' (shows in CloudTrail as the session of every change) */
  readonly sessionName?: string;
  /** @default 900, the minimum: a dns-01 step takes seconds, and the SDK asks again when they expire */
  readonly durationSeconds?: number;
}

/**
 * A credentials provider that assumes `roleArn` through `sts` (for hosted zones in another account).
 * The SDK client caches what it returns and calls it again shortly before `expiration`.
 *
 * @example
 * ```ts
 * const route53 = new Route53Client({
 *   credentials: assumeRoleCredentials(new STSClient({}), { roleArn: 'arn:aws:iam::111122223333:role/acmeflow-dns' }),
 * });
 * ```
 */
export function assumeRoleCredentials(sts: STSClient, options: AssumeRoleOptions): AwsCredentialsProvider {
  return async () => {
    let credentials;
    try {
      ({ Credentials: credentials } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: options.roleArn,
          RoleSessionName: options.sessionName ?? 'acmeflow-dns-01',
          DurationSeconds: options.durationSeconds ?? 900,
          ...(options.externalId === undefined ? {} : { ExternalId: options.externalId }),
        }),
      ));
    } catch (error) {
      throw new Route53AssumeRoleError(options.roleArn, { cause: error });
    }
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) {
      throw new Route53AssumeRoleError(options.roleArn, { cause: new Error('AssumeRole returned no credentials') });
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken === undefined ? {} : { sessionToken: credentials.SessionToken }),
      ...(credentials.Expiration === undefined ? {} : { expiration: credentials.Expiration }),
    };
  };
}
