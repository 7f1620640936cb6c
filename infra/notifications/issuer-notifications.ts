import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { EventField, Rule, RuleTargetInput, type IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { NotificationProps } from '../acme-issuer-props.js';
import { acmeflowEventPattern } from '../deploy-hooks/event-patterns.js';
import { SourceBoundTopicTarget } from './source-bound-topic-target.js';
import { WebhookNotifications } from './webhook-notifications.js';

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
 * key (rotated), which this account's EventBridge rules and CloudWatch alarms may use to publish (every
 * service grant conditioned on `aws:SourceAccount` and `aws:SourceArn`); it refuses plain HTTP.
 * Chat channels and webhooks get the events they choose through {@link WebhookNotifications}.
 */
export class IssuerNotifications extends Construct {
  readonly topic: ITopic;
  readonly failureRule: Rule;
  readonly deployableRule?: Rule;
  /** The Slack, Teams and webhook targets, when the props list any. */
  readonly webhooks?: WebhookNotifications;

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
      // Publishers to an encrypted topic need the key: this account's EventBridge rules and CloudWatch
      // alarms, and no other account's (aws:SourceAccount, aws:SourceArn: the confused deputy problem).
      // The rules' own ARNs cannot be named here: each rule targets the topic, which needs this key.
      const { account, region, partition } = Stack.of(this);
      const publishers = [
        { service: 'events.amazonaws.com', sourceArn: `arn:${partition}:events:${region}:${account}:rule/*` },
        { service: 'cloudwatch.amazonaws.com', sourceArn: `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
      ];
      for (const { service, sourceArn } of publishers) {
        key.addToResourcePolicy(
          new PolicyStatement({
            principals: [new ServicePrincipal(service)],
            actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
            resources: ['*'],
            conditions: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': sourceArn } },
          }),
        );
      }
      this.topic = new Topic(this, 'Topic', { displayName: 'acmeflow', masterKey: key, enforceSSL: true });
    }
    for (const email of props.emails ?? []) this.topic.addSubscription(new EmailSubscription(email));

    this.failureRule = new Rule(this, 'IssuanceFailed', {
      description: 'acmeflow: notify every failed issuance',
      eventBus: props.eventBus,
      eventPattern: acmeflowEventPattern('Certificate Issuance Failed'),
      targets: [
        new SourceBoundTopicTarget(
          this.topic,
          RuleTargetInput.fromObject({
            event: 'Certificate Issuance Failed',
            lineage: EventField.fromPath('$.detail.lineage'),
            domains: EventField.fromPath('$.detail.domains'),
            step: EventField.fromPath('$.detail.step'),
            error: EventField.fromPath('$.detail.error'),
            explanation: EventField.fromPath('$.detail.explanation'),
            problem: EventField.fromPath('$.detail.problem'),
            retryNotBefore: EventField.fromPath('$.detail.retryNotBefore'),
          }),
        ),
      ],
    });
    if (props.deployable) {
      this.deployableRule = new Rule(this, 'Deployable', {
        description: 'acmeflow: notify every certificate ready to deploy (SNS deploy hook)',
        eventBus: props.eventBus,
        eventPattern: acmeflowEventPattern('Certificate Deployable'),
        targets: [
          new SourceBoundTopicTarget(
            this.topic,
            RuleTargetInput.fromObject({
              event: 'Certificate Deployable',
              lineage: EventField.fromPath('$.detail.lineage'),
              version: EventField.fromPath('$.detail.version'),
              domains: EventField.fromPath('$.detail.domains'),
              notAfter: EventField.fromPath('$.detail.notAfter'),
              location: EventField.fromPath('$.detail.location'),
              renewal: EventField.fromPath('$.detail.renewal'),
            }),
          ),
        ],
      });
    }
    if (props.webhooks && props.webhooks.length > 0) {
      this.webhooks = new WebhookNotifications(this, 'Webhooks', { eventBus: props.eventBus, webhooks: props.webhooks });
    }
  }
}
