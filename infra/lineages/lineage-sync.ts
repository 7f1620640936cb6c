import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CustomResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { NagSuppressions } from '../iam/nag-suppressions.js';
import { Construct } from 'constructs';
import type { LineageSpec } from '../../shared/config/index.js';

export interface LineageSyncProps {
  /** The resolved specs to store. */
  readonly specs: readonly LineageSpec[];
  /** The `sync-lineages` function (its role must already write the store and start the sweep). */
  readonly onEvent: IFunction;
  /** @default RetentionDays.ONE_YEAR */
  readonly logRetention?: RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Placeholder → secret ARN (a deploy-time token) for the specs' secrets of generated names. @default none */
  readonly secretRefs?: Readonly<Record<string, string>>;
}

/** The specs file's content: format 1 (read by `parseSpecsFile` in functions/sync-lineages). */
export function specsFileContent(specs: readonly LineageSpec[]): string {
  return `${JSON.stringify({ format: 1, specs }, null, 2)}\n`;
}

/**
 * The deploy-time trigger: a custom resource (custom-resources `Provider`) whose `onEvent` writes
 * every lineage spec to `renewal/<name>.json` and starts a sweep for the added and changed ones.
 * The specs travel as a file asset named by its content hash, so the resource updates exactly when
 * the certificate list changes, and 10,000 specs never touch the CloudFormation template's size limit.
 */
export class LineageSync extends Construct {
  readonly resource: CustomResource;
  readonly specsAsset: Asset;

  constructor(scope: Construct, id: string, props: LineageSyncProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const content = specsFileContent(props.specs);
    const hash = createHash('sha256').update(content).digest('hex');
    const dir = path.join(tmpdir(), 'acmeflow-lineage-specs');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${hash}.json`);
    writeFileSync(file, content);
    this.specsAsset = new Asset(this, 'Specs', { path: file });
    props.onEvent.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [stack.formatArn({ service: 's3', region: '', account: '', resource: this.specsAsset.s3BucketName, resourceName: this.specsAsset.s3ObjectKey })],
      }),
    );

    const frameworkLogs = new LogGroup(this, 'ProviderLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const frameworkRole = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'acmeflow: custom resource provider framework of the lineage sync',
    });
    frameworkLogs.grantWrite(frameworkRole);
    const provider = new Provider(this, 'Provider', {
      onEventHandler: props.onEvent,
      frameworkOnEventRole: frameworkRole,
      logGroup: frameworkLogs,
    });
    this.resource = new CustomResource(this, 'Lineages', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::AcmeflowLineages',
      properties: {
        SpecsBucket: this.specsAsset.s3BucketName,
        SpecsKey: this.specsAsset.s3ObjectKey,
        ...(props.secretRefs && Object.keys(props.secretRefs).length > 0 ? { SecretRefs: props.secretRefs } : {}),
      },
    });

    NagSuppressions.addResourceSuppressions(
      frameworkRole,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'The provider framework invokes the sync function; CDK grantInvoke also names "<function ARN>:*" (its versions and aliases) next to the function ARN. Nothing else is granted.',
          appliesTo: [{ regex: '/^Resource::<.*\\.Arn>:\\*$/g' }],
        },
      ],
      true,
    );
  }
}
