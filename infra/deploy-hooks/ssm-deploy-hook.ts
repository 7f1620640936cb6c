import { Stack } from 'aws-cdk-lib';
import { EventField, Rule, RuleTargetInput, type IEventBus, type IRuleTarget, type RuleTargetConfig } from 'aws-cdk-lib/aws-events';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnAssociation, CfnDocument } from 'aws-cdk-lib/aws-ssm';
import { NagSuppressions } from '../iam/nag-suppressions.js';
import { Construct } from 'constructs';
import { NAG_ACCOUNT, NAG_REGION } from '../iam/nag-patterns.js';
import type { SsmDeployHookProps } from '../acme-issuer-props.js';
import type { KeyStoreKind } from '../../shared/config/index.js';
import { SourceBoundTopicTarget } from '../notifications/source-bound-topic-target.js';
import { secretArnOf, secretsUnderPrefix } from '../iam/secret-arns.js';
import { certbotLayoutScript, KEY_LOCATION_PARAMETER_PATTERN, LINEAGE_PARAMETER_PATTERN, VERSION_PARAMETER_PATTERN } from './certbot-layout-script.js';
import { acmeflowEventPattern } from './event-patterns.js';

/** The operator manual's deploy hook: reload Apache once the new certificate is in place. */
export const DEFAULT_RELOAD_COMMAND = 'systemctl reload httpd';
export const DEFAULT_CONFIG_DIR = '/etc/letsencrypt';
/**
 * How often the association brings the tagged instances to the current versions. State Manager also
 * runs it when it is created and on each instance that starts matching the tag, so this is the bound
 * on how long an instance missed by Run Command (offline, or its run failed) serves an older version.
 */
export const DEFAULT_RECONCILE_SCHEDULE = 'rate(1 hour)';
/** Run Command and association statuses that mean the certificate did not reach an instance. */
export const FAILED_RUN_STATUSES = ['Failed', 'TimedOut'] as const;

export interface SsmDeployHookConstructProps extends SsmDeployHookProps {
  readonly eventBus: IEventBus;
  readonly secretPrefix: string;
  /** The issuer's key (the secrets and the bucket are encrypted with it). */
  readonly key: IKey;
  /** The certificate bucket: certificates, and the keys of lineages that keep them in S3. */
  readonly bucket: IBucket;
  /** The issuer's `keyStore`: where the key of a lineage whose spec names none is. */
  readonly defaultKeyStore: KeyStoreKind;
  /** Where failed runs are notified (the issuer's topic). @default not notified */
  readonly notificationTopic?: ITopic;
}

/**
 * An SSM Run Command deploy hook: an EventBridge rule on `Certificate Deployable` whose target is a
 * Command document run on the instances carrying the tag; the document writes the lineage in
 * certbot's layout (from S3 for lineages that keep their key there: the very version the event
 * names; else from the lineage's secret) and runs the reload command. EventBridge's role may send
 * that one document only, to instances with that tag only. The instances read the secret with
 * their own role: {@link instancePolicy} grants exactly the hook's lineages.
 *
 * Instances that were not there (or not online) when the event fired get the current versions from
 * a State Manager {@link association} of the same document on the same tag (run on creation, on
 * instances that start matching the tag, and on a schedule); a run on an instance that is current
 * changes nothing and reloads nothing. Every failed run, by Run Command or by the association, is a
 * {@link failureRules} event notified to the topic (and alarmed on by the issuer's alarms).
 */
