import { Stack } from 'aws-cdk-lib';
import type { IRuleRef, IRuleTarget, RuleTargetConfig, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';

/**
 * An EventBridge rule target that publishes to an SNS topic, allowed by a topic policy statement
 * that names the rule: `aws:SourceArn` is the rule's ARN and `aws:SourceAccount` this account. The
 * stock `SnsTopic` target grants `events.amazonaws.com` without a condition, so any account's rule
 * could publish through it (the confused deputy problem). The topic's KMS key is granted by its
 * owner (issuer-notifications.ts), not here: the key policy cannot name a rule whose target needs the
 * key's topic without a dependency cycle.
 *
 * @example
 * ```ts
 * new Rule(this, 'Failed', { eventPattern, targets: [new SourceBoundTopicTarget(topic, RuleTargetInput.fromObject({ ... }))] });
 * ```
 */
export class SourceBoundTopicTarget implements IRuleTarget {
  constructor(
    readonly topic: ITopic,
    readonly message: RuleTargetInput,
  ) {}

  bind(rule: IRuleRef): RuleTargetConfig {
    const { ruleArn } = rule.ruleRef;
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': ruleArn }, StringEquals: { 'aws:SourceAccount': Stack.of(this.topic).account } },
      }),
    );
    return { arn: this.topic.topicArn, input: this.message, targetResource: this.topic };
  }
}
