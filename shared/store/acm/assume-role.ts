import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { ACMClientConfig } from '@aws-sdk/client-acm';
import { AcmAssumeRoleError } from './errors.js';

/** A credentials provider as the ACM client takes it. */
export type AcmCredentialsProvider = Extract<NonNullable<ACMClientConfig['credentials']>, (...args: never[]) => unknown>;

/**
 * Credentials of `roleArn` (an ACM target in another account) through `sts`. The ACM client caches
 * them and asks again shortly before they expire.
 *
 * @example
 * ```ts
 * const acm = new ACMClient({ region: 'us-east-1', credentials: assumeAcmRole(new STSClient({}), 'arn:aws:iam::111122223333:role/acmeflow-acm') });
 * ```
 */
export function assumeAcmRole(sts: STSClient, roleArn: string): AcmCredentialsProvider {
  return async () => {
    let credentials;
    try {
      // 900 s, the minimum: one import takes seconds.
      ({ Credentials: credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'acmeflow-acm-import', DurationSeconds: 900 })));
    } catch (error) {
      throw new AcmAssumeRoleError(roleArn, { cause: error });
    }
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) throw new AcmAssumeRoleError(roleArn, { cause: new Error('AssumeRole returned no credentials') });
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      ...(credentials.SessionToken === undefined ? {} : { sessionToken: credentials.SessionToken }),
      ...(credentials.Expiration === undefined ? {} : { expiration: credentials.Expiration }),
    };
  };
}
