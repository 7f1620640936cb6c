import { Stack, Token } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { NagAcknowledgement } from '../iam/nag-suppressions.js';
import { EVENT_SOURCE } from '../../shared/events/events.js';
import { route53Statements } from '../iam/route53-statements.js';
import { NAG_ACCOUNT, NAG_REGION } from '../iam/nag-patterns.js';
import { secretArnOf, secretsUnderPrefix } from '../iam/secret-arns.js';
import type { ResolvedLineages } from '../lineages/resolve-lineages.js';
import type { FunctionAccess } from '../../shared/workflow/machines/step-access.js';

/** The resources access flags map to. */
export interface IssuerResources {
  readonly bucket: IBucket;
  readonly key: IKey;
  readonly secretPrefix: string;
  readonly eventBus: IEventBus;
  readonly lineages: ResolvedLineages;
  readonly partition: string;
}

/** Object prefixes of the certificate store (ARCHITECTURE.md, "Where things are stored"). */
export const STORE_PREFIXES = ['renewal/', 'live/', 'archive/'] as const;
export const LOCKS_PREFIX = 'locks/';
export const SWEEPS_PREFIX = 'sweeps/';
/** Certificate keys kept in S3 (`S3KeyStore`): the one prefix of the bucket that holds secrets. */
export const KEYS_PREFIX = 'keys/';

const SECRET_READ = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
// CreateSecret with Tags needs TagResource as well.
const SECRET_WRITE = [...SECRET_READ, 'secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage', 'secretsmanager:TagResource'];

/**
 * Adds the statements of `access` to a function's role, each on its exact resources. KMS actions are
 * named one by one (no `kms:GenerateDataKey*`): Decrypt to read, GenerateDataKey to write.
 *
 * @example
 * ```ts
 * grantAccess(fn, STEP_ACCESS.PublishRecords, resources);
 * ```
 */
export function grantAccess(grantee: IGrantable, access: FunctionAccess, res: IssuerResources): void {
  const add = (statement: PolicyStatement) => grantee.grantPrincipal.addToPrincipalPolicy(statement);
  let kmsWrite = false;
  let kmsRead = false;

  const objects = (prefixes: readonly string[], actions: string[]) => {
    add(new PolicyStatement({ actions, resources: prefixes.map((p) => res.bucket.arnForObjects(`${p}*`)) }));
  };
  const usesBucket = access.store !== undefined || access.locks === true || access.sweeps !== undefined;
  if (usesBucket) {
    // Without ListBucket a missing key answers 403 instead of 404, and the store reads "missing" as normal.
    add(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [res.bucket.bucketArn] }));
  }
  if (access.store) {
    objects(STORE_PREFIXES, access.store === 'write' ? ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] : ['s3:GetObject']);
    kmsRead = true;
    kmsWrite ||= access.store === 'write';
  }
  if (access.locks) {
    objects([LOCKS_PREFIX], ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']);
    kmsRead = true;
    kmsWrite = true;
  }
  if (access.sweeps) {
    objects([SWEEPS_PREFIX], access.sweeps === 'write' ? ['s3:GetObject', 's3:PutObject'] : ['s3:GetObject']);
    kmsRead = true;
    kmsWrite ||= access.sweeps === 'write';
  }
  if (access.certificateKeys) {
    // DeleteSecret: CleanupRecords removes the secret a lineage moved to S3 left behind (finishKeyStoreMove).
    add(
      new PolicyStatement({
        actions: access.certificateKeys === 'write' ? [...SECRET_WRITE, 'secretsmanager:DeleteSecret'] : SECRET_READ,
        resources: [secretsUnderPrefix(res.bucket, `${res.secretPrefix}cert/`)],
      }),
    );
    // Keys in S3; the live/ pointer (store access) says which version is current.
    objects([KEYS_PREFIX], access.certificateKeys === 'write' ? ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] : ['s3:GetObject']);
    if (!usesBucket) add(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [res.bucket.bucketArn] }));
    kmsRead = true;
    kmsWrite ||= access.certificateKeys === 'write';
  }
  if (access.accountKeys) {
    add(new PolicyStatement({ actions: access.accountKeys === 'write' ? SECRET_WRITE : SECRET_READ, resources: [secretsUnderPrefix(res.bucket, `${res.secretPrefix}account/`)] }));
    kmsRead = true;
    kmsWrite ||= access.accountKeys === 'write';
  }
  if (access.eab) grantOperatorSecrets(grantee, res.lineages.eabSecrets, res);
  if (access.dns) {
    for (const statement of route53Statements(res.lineages.route53, res.partition, access.dns)) add(statement);
    grantOperatorSecrets(grantee, res.lineages.dnsCredentialSecrets, res);
    if (res.lineages.assumedRoles.length > 0) {
      add(new PolicyStatement({ actions: ['sts:AssumeRole'], resources: [...res.lineages.assumedRoles] }));
    }
  }
  if (access.events) {
    add(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['events:PutEvents'],
        resources: [res.eventBus.eventBusArn],
        conditions: { StringEquals: { 'events:source': [EVENT_SOURCE] } },
      }),
    );
  }
  if (kmsWrite) res.key.grant(grantee, 'kms:Decrypt', 'kms:GenerateDataKey');
  else if (kmsRead) res.key.grant(grantee, 'kms:Decrypt');
}

