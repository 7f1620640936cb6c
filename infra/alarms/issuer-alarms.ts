import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { IRule } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DAYS_TO_EXPIRY_MIN, LINEAGES_UNREADABLE, METRICS_DIMENSION, METRICS_NAMESPACE } from '../../shared/workflow/machines/metrics.js';

export interface IssuerAlarmsProps {
  readonly issuance: IStateMachine;
  readonly sweep: IStateMachine;
  /** The certificate bucket's name: the dimension of the expiry metric. */
  readonly bucketName: string;
  /** @default 14 */
  readonly expiryAlarmDays?: number;
  /** Alarm when no sweep succeeded for a day (only when the schedule runs). */
  readonly sweepScheduled: boolean;
  /** Deploy hook functions whose errors are alarmed. @default none */
  readonly hookFunctions?: readonly IFunction[];
  /** Per SSM deploy hook, the rules matching its failed runs (Run Command, State Manager). @default none */
  readonly hookFailureRules?: readonly (readonly IRule[])[];
  /** Per chat or webhook notification target, its rules (one per event type). @default none */
  readonly webhookRules?: readonly (readonly IRule[])[];
  /** The RecordFailure step's function: when it fails, a failure goes without its event, so the alarm says it. @default not watched */
  readonly recordFailure?: IFunction;
  readonly action: IAlarmAction;
}

/**
 * The issuer's alarms, each notifying the topic:
 * - **IssuanceFailed**: an issuance failed without its `Certificate Issuance Failed` event: the
 *   execution timed out or was stopped (RecordFailure never ran), or RecordFailure itself failed.
 *   A failure that has its event is notified by the event's rule alone, so each failure reaches the
 *   topic once (an alarm on every failed execution mailed each of them a second time);
 * - **SweepFailed**: a sweep failed or timed out (no lineage was renewed by it);
 * - **SweepNotSucceeding**: no sweep succeeded in a day while the schedule runs twice a day (missing data is breaching);
 * - **CertificateExpiring**: `acmeflow/DaysToExpiryMin` (written by full sweeps, see `metrics.ts`)
 *   below the threshold: some certificate has less than 14 days left and renewal keeps failing;
 * - **DeployHookErrors**: a deploy hook function failed;
 * - **SsmDeployFailed**: a run of an SSM deploy hook failed on some instance, counted by the rules
 *   that match those runs (`AWS/Events` `TriggeredRules` per rule: the hook's own document only);
 * - **WebhookDeliveryFailed**: EventBridge could not deliver a message to a Slack, Teams or webhook
 *   target (`FailedInvocations` of its rules: an HTTP error or throttling past the retries), so that a
 *   chat channel that went quiet is noticed through the topic.
 */
export class IssuerAlarms extends Construct {
  readonly issuanceFailed: Alarm;
  readonly sweepFailed: Alarm;
  readonly sweepNotSucceeding?: Alarm;
  readonly certificateExpiring: Alarm;
  readonly deployHookErrors: Alarm[] = [];
  readonly ssmDeployFailed: Alarm[] = [];
  readonly webhookDeliveryFailed: Alarm[] = [];

