import { CustomResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { NagSuppressions } from '../iam/nag-suppressions.js';
import { Construct } from 'constructs';
import { secretsUnderPrefix } from '../iam/secret-arns.js';

export interface SecretCleanupProps {
  /** The `delete-secrets` function; this construct grants it what it needs. */
  readonly onEvent: IFunction;
  /** The function's role, where the cdk-nag acknowledgement of its prefix grant goes. */
  readonly onEventRole: IRole;
  /** The issuer's secret prefix (`<prefix>cert/*`, `<prefix>account/*` are deleted). */
  readonly secretPrefix: string;
  /** @default RetentionDays.ONE_YEAR */
  readonly logRetention?: RetentionDays;
}

/**
 * With `removalPolicy: DESTROY`, deletes the secrets the functions created at run time when the stack
 * is deleted (CloudFormation never knew them): a custom resource whose Delete runs
 * `functions/delete-secrets/handler.ts`, which acts only while the stack itself is deleted (not when
 * an update merely removes this resource). Make it depend on the KMS key that encrypts those secrets,
 * so the secrets are gone before the key's deletion is scheduled, and make whatever creates secrets
 * (the state machines) depend on it, so nothing writes a new one after it ran.
 */
export class SecretCleanup extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: SecretCleanupProps) {
    super(scope, id);
    // ListSecrets authorizes only Resource "*"; DeleteSecret is scoped to the two run-time prefixes.
    props.onEvent.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:ListSecrets'], resources: ['*'] }));
    props.onEvent.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:DeleteSecret'],
        resources: [secretsUnderPrefix(this, `${props.secretPrefix}cert/`), secretsUnderPrefix(this, `${props.secretPrefix}account/`)],
      }),
    );

    NagSuppressions.addResourceSuppressions(
      props.onEventRole,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'The run-time secrets are named per lineage and ACME account (<secret prefix>cert/<name>, <secret prefix>account/<id>): DeleteSecret is limited to those two prefixes.',
          appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:secretsmanager:.*:secret:.*\\/(cert|account)\\/\\*$/g' }],
        },
      ],
      true,
    );

    // The handler deletes only while the whole stack goes away, which it reads from the stack's status.
    props.onEvent.addToRolePolicy(new PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [Stack.of(this).stackId] }));

    const frameworkLogs = new LogGroup(this, 'ProviderLogs', { retention: props.logRetention ?? RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.DESTROY });
    const frameworkRole = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'acmeflow: custom resource provider framework of the run-time secret cleanup',
    });
    frameworkLogs.grantWrite(frameworkRole);
    const provider = new Provider(this, 'Provider', { onEventHandler: props.onEvent, frameworkOnEventRole: frameworkRole, logGroup: frameworkLogs });
    this.resource = new CustomResource(this, 'Secrets', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::AcmeflowRunTimeSecrets',
      properties: { SecretPrefix: props.secretPrefix },
    });

    NagSuppressions.addResourceSuppressions(
      frameworkRole,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'The provider framework invokes the cleanup function; CDK grantInvoke also names "<function ARN>:*" (its versions and aliases) next to the function ARN. Nothing else is granted.',
          appliesTo: [{ regex: '/^Resource::<.*\\.Arn>:\\*$/g' }],
        },
      ],
      true,
    );
  }
}