/**
 * GetSecretValue on the operator's secrets (EAB, DNS credentials): by name or ARN pattern for those
 * given as strings; for those given as `ISecret`, on the secret itself and, when it is encrypted with
 * a customer-managed key, `kms:Decrypt` on that key through Secrets Manager only (`kms:ViaService`).
 */
function grantOperatorSecrets(grantee: IGrantable, refs: readonly string[], res: IssuerResources): void {
  const add = (statement: PolicyStatement) => grantee.grantPrincipal.addToPrincipalPolicy(statement);
  const byName = refs.filter((ref) => !res.lineages.secrets.has(ref));
  if (byName.length > 0) add(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: byName.map((ref) => secretArnOf(res.bucket, ref)) }));
  for (const ref of refs) {
    const secret = res.lineages.secrets.get(ref);
    if (!secret) continue;
    // An ARN without its six random characters (a secret imported by name) matches them with "-??????".
    add(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`] }));
    if (secret.encryptionKey) {
      add(
        new PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [secret.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(res.bucket).region}.amazonaws.com` } },
        }),
      );
    }
  }
}

/** The prefix as text for a reason: a deploy-time prefix is described, since a token in a reason would not read. */
function describePrefix(prefix: string): string {
  return Token.isUnresolved(prefix) ? 'acmeflow/<stack>/<issuer>/<key>/' : prefix;
}

function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The cdk-nag acknowledgements (AwsSolutions-IAM5) of the wildcards {@link grantAccess} writes for
 * `access`, each with its reason; only those this access actually produces.
 *
 * @example
 * ```ts
 * NagSuppressions.addResourceSuppressions(fn.role, accessSuppressions(STEP_ACCESS.PrepareOrder, resources), true);
 * ```
 */
export function accessSuppressions(access: FunctionAccess, res: IssuerResources): NagAcknowledgement[] {
  const out: NagAcknowledgement[] = [];
  const prefixes = [
    ...(access.store ? STORE_PREFIXES : []),
    ...(access.locks ? [LOCKS_PREFIX] : []),
    ...(access.sweeps ? [SWEEPS_PREFIX] : []),
    ...(access.certificateKeys ? [KEYS_PREFIX] : []),
  ].map((p) => p.replace(/\/$/, ''));
  if (prefixes.length > 0) {
    out.push({
      id: 'AwsSolutions-IAM5',
      reason:
        'Objects are one per lineage, version and sweep (renewal/<name>.json, archive/<name>/<n>/…, live/<name>/…, locks/<name>.json, sweeps/<execution>/…, keys/<name>/…), named at run time: each grant is limited to its own prefix of the certificate bucket.',
      appliesTo: [{ regex: `/^Resource::<.*\\.Arn>\\/(${prefixes.join('|')})\\/\\*$/g` }],
    });
  }
  const secretKinds = [...(access.certificateKeys ? ['cert'] : []), ...(access.accountKeys ? ['account'] : [])];
  if (secretKinds.length > 0) {
    out.push({
      id: 'AwsSolutions-IAM5',
      reason: `One secret per lineage (${describePrefix(res.secretPrefix)}cert/<name>) and per ACME account (${describePrefix(res.secretPrefix)}account/<id>) is created at run time: the grant is limited to that prefix.`,
      appliesTo: [
        {
          // The default prefix holds the key id, a deploy-time value: cdk-nag then sees its parts joined.
          regex: Token.isUnresolved(res.secretPrefix)
            ? `/^Resource::arn:<AWS::Partition>:secretsmanager:${NAG_REGION}:${NAG_ACCOUNT}:secret:acmeflow\\/.*\\/(${secretKinds.join('|')})\\/\\*$/g`
            : `/^Resource::arn:<AWS::Partition>:secretsmanager:${NAG_REGION}:${NAG_ACCOUNT}:secret:${regexEscape(res.secretPrefix)}(${secretKinds.join('|')})\\/\\*$/g`,
        },
      ],
    });
  }
  if (access.dns && res.lineages.route53.length > 0) {
    out.push({
      id: 'AwsSolutions-IAM5',
      reason: 'Route 53 change ids are generated per ChangeResourceRecordSets call: GetChange can only name change/*.',
      appliesTo: ['Resource::arn:<AWS::Partition>:route53:::change/*'],
    });
  }
  return out;
}

/** Why `access` puts a statement on Resource "*" (see {@link accessSuppressions}; acknowledged with the function's other "*" reasons). */
export function accessWildcardReasons(access: FunctionAccess, res: IssuerResources): string[] {
  return access.dns === 'write' && res.lineages.route53.some((r) => r.zoneLookup)
    ? ['route53:ListHostedZonesByName accepts only Resource "*"; granted because a Route 53 provider looks its zone up by name (no config.hostedZoneId).']
    : [];
}