export class SsmDeployHook extends Construct {
  readonly document: CfnDocument;
  readonly rule: Rule;
  /** The State Manager association; undefined with `reconcile: false`. */
  readonly association?: CfnAssociation;
  /** Rules matching the document's failed Run Command invocations and failed association runs. */
  readonly failureRules: readonly Rule[];
  /** Read access to the hook's lineages' secrets and the key, for the target instances' roles. */
  readonly instancePolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: SsmDeployHookConstructProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.targetTagValues.length === 0 || props.targetTagValues.length > 50) throw new Error(`${id}: targetTagValues takes 1 to 50 values.`);

    this.document = new CfnDocument(this, 'Document', {
      documentType: 'Command',
      content: {
        schemaVersion: '2.2',
        description: "acmeflow: write a certificate lineage in certbot's layout from S3 or Secrets Manager, then reload the server.",
        parameters: {
          lineage: { type: 'String', description: 'The certificate lineage (certbot --cert-name), or * for every lineage of the hook.', allowedPattern: LINEAGE_PARAMETER_PATTERN },
          version: { type: 'String', description: 'The certificate version the event announced (v<n>), or current.', allowedPattern: VERSION_PARAMETER_PATTERN },
          keyLocation: {
            type: 'String',
            description: "Where the key is (the event's keyLocation): s3://<bucket>/keys/<lineage>/ or the secret name.",
            allowedPattern: KEY_LOCATION_PARAMETER_PATTERN,
          },
        },
        mainSteps: [
          {
            action: 'aws:runShellScript',
            name: 'deployCertificate',
            precondition: { StringEquals: ['platformType', 'Linux'] },
            inputs: {
              timeoutSeconds: '300',
              runCommand: certbotLayoutScript({
                secretPrefix: props.secretPrefix,
                bucket: props.bucket.bucketName,
                configDir: props.configDir ?? DEFAULT_CONFIG_DIR,
                region: stack.region,
                reloadCommand: props.reloadCommand ?? DEFAULT_RELOAD_COMMAND,
                ...(props.lineages && props.lineages.length > 0 ? { lineages: props.lineages } : {}),
                defaultKeyStore: props.defaultKeyStore,
              }),
            },
          },
        ],
      },
    });
    const documentArn = stack.formatArn({ service: 'ssm', resource: 'document', resourceName: this.document.ref });

    const role = new Role(this, 'EventsRole', { assumedBy: new ServicePrincipal('events.amazonaws.com'), description: 'acmeflow: SSM Run Command deploy hook' });
    role.addToPolicy(new PolicyStatement({ actions: ['ssm:SendCommand'], resources: [documentArn] }));
    role.addToPolicy(
      new PolicyStatement({
        actions: ['ssm:SendCommand'],
        resources: [stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' })],
        conditions: { StringEquals: { [`ssm:resourceTag/${props.targetTagKey}`]: [...props.targetTagValues] } },
      }),
    );

    const target: IRuleTarget = {
      bind: (): RuleTargetConfig => ({
        arn: documentArn,
        role,
        input: RuleTargetInput.fromObject({
          lineage: [EventField.fromPath('$.detail.lineage')],
          // Run Command parameters are strings, and the event's version is a number: a placeholder alone
          // would be inserted bare, so the "v" makes the transformer insert it inside a JSON string.
          version: [`v${EventField.fromPath('$.detail.version')}`],
          keyLocation: [EventField.fromPath('$.detail.keyLocation')],
        }),
        runCommandParameters: { runCommandTargets: [{ key: `tag:${props.targetTagKey}`, values: [...props.targetTagValues] }] },
      }),
    };
    this.rule = new Rule(this, 'Rule', {
      description: `acmeflow: on Certificate Deployable, write certbot's layout on instances tagged ${props.targetTagKey} and reload`,
      eventBus: props.eventBus,
      eventPattern: acmeflowEventPattern('Certificate Deployable', props.lineages),
      targets: [target],
    });

    const targets = [{ key: `tag:${props.targetTagKey}`, values: [...props.targetTagValues] }];
    if (props.reconcile ?? true) {
      this.association = new CfnAssociation(this, 'Association', {
        name: this.document.ref,
        targets,
        parameters: { lineage: ['*'], version: ['current'], keyLocation: ['current'] },
        scheduleExpression: props.reconcileSchedule ?? DEFAULT_RECONCILE_SCHEDULE,
        // Instances already current do nothing; staggered so that a fleet does not reload at once.
        maxConcurrency: '50%',
        // One broken instance must not stop the rest: each failure is notified and alarmed instead.
        maxErrors: '100%',
        complianceSeverity: 'HIGH',
        syncCompliance: 'AUTO',
      });
    }
    this.failureRules = this.#failureRules(props);

    const secrets =
      props.lineages && props.lineages.length > 0
        ? props.lineages.map((lineage) => secretArnOf(this, `${props.secretPrefix}cert/${lineage}`))
        : [secretsUnderPrefix(this, `${props.secretPrefix}cert/`)];
    this.instancePolicy = new ManagedPolicy(this, 'InstancePolicy', {
      description: 'acmeflow: read the certificates and keys the SSM deploy hook writes on this instance',
      statements: [
        new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: secrets }),
        // Lineages whose key is in S3: the version's chain and key (the bucket policy also lets only
        // the instanceRoles read keys/).
        new PolicyStatement({
          actions: ['s3:GetObject'],
          resources: (props.lineages && props.lineages.length > 0 ? props.lineages : ['*']).flatMap((lineage) => [
            props.bucket.arnForObjects(`archive/${lineage}/*`),
            props.bucket.arnForObjects(`keys/${lineage}/*`),
          ]),
        }),
        // The association reads each lineage's stored state (public data) to find its current version.
        new PolicyStatement({
          actions: ['s3:GetObject'],
          resources: (props.lineages && props.lineages.length > 0 ? props.lineages.map((lineage) => `${lineage}.json`) : ['*']).map((file) =>
            props.bucket.arnForObjects(`renewal/${file}`),
          ),
        }),
        ...(props.lineages && props.lineages.length > 0
          ? []
          : [new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.bucket.bucketArn], conditions: { StringEquals: { 's3:prefix': 'renewal/' } } })]),
        new PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.key.keyArn] }),
      ],
      roles: [...(props.instanceRoles ?? [])],
    });

    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: `Run Command by tag: instance IDs are not known, so SendCommand names "instance/*" but only for instances tagged ${props.targetTagKey} (ssm:resourceTag condition); the document is named exactly.`,
          appliesTo: [{ regex: `/^Resource::arn:<AWS::Partition>:ec2:${NAG_REGION}:${NAG_ACCOUNT}:instance\\/\\*$/g` }],
        },
      ],
      true,
    );
    NagSuppressions.addResourceSuppressions(this.instancePolicy, [
      {
        id: 'AwsSolutions-IAM5',
        reason: "Versions and their keys are objects named at run time (archive/<name>/<n>/…, keys/<name>/<n>/privkey.pem): the instances read the hook's lineages' prefixes only.",
        appliesTo: [{ regex: '/^Resource::<.*\\.Arn>\\/(archive|keys)\\/[^\\/]+\\/\\*$/g' }],
      },
    ]);
    if (!(props.lineages && props.lineages.length > 0)) {
      NagSuppressions.addResourceSuppressions(this.instancePolicy, [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'The hook deploys every lineage, and each lineage has its own secret under "<prefix>cert/", created at run time: the instances read that prefix only.',
          appliesTo: [{ regex: `/^Resource::arn:<AWS::Partition>:secretsmanager:${NAG_REGION}:${NAG_ACCOUNT}:secret:.*cert\\/\\*$/g` }],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'The hook deploys every lineage, including those added after deploy: the association lists and reads the stored lineages (renewal/<name>.json, no secrets) to find each current version.',
          appliesTo: [{ regex: '/^Resource::<.*\\.Arn>\\/renewal\\/\\*$/g' }],
        },
      ]);
    }
  }

  /**
   * A rule per way the document runs — Run Command's per-instance invocations (`EC2 Command Invocation
   * Status-change Notification`) and the association's per-instance runs (`EC2 State Manager Instance
   * Association State Change`) — matching this document's failed runs, each notified to the topic
   * with the instance and where to look.
   */
  #failureRules(props: SsmDeployHookConstructProps): Rule[] {
    // AWS services put their events on the default bus only, whatever bus the issuer uses.
    const runCommand = new Rule(this, 'RunCommandFailed', {
      description: `acmeflow: a Run Command of the SSM deploy hook (instances tagged ${props.targetTagKey}) failed`,
      eventPattern: {
        source: ['aws.ssm'],
        detailType: ['EC2 Command Invocation Status-change Notification'],
        detail: { 'document-name': [this.document.ref], status: [...FAILED_RUN_STATUSES] },
      },
    });
    const association = new Rule(this, 'AssociationFailed', {
      description: `acmeflow: a State Manager run of the SSM deploy hook (instances tagged ${props.targetTagKey}) failed`,
      eventPattern: {
        source: ['aws.ssm'],
        detailType: ['EC2 State Manager Instance Association State Change'],
        detail: { 'document-name': [this.document.ref], status: [...FAILED_RUN_STATUSES] },
      },
    });
    if (props.notificationTopic) {
      const hook = `instances tagged ${props.targetTagKey}=${props.targetTagValues.join('|')}`;
      runCommand.addTarget(
        new SourceBoundTopicTarget(
          props.notificationTopic,
          RuleTargetInput.fromObject({
            event: 'SSM Deploy Hook Failed',
            hook,
            how: 'Run Command on Certificate Deployable',
            instance: EventField.fromPath('$.detail.instance-id'),
            status: EventField.fromPath('$.detail.status'),
            commandId: EventField.fromPath('$.detail.command-id'),
            what: 'The certificate did not reach this instance. See the command output in Systems Manager > Run Command; the State Manager association retries on its schedule.',
          }),
        ),
      );
      association.addTarget(
        new SourceBoundTopicTarget(
          props.notificationTopic,
          RuleTargetInput.fromObject({
            event: 'SSM Deploy Hook Failed',
            hook,
            how: 'State Manager association (current versions)',
            instance: EventField.fromPath('$.detail.instance-id'),
            status: EventField.fromPath('$.detail.status'),
            detailedStatus: EventField.fromPath('$.detail.detailed-status'),
            associationId: EventField.fromPath('$.detail.association-id'),
            what: 'The certificate did not reach this instance. See the association run in Systems Manager > State Manager; it retries on its schedule.',
          }),
        ),
      );
    }
    return [runCommand, association];
  }
}
