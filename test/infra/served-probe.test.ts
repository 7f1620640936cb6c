import { Annotations, Match } from 'aws-cdk-lib/assertions';
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

  it('runs the probe function every 12 hours and alarms on EndpointStale over every lineage, to the topic', () => {
    const probe = withEndpoints.issuer.servedProbe!;
    expect(probe).toBeDefined();
    const rule = withEndpoints.template.findResources('AWS::Events::Rule')[logicalId(probe.rule)]?.Properties as Record<string, any>;
    expect(rule.ScheduleExpression).toBe('rate(12 hours)');
    const alarm = withEndpoints.template.findResources('AWS::CloudWatch::Alarm')[logicalId(probe.endpointStale)]?.Properties as Record<string, any>;
    expect(alarm.Metrics[0].Expression).toBe(`SELECT MAX(${ENDPOINT_STALE}) FROM SCHEMA("${METRICS_NAMESPACE}", Lineage)`);
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [{ Ref: logicalId(withEndpoints.issuer.topic as never) }] });
  });

  it('gives the probe function read access to the lineages and nothing to write', () => {
    const fn = withEndpoints.template.findResources('AWS::Events::Rule')[logicalId(withEndpoints.issuer.servedProbe!.rule)]?.Properties as Record<string, any>;
    const targetFn = JSON.stringify(fn.Targets[0].Arn);
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
