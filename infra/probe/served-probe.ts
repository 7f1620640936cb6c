import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, type ScheduleExpression, TimeWindow } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { NagSuppressions } from '../iam/nag-suppressions.js';
import { ENDPOINT_STALE, METRICS_NAMESPACE, SERVED_METRICS_DIMENSION } from '../../shared/workflow/machines/metrics.js';

export interface ServedProbeProps {
  /** The probe function (`functions/probe-endpoints/handler.ts`; its role reads the lineages). */
  readonly function: IFunction;
  /** Where the alarm notifies. */
  readonly action: IAlarmAction;
  /**
   * When the probe runs: the renewal sweep's own expression (the construct passes the one it gives
   * its sweep schedule, from `sweepSchedule` or `renewalSchedule.expression`), so one schedule drives both.
   */
  readonly schedule: ScheduleExpression;
  /** The sweep's jitter, so the probe spreads like the sweep. @default 60 minutes */
  readonly flexibleWindow?: Duration;
}

/**
 * What servers present, watched: the probe function runs on the renewal sweep's schedule and writes
 * `EndpointStale` per lineage; one alarm (a Metrics Insights query over every lineage, so it needs no
 * alarm per certificate) fires when any endpoint serves an older version past the deploy delay and
 * grace, expires within 14 days, or cannot be read.
 */
export class ServedProbe extends Construct {
  readonly schedule: Schedule;
  readonly endpointStale: Alarm;

  constructor(scope: Construct, id: string, props: ServedProbeProps) {
    super(scope, id);
    // The probe's own role, so the invoke grant and its acknowledgement sit on this role only.
    const role = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: 'acmeflow: the served-certificate probe schedule invokes the probe function',
    });
    // Kept enabled when the sweep's schedule is disabled: what servers present still needs watching.
    this.schedule = new Schedule(this, 'Schedule', {
      description: 'acmeflow: probe the certificates the endpoints serve, on the renewal sweep\u2019s schedule',
      schedule: props.schedule,
      timeWindow: TimeWindow.flexible(props.flexibleWindow ?? Duration.minutes(60)),
      target: new LambdaInvoke(props.function, { retryAttempts: 2, role }),
    });
    // After the target: its grant creates the role's default policy, which the acknowledgement must reach.
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'CDK grantInvoke names "<function ARN>:*" (versions and aliases) next to the probe function\u2019s ARN; no other function is granted.',
          appliesTo: [{ regex: '/^Resource::<.*\\.Arn>:\\*$/g' }],
        },
      ],
      true,
    );
    this.endpointStale = new Alarm(this, 'EndpointStale', {
      alarmDescription:
        'acmeflow: an endpoint serves an older certificate than the lineage\u2019s current one after the deploy delay and grace, serves one that expires within 14 days, or cannot be read; the probe function\u2019s log names the lineage and endpoint.',
      metric: new MathExpression({
        expression: `SELECT MAX(${ENDPOINT_STALE}) FROM SCHEMA("${METRICS_NAMESPACE}", ${SERVED_METRICS_DIMENSION})`,
        usingMetrics: {},
        period: Duration.hours(1),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.endpointStale.addAlarmAction(props.action);
  }
}
