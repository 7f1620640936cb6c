import 'reflect-metadata';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DeleteSecretCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The custom resource behind `removalPolicy: DESTROY` of `AcmeIssuer`: on stack delete it deletes
 * the secrets the functions created at run time, `<prefix>cert/…` and `<prefix>account/…`, which
 * CloudFormation does not know about. Deletion is forced (no recovery window): a secret scheduled for
 * deletion keeps its name for up to 30 days, and the next deploy of the same stack, whose prefix is
 * the same, would fail to create it. Create and Update do nothing, and the physical id never changes,
 * so a changed prefix is never a replacement that deletes the old secrets mid-life.
 *
 * CloudFormation also sends Delete when only this resource leaves the template (the operator switched
 * `removalPolicy` from DESTROY to RETAIN): the secrets of a live stack must stay then. So the handler
 * deletes only while the stack itself goes away — its status `DELETE_IN_PROGRESS`, or
 * `ROLLBACK_IN_PROGRESS` (a failed first create) — and does nothing otherwise.
 *
 * The construct makes this resource depend on the KMS key, so CloudFormation deletes the secrets
 * before it schedules the key's deletion.
 */

/** The custom resource's properties (set by the `SecretCleanup` construct). */
export interface DeleteSecretsProperties {
  /** The issuer's secret prefix, ending with "/". */
  readonly SecretPrefix: string;
}

/** The parts of a CloudFormation custom resource event the provider framework hands to `onEvent`. */
export interface DeleteSecretsEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly StackId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: DeleteSecretsProperties;
}

export interface DeleteSecretsResult {
  readonly PhysicalResourceId: string;
  readonly Data?: Readonly<Record<string, string>>;
}

export const PHYSICAL_RESOURCE_ID = 'acmeflow-run-time-secrets';
/** Stack statuses in which the whole stack is going away (a delete, or the rollback of its first create). */
export const STACK_GOING_AWAY = ['DELETE_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'] as const;

/** What the handler uses: a Secrets Manager client and the status of the stack. */
export interface DeleteSecretsDeps {
  readonly secretsManager: SecretsManagerClient;
  /** The stack's current `StackStatus`. */
  stackStatus(stackId: string): Promise<string | undefined>;
}
/** The kinds of secret the key store creates under the prefix (shared/store/secrets-manager/secret-names.ts). */
export const SECRET_KINDS = ['cert/', 'account/'] as const;

/** A prefix this resource may delete under: the construct's own check, repeated where the deleting happens. */
function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9/_+=.@-]+\/$/.test(prefix)) {
    throw new Error(`SecretPrefix must be letters, digits and /_+=.@-, ending with "/", not ${JSON.stringify(prefix)}.`);
  }
  return prefix;
}

/**
 * @example
 * ```ts
 * const onEvent = makeHandler(() => ({ secretsManager: new SecretsManagerClient({ endpoint }), stackStatus: async () => 'DELETE_IN_PROGRESS' }));
 * await onEvent({ RequestType: 'Delete', StackId: stackArn, ResourceProperties: { SecretPrefix: 'acmeflow/Prod/Issuer/1234abcd/' } });
 * ```
 */
export function makeHandler(depsSource: () => DeleteSecretsDeps): (event: DeleteSecretsEvent) => Promise<DeleteSecretsResult> {
  return async (event): Promise<DeleteSecretsResult> => {
    const prefix = checkPrefix(event.ResourceProperties.SecretPrefix);
    if (event.RequestType !== 'Delete') return { PhysicalResourceId: PHYSICAL_RESOURCE_ID };
    const deps = depsSource();
    const status = await deps.stackStatus(event.StackId);
    if (!(STACK_GOING_AWAY as readonly (string | undefined)[]).includes(status)) {
      // Only this resource leaves a stack that stays: its secrets stay too.
      return { PhysicalResourceId: PHYSICAL_RESOURCE_ID, Data: { Deleted: '0', StackStatus: String(status) } };
    }
    const client = deps.secretsManager;
    const prefixes = SECRET_KINDS.map((kind) => `${prefix}${kind}`);
    // List everything first, then delete: deleting while paging would shift the pages under the listing.
    const arns: string[] = [];
    for (const kindPrefix of prefixes) {
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new ListSecretsCommand({
            Filters: [{ Key: 'name', Values: [kindPrefix] }],
            IncludePlannedDeletion: true,
            MaxResults: 100,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        );
        // The name filter ignores case: only names that start with the prefix exactly are ours.
        for (const secret of page.SecretList ?? []) if (secret.Name?.startsWith(kindPrefix) && secret.ARN) arns.push(secret.ARN);
        nextToken = page.NextToken;
      } while (nextToken);
    }
    let deleted = 0;
    for (const arn of arns) {
      try {
        await client.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
        deleted += 1;
      } catch (error) {
        if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
      }
    }
    return { PhysicalResourceId: PHYSICAL_RESOURCE_ID, Data: { Deleted: String(deleted) } };
  };
}

export const handler = makeHandler(() => {
  const cloudFormation = new CloudFormationClient({});
  return {
    secretsManager: new SecretsManagerClient({}),
    async stackStatus(stackId) {
      const answer = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackId }));
      return answer.Stacks?.[0]?.StackStatus;
    },
  };
});
