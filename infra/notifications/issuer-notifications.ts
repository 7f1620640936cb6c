import { RemovalPolicy } from 'aws-cdk-lib';
import { EventField, Rule, RuleTargetInput, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { NotificationProps } from '../acme-issuer-props.js';
import { acmeflowEventPattern } from '../deploy-hooks/event-patterns.js';

export interface IssuerNotificationsProps extends NotificationProps {
  readonly eventBus: IEventBus;
  /** Also notify every `Certificate Deployable` (the SNS deploy hook). */
  readonly deployable: boolean;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The notification topic and the rules that feed it: every `Certificate Issuance Failed` (with the
 * ACME problem and its explanation in English and Japanese), and, as the SNS deploy hook, every
 * `Certificate Deployable`. The alarms publish here too. A new topic is encrypted with its own KMS
 * key (rotated), which EventBridge and CloudWatch may use to publish; it refuses plain HTTP.
 */
export class IssuerNotifications extends Construct {
  readonly topic: ITopic;
  readonly failureRule: Rule;
  readonly deployableRule?: Rule;

  constructor(scope: Construct, id: string, props: IssuerNotificationsProps) {
    super(scope, id);
    if (props.topic) {
      this.topic = props.topic;
    } else {
      const key = new Key(this, 'TopicKey', {
        description: 'acmeflow: notification topic',
        enableKeyRotation: true,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });
      // Publishers to an encrypted topic need the key: EventBridge rules and CloudWatch alarms.
      key.addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal('events.amazonaws.com'), new ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
        }),
      );
      this.topic = new Topic(this, 'Topic', { displayName: 'acmeflow', masterKey: key, enforceSSL: true });
    }
    for (const email of props.emails ?? []) this.topic.addSubscription(new EmailSubscription(email));

    this.failureRule = new Rule(this, 'IssuanceFailed', {
      description: 'acmeflow: notify every failed issuance',
      eventBus: props.eventBus,
      eventPattern: acmeflowEventPattern('Certificate Issuance Failed'),
      targets: [
        new SnsTopic(this.topic, {
          message: RuleTargetInput.fromObject({
            event: 'Certificate Issuance Failed',
            lineage: EventField.fromPath('$.detail.lineage'),
            domains: EventField.fromPath('$.detail.domains'),
            step: EventField.fromPath('$.detail.step'),
            error: EventField.fromPath('$.detail.error'),
            explanation: EventField.fromPath('$.detail.explanation'),
            problem: EventField.fromPath('$.detail.problem'),
            retryNotBefore: EventField.fromPath('$.detail.retryNotBefore'),
          }),
        }),
      ],
    });
    if (props.deployable) {
      this.deployableRule = new Rule(this, 'Deployable', {
        description: 'acmeflow: notify every certificate ready to deploy (SNS deploy hook)',
        eventBus: props.eventBus,
        eventPattern: acmeflowEventPattern('Certificate Deployable'),
        targets: [
          new SnsTopic(this.topic, {
            message: RuleTargetInput.fromObject({
              event: 'Certificate Deployable',
              lineage: EventField.fromPath('$.detail.lineage'),
              version: EventField.fromPath('$.detail.version'),
              domains: EventField.fromPath('$.detail.domains'),
              notAfter: EventField.fromPath('$.detail.notAfter'),
              location: EventField.fromPath('$.detail.location'),
              renewal: EventField.fromPath('$.detail.renewal'),
            }),
          }),
        ],
      });
    }
  }
}
