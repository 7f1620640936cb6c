import { Stack } from 'aws-cdk-lib';
import { EventField, Rule, RuleTargetInput, type IEventBus, type IRuleTarget, type RuleTargetConfig } from 'aws-cdk-lib/aws-events';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnDocument } from 'aws-cdk-lib/aws-ssm';
import { NagSuppressions } from '../iam/nag-suppressions.js';
import { Construct } from 'constructs';
import { NAG_ACCOUNT, NAG_REGION } from '../iam/nag-patterns.js';
import type { SsmDeployHookProps } from '../acme-issuer-props.js';
import { secretArnOf, secretsUnderPrefix } from '../iam/secret-arns.js';
import { certbotLayoutScript, KEY_LOCATION_PARAMETER_PATTERN, LINEAGE_PARAMETER_PATTERN, VERSION_PARAMETER_PATTERN } from './certbot-layout-script.js';
import { acmeflowEventPattern } from './event-patterns.js';

/** The operator manual's deploy hook: reload Apache once the new certificate is in place. */
export const DEFAULT_RELOAD_COMMAND = 'systemctl reload httpd';
export const DEFAULT_CONFIG_DIR = '/etc/letsencrypt';

export interface SsmDeployHookConstructProps extends SsmDeployHookProps {
  readonly eventBus: IEventBus;
  readonly secretPrefix: string;
  /** The issuer's key (the secrets and the bucket are encrypted with it). */
  readonly key: IKey;
  /** The certificate bucket: certificates, and the keys of lineages that keep them in S3. */
  readonly bucket: IBucket;
}

/**
 * An SSM Run Command deploy hook: an EventBridge rule on `Certificate Deployable` whose target is a
 * Command document run on the instances carrying the tag; the document writes the lineage in
 * certbot's layout (from S3 for lineages that keep their key there: the very version the event
 * names; else from the lineage's secret) and runs the reload command. EventBridge's role may send
 * that one document only, to instances with that tag only. The instances read the secret with
 * their own role: {@link instancePolicy} grants exactly the hook's lineages.
 */
export class SsmDeployHook extends Construct {
  readonly document: CfnDocument;
  readonly rule: Rule;
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
          lineage: { type: 'String', description: 'The certificate lineage (certbot --cert-name).', allowedPattern: LINEAGE_PARAMETER_PATTERN },
          version: { type: 'String', description: 'The certificate version the event announced.', allowedPattern: VERSION_PARAMETER_PATTERN },
          keyLocation: {
            type: 'String',
            description: 'Where the key is (the event\'s keyLocation): s3://<bucket>/keys/<lineage>/ or the secret name.',
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
        reason: 'Versions and their keys are objects named at run time (archive/<name>/<n>/…, keys/<name>/<n>/privkey.pem): the instances read the hook\'s lineages\' prefixes only.',
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
      ]);
    }
  }
}
