import { Duration } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { describe, expect, it } from 'vitest';
import { ENDPOINT_STALE, METRICS_NAMESPACE } from '../../shared/workflow/machines/metrics.js';
import { statementsOfRole, synthIssuer, testIssuerProps } from './support/synth.js';

describe('the served-certificate probe in the template', () => {
  const base = testIssuerProps();
  const withEndpoints = synthIssuer(
    testIssuerProps({
      certificates: [{ ...base.certificates[0]!, endpoints: ['www.example.jp', { host: '192.0.2.10', port: 8443, sni: 'example.jp' }] }, ...base.certificates.slice(1)],
    }),
    { nag: true },
  );
  const logicalId = (construct: { node: { defaultChild?: unknown } }) => withEndpoints.stack.getLogicalId(construct.node.defaultChild as never);

  const scheduleOf = (synth: typeof withEndpoints, construct: { node: { defaultChild?: unknown } }) =>
    synth.template.findResources('AWS::Scheduler::Schedule')[synth.stack.getLogicalId(construct.node.defaultChild as never)]?.Properties as Record<string, any>;

  it('runs the probe function on the sweep schedule and alarms on EndpointStale over every lineage, to the topic', () => {
    const probe = withEndpoints.issuer.servedProbe!;
    expect(probe).toBeDefined();
    const probeSchedule = scheduleOf(withEndpoints, probe.schedule);
    const sweepSchedule = scheduleOf(withEndpoints, withEndpoints.issuer.schedule);
    expect(probeSchedule.ScheduleExpression).toBe('cron(0 0,12 * * ? *)');
    expect(probeSchedule.ScheduleExpression).toBe(sweepSchedule.ScheduleExpression);
    expect(probeSchedule.ScheduleExpressionTimezone).toBe(sweepSchedule.ScheduleExpressionTimezone);
    expect(probeSchedule.FlexibleTimeWindow).toEqual(sweepSchedule.FlexibleTimeWindow);
    expect(probeSchedule.Target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 2 });
    expect(withEndpoints.template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } })).toEqual({});
    const alarm = withEndpoints.template.findResources('AWS::CloudWatch::Alarm')[logicalId(probe.endpointStale)]?.Properties as Record<string, any>;
    expect(alarm.Metrics[0].Expression).toBe(`SELECT MAX(${ENDPOINT_STALE}) FROM SCHEMA("${METRICS_NAMESPACE}", Lineage)`);
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [{ Ref: logicalId(withEndpoints.issuer.topic as never) }] });
  });

  it('follows the sweep when its schedule changes: a shorter lifetime, or an expression of its own', () => {
    const certificates = [{ ...base.certificates[0]!, endpoints: ['www.example.jp'] }, ...base.certificates.slice(1)];
    const shorter = synthIssuer(testIssuerProps({ certificates, renewalSchedule: { shortestLifetime: Duration.days(45) } }));
    expect(scheduleOf(shorter, shorter.issuer.servedProbe!.schedule).ScheduleExpression).toBe('cron(0 0,6,12,18 * * ? *)');
    const own = synthIssuer(testIssuerProps({ certificates, renewalSchedule: { expression: ScheduleExpression.rate(Duration.hours(3)), flexibleWindow: Duration.minutes(10) } }));
    const probe = scheduleOf(own, own.issuer.servedProbe!.schedule);
    expect(probe.ScheduleExpression).toBe('rate(3 hours)');
    expect(probe.FlexibleTimeWindow).toEqual({ Mode: 'FLEXIBLE', MaximumWindowInMinutes: 10 });
  });

  it('gives the probe function read access to the lineages and nothing to write', () => {
    const schedule = scheduleOf(withEndpoints, withEndpoints.issuer.servedProbe!.schedule);
    const targetFn = JSON.stringify(schedule.Target.Arn);
    const functions = withEndpoints.template.findResources('AWS::Lambda::Function');
    const [probeId] = Object.keys(functions).filter((id) => targetFn.includes(id));
    const roleRef = (functions[probeId!]!.Properties as { Role: { 'Fn::GetAtt': [string] } }).Role['Fn::GetAtt'][0];
    const actions = statementsOfRole(withEndpoints.template, roleRef).flatMap((st) => st.Action);
    expect(actions).toContain('s3:GetObject');
    expect(actions.filter((a) => /^s3:(Put|Delete)/.test(a))).toEqual([]);
  });

  it('adds no unacknowledged cdk-nag finding', () => {
    const annotations = Annotations.fromStack(withEndpoints.stack);
    const findings = [...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')), ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`)).toEqual([]);
  });

  it('is not created when no certificate lists endpoints', () => {
    expect(synthIssuer(base).issuer.servedProbe).toBeUndefined();
  });
});
