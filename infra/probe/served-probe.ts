import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENDPOINT_STALE, METRICS_NAMESPACE, SERVED_METRICS_DIMENSION } from '../../shared/workflow/machines/metrics.js';

export interface ServedProbeProps {
  /** The probe function (`functions/probe-endpoints/handler.ts`; its role reads the lineages). */
  readonly function: IFunction;
  /** Where the alarm notifies. */
  readonly action: IAlarmAction;
  /** @default every 12 hours, the sweep's rhythm */
  readonly schedule?: Schedule;
}

/**
 * What servers present, watched: the probe function runs on the sweep's rhythm and writes
 * `EndpointStale` per lineage; one alarm (a Metrics Insights query over every lineage, so it needs no
 * alarm per certificate) fires when any endpoint serves an older version past the deploy delay and
 * grace, expires within 14 days, or cannot be read.
 */
export class ServedProbe extends Construct {
  readonly rule: Rule;
  readonly endpointStale: Alarm;

  constructor(scope: Construct, id: string, props: ServedProbeProps) {
    super(scope, id);
    this.rule = new Rule(this, 'Schedule', {
      description: 'acmeflow: probe the certificates the endpoints serve',
      schedule: props.schedule ?? Schedule.rate(Duration.hours(12)),
      targets: [new LambdaFunction(props.function, { retryAttempts: 2 })],
    });
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
