import { Duration, Names, Stack } from 'aws-cdk-lib';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from '../iam/nag-suppressions.js';
import { Construct } from 'constructs';
import { NAG_ACCOUNT, NAG_REGION } from '../iam/nag-patterns.js';
import type { AcmImportHookProps } from '../acme-issuer-props.js';
import { acmImportStatements } from './acm-import/acm-import-statements.js';
import { resolveAcmTargets, type ResolvedAcmTarget } from './acm-import/acm-import-targets.js';
import { acmeflowEventPattern } from './event-patterns.js';

export interface AcmImportHookConstructProps extends AcmImportHookProps {
  /** The `acmImport` function (its role already reads the store and the certificate keys). */
  readonly function: IFunction;
  readonly eventBus: IEventBus;
  /** The certificate bucket: the hook writes each target's ARN into `renewal/<name>.json`. */
  readonly bucket: IBucket;
  readonly key: IKey;
  /** Every lineage of the issuer: the names the hook and its targets may list. @default not checked */
  readonly issuerLineages?: readonly string[];
}

/**
 * The ACM deploy hook: an EventBridge rule on `Certificate Deployable` invoking the import function
 * (`functions/acm-import/handler.ts`), which imports into each target (a region, possibly of another
 * account through a role it assumes) under the ARN kept in the lineage state, so the ARN stays the
 * same across renewals.
 *
 * The function's ACM rights are scoped by tags (`acmImportStatements`): it may re-import only
 * certificates tagged `acmeflow:issuer=<issuerTag>` and create only with that tag; it never lists
 * certificates. Besides reading the store it may write `renewal/*` (the ARN in the lineage state).
 */
export class AcmImportHook extends Construct {
  readonly rule: Rule;
  readonly function: IFunction;
  /** The `acmeflow:issuer` tag value on every certificate this hook imports. */
  readonly issuerTag: string;
  readonly targets: readonly ResolvedAcmTarget[];

  constructor(scope: Construct, id: string, props: AcmImportHookConstructProps) {
    super(scope, id);
    this.function = props.function;
    const stack = Stack.of(this);
    // The region is part of the default: two stacks of one name in two regions may import into one (us-east-1).
    this.issuerTag = props.issuerTag ?? `${stack.region}/${Names.uniqueId(scope)}`;
    this.targets = resolveAcmTargets(stack, props);
    if (props.issuerLineages) {
      const known = new Set(props.issuerLineages);
      const within = props.lineages === undefined ? known : new Set(props.lineages);
      for (const [i, target] of this.targets.entries()) {
        const stray = (target.lineages ?? []).filter((name) => !known.has(name) || !within.has(name));
        if (stray.length > 0) {
          throw new Error(
            `deployHooks.acmImport: target ${i} (${target.name}) names ${stray.join(', ')}, which ${props.lineages === undefined ? 'is no lineage of this issuer' : "is not among the hook's lineages"}.`,
          );
        }
      }
    }

    const ownRegions = new Map<string, readonly string[] | undefined>();
    for (const target of this.targets.filter((t) => t.roleArn === undefined)) {
      const region = target.region ?? stack.region;
      // One set of statements per region; lineage conditions only when every target there names its lineages.
      const before = ownRegions.has(region) ? ownRegions.get(region) : [];
      ownRegions.set(region, before === undefined || target.lineages === undefined ? undefined : [...new Set([...before, ...target.lineages])]);
    }
    for (const [region, lineages] of ownRegions) {
      for (const statement of acmImportStatements({ issuerTag: this.issuerTag, region, account: stack.account, ...(lineages === undefined ? {} : { lineages }) })) {
        props.function.addToRolePolicy(statement);
      }
    }
    const roles = [...new Set(this.targets.flatMap((t) => (t.roleArn === undefined ? [] : [t.roleArn])))];
    if (roles.length > 0) props.function.addToRolePolicy(new PolicyStatement({ actions: ['sts:AssumeRole'], resources: roles }));
    props.function.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [props.bucket.arnForObjects('renewal/*')] }));
    props.function.addToRolePolicy(new PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [props.key.keyArn] }));

    this.rule = new Rule(this, 'Rule', {
      description: 'acmeflow: on Certificate Deployable, import the certificate into ACM under its previous ARN',
      eventBus: props.eventBus,
      eventPattern: acmeflowEventPattern('Certificate Deployable', props.lineages),
      targets: [new LambdaFunction(props.function, { retryAttempts: 4, maxEventAge: Duration.hours(6) })],
    });
    if (props.function.role) {
      NagSuppressions.addResourceSuppressions(
        props.function.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'The ARNs of imported certificates are generated by ACM: "certificate/*" of this account and the target regions, conditioned on the acmeflow:issuer tag (aws:ResourceTag to re-import, aws:RequestTag to create). renewal/*: the hook writes the ARN into the lineage state of the lineage it imported.',
            appliesTo: [
              { regex: `/^Resource::arn:<AWS::Partition>:acm:${NAG_REGION}:${NAG_ACCOUNT}:certificate\\/\\*$/g` },
              { regex: '/^Resource::<.*\\.Arn>\\/renewal\\/\\*$/g' },
            ],
          },
        ],
        true,
      );
    }
  }

  /** The ACM target named `name`, or the one target of `lineage` (when it has exactly one). */
  targetFor(lineage: string, options: { region?: string; target?: string } = {}): ResolvedAcmTarget {
    const candidates = this.targets.filter(
      (t) =>
        (t.lineages === undefined || t.lineages.includes(lineage)) &&
        (options.target === undefined || t.name === options.target) &&
        (options.region === undefined || (t.region ?? Stack.of(this).region) === options.region),
    );
    if (candidates.length !== 1) {
      throw new Error(
        candidates.length === 0
          ? `The ACM hook imports "${lineage}" into no target${options.region ? ` in ${options.region}` : ''}${options.target ? ` named ${options.target}` : ''}: add one to deployHooks.acmImport.`
          : `The ACM hook imports "${lineage}" into ${candidates.map((t) => t.name).join(', ')}: say which with { region } or { target }.`,
      );
    }
    return candidates[0]!;
  }
}