  constructor(scope: Construct, id: string, props: IssuerAlarmsProps) {
    super(scope, id);
    this.issuanceFailed = new Alarm(this, 'IssuanceFailed', {
      alarmDescription:
        'acmeflow: a certificate issuance failed without its "Certificate Issuance Failed" event (it timed out, was stopped, or recording the failure failed); see the issuance executions\' history. Failures with an event are notified by the event alone.',
      metric: new MathExpression({
        expression: props.recordFailure ? 'timedOut + aborted + unrecorded' : 'timedOut + aborted',
        usingMetrics: {
          timedOut: props.issuance.metricTimedOut({ statistic: 'Sum' }),
          aborted: props.issuance.metricAborted({ statistic: 'Sum' }),
          ...(props.recordFailure ? { unrecorded: props.recordFailure.metricErrors({ statistic: 'Sum' }) } : {}),
        },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.sweepFailed = new Alarm(this, 'SweepFailed', {
      alarmDescription:
        'acmeflow: a renewal sweep failed, or skipped lineages it could not read; see its execution history (the "Renewal Sweep Completed" event names each unreadable lineage and why).',
      // A lineage that cannot be read does not fail the sweep (the rest of the fleet renews); CompleteSweep counts it.
      metric: new MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(unreadable, 0)',
        usingMetrics: {
          failed: props.sweep.metricFailed({ statistic: 'Sum' }),
          timedOut: props.sweep.metricTimedOut({ statistic: 'Sum' }),
          unreadable: new Metric({ namespace: METRICS_NAMESPACE, metricName: LINEAGES_UNREADABLE, dimensionsMap: { [METRICS_DIMENSION]: props.bucketName }, statistic: 'Maximum' }),
        },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (props.sweepScheduled) {
      this.sweepNotSucceeding = new Alarm(this, 'SweepNotSucceeding', {
        alarmDescription: 'acmeflow: no renewal sweep succeeded in the last day; is the schedule running?',
        metric: props.sweep.metricSucceeded({ statistic: 'Sum', period: Duration.days(1) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.BREACHING,
      });
    }
    const days = props.expiryAlarmDays ?? 14;
    this.certificateExpiring = new Alarm(this, 'CertificateExpiring', {
      alarmDescription: `acmeflow: a certificate has less than ${days} days left (renewal is failing or was not attempted).`,
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: DAYS_TO_EXPIRY_MIN,
        dimensionsMap: { [METRICS_DIMENSION]: props.bucketName },
        statistic: 'Minimum',
        period: Duration.days(1),
      }),
      threshold: days,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      // No data: no certificate issued yet, or no full sweep today (SweepNotSucceeding covers that).
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    (props.hookFunctions ?? []).forEach((fn, i) => {
      this.deployHookErrors.push(
        new Alarm(this, `DeployHookErrors${i}`, {
          alarmDescription: 'acmeflow: a deploy hook function failed; see its log group.',
          metric: fn.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    });
    /** Any of these rules' `AWS/Events` metric at least once in five minutes. */
    const anyRule = (id: string, description: string, metricName: string, rules: readonly IRule[]) => {
      const usingMetrics = Object.fromEntries(
        rules.map((rule, j) => [`rule${j}`, new Metric({ namespace: 'AWS/Events', metricName, dimensionsMap: { RuleName: rule.ruleName }, statistic: 'Sum' })]),
      );
      return new Alarm(this, id, {
        alarmDescription: description,
        metric: new MathExpression({
          expression: Object.keys(usingMetrics)
            .map((key) => `FILL(${key}, 0)`)
            .join(' + '),
          usingMetrics,
          period: Duration.minutes(5),
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    };
    (props.hookFailureRules ?? []).forEach((rules, i) => {
      this.ssmDeployFailed.push(
        anyRule(
          `SsmDeployFailed${i}`,
          'acmeflow: the SSM deploy hook failed on an instance (Run Command or the State Manager association); the notification names the instance.',
          'TriggeredRules',
          rules,
        ),
      );
    });
    (props.webhookRules ?? []).forEach((rules, i) => {
      this.webhookDeliveryFailed.push(
        anyRule(
          `WebhookDeliveryFailed${i}`,
          `acmeflow: a message to notifications.webhooks[${i}] could not be delivered (HTTP error or throttling); check its secret, URL and channel.`,
          'FailedInvocations',
          rules,
        ),
      );
    });
    for (const alarm of this.all()) {
      alarm.addAlarmAction(props.action);
    }
  }

  /** Every alarm of the issuer. */
  all(): Alarm[] {
    return [
      this.issuanceFailed,
      this.sweepFailed,
      ...(this.sweepNotSucceeding ? [this.sweepNotSucceeding] : []),
      this.certificateExpiring,
      ...this.deployHookErrors,
      ...this.ssmDeployFailed,
      ...this.webhookDeliveryFailed,
    ];
  }
}
