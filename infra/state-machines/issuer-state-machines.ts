import { ArnFormat, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from '../iam/nag-suppressions.js';
import { Construct } from 'constructs';
import { NAG_ACCOUNT, NAG_REGION } from '../iam/nag-patterns.js';
import { stackCreationId } from '../lifecycle/stack-scoped-names.js';
import { SWEEPS_PREFIX } from '../lambda/grant-access.js';
import {
  DEFAULT_SWEEP_CONCURRENCY,
  ISSUANCE_TASKS,
  REVOCATION_TASKS,
  SWEEP_TASKS,
  issuanceDefinition,
  revocationDefinition,
  sweepDefinition,
  type LambdaStep,
  type ResourceFor,
} from '../../shared/workflow/machines/index.js';

/** The managed rule Step Functions creates in the account to learn when a `.sync` child execution ends. */
export const SYNC_EVENTS_RULE = 'StepFunctionsGetEventsForStepFunctionsExecutionRule';

export interface IssuerStateMachinesProps {
  /** The function behind each Lambda step. */
  readonly functions: Readonly<Record<LambdaStep, IFunction>>;
  /** Holds the sweep's plan (ItemReader) and results (ResultWriter) under `sweeps/`. */
  readonly bucket: IBucket;
  /** The bucket's KMS key. */
  readonly key: IKey;
  /** @default DEFAULT_SWEEP_CONCURRENCY (50) */
  readonly sweepConcurrency?: number;
  /** @default RetentionDays.ONE_YEAR */
  readonly logRetention?: RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** @default true */
  readonly tracing?: boolean;
}

/**
 * The three Standard (JSONPath) state machines of `shared/workflow/machines/`, deployed as written: the
 * definitions are rendered with `Stack.toJsonString`, so each Task's `Resource` is its function's ARN
 * (a token that becomes `Fn::GetAtt` in the DefinitionString). Because the definitions are JSON and
 * not CDK states, CDK cannot derive the roles' permissions; they are added here, statement by statement:
 *
 * - each machine invokes exactly its own steps' functions (the unqualified ARNs it names);
 * - the sweep starts the issuance machine with `startExecution.sync:2` (Start/Describe/Stop on it,
 *   and the managed EventBridge rule Step Functions uses to learn when a child ends), reads its plan
 *   and writes its Distributed Map results under `sweeps/` (KMS), and starts its own child executions
 *   (a Distributed Map runs each item as a child execution of the machine itself); that last grant is
 *   a separate policy, because the machine's ARN in its own default policy would be a dependency cycle;
 * - the issuance starts its own follow-up execution (the deploy delay, then `Certificate Deployable`):
 *   `states:StartExecution` on itself, a separate policy for the same reason;
 * - every machine logs ALL events (without execution data) to its own log group and traces with X-Ray.
 */
export class IssuerStateMachines extends Construct {
  readonly issuance: StateMachine;
  readonly sweep: StateMachine;
  readonly revocation: StateMachine;

  constructor(scope: Construct, id: string, props: IssuerStateMachinesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const resourceFor: ResourceFor = (step) => props.functions[step].functionArn;

    this.issuance = this.#machine('Issuance', issuanceDefinition(resourceFor), Object.values(ISSUANCE_TASKS), props);
    this.sweep = this.#machine(
      'Sweep',
      sweepDefinition({
        resourceFor,
        issuanceStateMachineArn: this.issuance.stateMachineArn,
        bucketName: props.bucket.bucketName,
        maxConcurrency: props.sweepConcurrency ?? DEFAULT_SWEEP_CONCURRENCY,
      }),
      Object.values(SWEEP_TASKS),
      props,
    );
    this.revocation = this.#machine('Revocation', revocationDefinition(resourceFor), Object.values(REVOCATION_TASKS), props);

    const executionsOf = (name: string, separator: ':' | '/') =>
      stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${name}${separator}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

    // Distributed Map items: `states:startExecution.sync:2` of the issuance machine.
    this.issuance.grantStartExecution(this.sweep);
    this.sweep.addToRolePolicy(
      new PolicyStatement({ actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [executionsOf(this.issuance.stateMachineName, ':')] }),
    );
    this.sweep.addToRolePolicy(
      new PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: SYNC_EVENTS_RULE })],
      }),
    );
    // ItemReader (s3:getObject of the plan) and ResultWriter (s3:putObject, multipart for large results).
    this.sweep.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [props.bucket.arnForObjects(`${SWEEPS_PREFIX}*`)],
      }),
    );
    props.key.grant(this.sweep, 'kms:Decrypt', 'kms:GenerateDataKey');
    // The Distributed Map starts, watches and stops child executions of the sweep machine itself.
    const selfPolicy = new Policy(this, 'SweepChildExecutions', {
      roles: [this.sweep.role],
      statements: [
        new PolicyStatement({ actions: ['states:StartExecution'], resources: [this.sweep.stateMachineArn] }),
        new PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution'],
          resources: [executionsOf(this.sweep.stateMachineName, ':'), executionsOf(this.sweep.stateMachineName, '/')],
        }),
      ],
    });

    // The issuance's follow-up: after a deploy delay, an announce-only execution of the issuance
    // machine itself emits Certificate Deployable, so the delay holds no Map slot (a separate policy, as above).
    new Policy(this, 'IssuanceFollowUps', {
      roles: [this.issuance.role],
      statements: [new PolicyStatement({ actions: ['states:StartExecution'], resources: [this.issuance.stateMachineArn] })],
    });

    NagSuppressions.addResourceSuppressions(
      [this.sweep.role, selfPolicy],
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Execution ARNs end in names Step Functions generates (the issuance children of .sync:2, and the Distributed Map child executions "<machine>/<map run>:<id>"): Describe/StopExecution can only be scoped to "execution:<machine name>:*" and "…/*" of these two machines. The sweep plan and results objects are named per execution under "sweeps/", so the S3 grant is "<bucket>/sweeps/*".',
          appliesTo: [
            { regex: `/^Resource::arn:<AWS::Partition>:states:${NAG_REGION}:${NAG_ACCOUNT}:execution:<.*\\.Name>[:/]\\*$/g` },
            { regex: '/^Resource::<.*\\.Arn>\\/sweeps\\/\\*$/g' },
          ],
        },
      ],
      true,
    );
  }

  #machine(id: string, definition: Record<string, unknown>, steps: readonly LambdaStep[], props: IssuerStateMachinesProps): StateMachine {
    const tracing = props.tracing ?? true;
    const logGroup = new LogGroup(this, `${id}Logs`, {
      // Step Functions log groups under /aws/vendedlogs/ avoid CloudWatch Logs' resource policy size limit.
      // The name ends with the stack's creation id: a group retained by an earlier creation of this
      // stack (a rolled-back first deploy, a destroy) never blocks the next deploy with "already exists".
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}-${id}-${stackCreationId()}`,
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const machine = new StateMachine(this, id, {
      definitionBody: DefinitionBody.fromString(Stack.of(this).toJsonString(definition)),
      stateMachineType: StateMachineType.STANDARD,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: tracing,
    });
    const functionArns = [...new Set(steps)].map((step) => props.functions[step].functionArn);
    machine.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: functionArns }));
    NagSuppressions.addResourceSuppressions(
      machine.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: [
            'Log delivery to CloudWatch Logs: logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies and DescribeLogGroups accept only Resource "*".',
            tracing ? 'X-Ray tracing: xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules and GetSamplingTargets accept only Resource "*".' : '',
          ]
            .filter(Boolean)
            .join(' '),
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
    if (!tracing) {
      NagSuppressions.addResourceSuppressions(machine, [{ id: 'AwsSolutions-SF2', reason: 'X-Ray tracing was turned off by the operator (AcmeIssuerProps.tracing = false).' }]);
    }
    return machine;
  }
}
