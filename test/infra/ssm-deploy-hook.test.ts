import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RECONCILE_SCHEDULE } from '../../infra/deploy-hooks/ssm-deploy-hook.js';
import { iamStatements, renderIntrinsic, synthIssuer, testIssuerProps, type Synthesized } from './support/synth.js';

let s: Synthesized;
beforeAll(() => {
  s = synthIssuer(undefined, { nag: true });
});

const resources = (synth: Synthesized, type: string): Record<string, any>[] =>
  Object.entries(synth.template.findResources(type)).map(([id, r]) => ({ id, ...(r.Properties as Record<string, any>) }));
const documentId = (synth: Synthesized) => resources(synth, 'AWS::SSM::Document')[0]!.id;

describe('SSM deploy hook: instances that appear later', () => {
  it('associates the same document with the same tag, for every lineage of the hook at its current version, on a schedule', () => {
    const associations = resources(s, 'AWS::SSM::Association');
    expect(associations).toHaveLength(1);
    const association = associations[0]!;
    // The very document the event-driven Run Command sends: one script, two callers.
    expect(association.Name).toEqual({ Ref: documentId(s) });
    const runCommand = resources(s, 'AWS::Events::Rule')
      .flatMap((r) => r.Targets ?? [])
      .find((t: Record<string, any>) => t.RunCommandParameters);
    expect(renderIntrinsic(runCommand.Arn)).toContain(`\${${documentId(s)}}`);
    expect(association.Targets).toEqual([{ Key: 'tag:acmeflow:deploy', Values: ['web'] }]);
    expect(association.Targets).toEqual(runCommand.RunCommandParameters.RunCommandTargets);
    expect(association.Parameters).toEqual({ lineage: ['*'], version: ['current'], keyLocation: ['current'] });
    expect(association.ScheduleExpression).toBe(DEFAULT_RECONCILE_SCHEDULE);
    // Applied at once on creation (and by State Manager on newly tagged instances), not only at the next interval.
    expect(association.ApplyOnlyAtCronInterval).not.toBe(true);
  });

  it("fixes the hook's lineage list and the issuer's default key store into the script the association runs", () => {
    const doc = resources(s, 'AWS::SSM::Document')[0]!;
    const script = doc.Content.mainSteps[0].inputs.runCommand.map(renderIntrinsic).join('\n');
    expect(script).toContain("export ACMEFLOW_HOOK_LINEAGES='example.jp'");
    expect(script).toContain("export ACMEFLOW_DEFAULT_KEY_STORE='s3'");
    expect(doc.Content.parameters.version.allowedPattern).toBe('^(v[1-9][0-9]{0,8}|current)$');
  });

  it("lets the instances read the hook's lineages' stored state, and list renewal/ only when the hook deploys every lineage", () => {
    const reads = iamStatements(s.template).filter(
      (st) => st.holder.includes('SsmDeployHook') && st.Action.includes('s3:GetObject') && st.Resource.some((r) => r.includes('/renewal/')),
    );
    expect(reads.flatMap((st) => st.Resource)).toEqual([expect.stringMatching(/\/renewal\/example\.jp\.json$/)]);
    expect(iamStatements(s.template).some((st) => st.Action.includes('s3:ListBucket') && st.holder.includes('SsmDeployHook'))).toBe(false);

    const all = synthIssuer(testIssuerProps({ deployHooks: { ssm: [{ targetTagKey: 'role', targetTagValues: ['web'], reconcileSchedule: 'rate(30 minutes)' }] } }), { nag: true });
    const list = iamStatements(all.template).find((st) => st.Action.includes('s3:ListBucket') && st.holder.includes('SsmDeployHook'));
    expect(list?.Condition).toEqual({ StringEquals: { 's3:prefix': 'renewal/' } });
    expect(iamStatements(all.template).some((st) => st.holder.includes('SsmDeployHook') && st.Resource.some((r) => r.endsWith('/renewal/*')))).toBe(true);
    expect(resources(all, 'AWS::SSM::Association')[0]?.ScheduleExpression).toBe('rate(30 minutes)');
    const script = resources(all, 'AWS::SSM::Document')[0]!.Content.mainSteps[0].inputs.runCommand.map(renderIntrinsic).join('\n');
    expect(script).toContain("export ACMEFLOW_HOOK_LINEAGES=''");
    // The wildcards a hook over every lineage needs are acknowledged, with reasons.
    const annotations = Annotations.fromStack(all.stack);
    const findings = [...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')), ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`)).toEqual([]);
  });

  it('has no association with reconcile: false', () => {
    const off = synthIssuer(testIssuerProps({ deployHooks: { ssm: [{ targetTagKey: 'role', targetTagValues: ['web'], reconcile: false }] } }));
    expect(resources(off, 'AWS::SSM::Association')).toEqual([]);
    expect(off.issuer.ssmDeployHooks[0]?.association).toBeUndefined();
  });
});

describe('SSM deploy hook: failed runs', () => {
  const failureRules = () => resources(s, 'AWS::Events::Rule').filter((r) => r.EventPattern?.source?.includes('aws.ssm'));

  it('matches failed Run Command invocations and failed association runs of this document only, on the default bus', () => {
    const rules = failureRules();
    expect(rules.map((r) => r.EventPattern['detail-type'])).toEqual([
      ['EC2 Command Invocation Status-change Notification'],
      ['EC2 State Manager Instance Association State Change'],
    ]);
    for (const rule of rules) {
      expect(rule.EventPattern.detail).toEqual({ 'document-name': [{ Ref: documentId(s) }], status: ['Failed', 'TimedOut'] });
      // AWS service events arrive on the default bus only.
      expect(rule.EventBusName).toBeUndefined();
    }
  });

  it('notifies each failure to the topic with the instance', () => {
    const topic = `\${${s.stack.getLogicalId(s.issuer.topic.node.defaultChild as never)}}`;
    for (const rule of failureRules()) {
      const target = rule.Targets[0];
      expect(renderIntrinsic(target.Arn)).toBe(topic);
      expect(target.InputTransformer.InputPathsMap).toMatchObject({ 'detail-instance-id': '$.detail.instance-id', 'detail-status': '$.detail.status' });
      expect(target.InputTransformer.InputTemplate).toContain('"event":"SSM Deploy Hook Failed"');
    }
  });

  it('alarms on either rule firing, and the alarm notifies the topic', () => {
    const alarm = resources(s, 'AWS::CloudWatch::Alarm').find((a) => String(a.AlarmDescription).includes('SSM deploy hook failed'));
    const metrics = alarm?.Metrics as Record<string, any>[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('FILL(rule0, 0) + FILL(rule1, 0)');
    const ruleNames = metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric);
    expect(ruleNames).toHaveLength(2);
    for (const metric of ruleNames) {
      expect(metric).toMatchObject({ Namespace: 'AWS/Events', MetricName: 'TriggeredRules' });
      expect(failureRules().map((r) => r.id)).toContain(metric.Dimensions[0].Value.Ref);
    }
    expect(alarm?.AlarmActions).toEqual([{ Ref: s.stack.getLogicalId(s.issuer.topic.node.defaultChild as never) }]);
  });
});
