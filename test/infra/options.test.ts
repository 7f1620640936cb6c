import { Duration } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import type { AcmeIssuerProps } from '../../infra/acme-issuer-props.js';
import { definitionOf, iamStatements, synthIssuer, type Synthesized } from './support/synth.js';

const minimal: AcmeIssuerProps = {
  caAccounts: { le: { preset: 'letsencrypt', termsOfServiceAgreed: true } },
  dnsProviders: { main: { provider: 'route53', config: { hostedZoneId: 'Z0123456789ABCDEFGHIJ' } } },
  certificates: [{ domains: ['example.net'], keyType: 'ecdsa-p256', ca: 'le', dns: 'main' }],
};

function nagFindings(s: Synthesized): string[] {
  const annotations = Annotations.fromStack(s.stack);
  return [...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')), ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))].map(
    (f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`,
  );
}

const sweepMap = (s: Synthesized) => (definitionOf(s.template, s.stack.getLogicalId(s.issuer.sweepStateMachine.node.defaultChild as never)).States as Record<string, any>).RenewDue;

describe('AcmeIssuer defaults', () => {
  const s = synthIssuer(minimal, { nag: true });

  it('schedules twice a day in UTC with a 60-minute window, 50 issuances at once', () => {
    s.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 0,12 * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 60 },
      State: 'ENABLED',
    });
    expect(sweepMap(s).MaxConcurrency).toBe(50);
  });

  it('ships the SNS hook only, and grants no zone lookup when the zone id is given', () => {
    s.template.resourceCountIs('AWS::SSM::Document', 0);
    expect(s.issuer.acmImportHook).toBeUndefined();
    const rules = Object.values(s.template.findResources('AWS::Events::Rule')).map((r) => r.Properties.EventPattern['detail-type'][0]);
    expect(rules.sort()).toEqual(['Certificate Deployable', 'Certificate Issuance Failed']);
    expect(iamStatements(s.template).some((st) => st.Action.includes('route53:ListHostedZonesByName'))).toBe(false);
    expect(iamStatements(s.template).some((st) => st.Action.some((a) => a.startsWith('acm:')))).toBe(false);
  });

  it('passes cdk-nag with no finding left', () => {
    expect(nagFindings(s)).toEqual([]);
  });
});

describe('AcmeIssuer options', () => {
  it('honours concurrency, a disabled schedule, another secret prefix and no tracing, still passing cdk-nag', () => {
    const s = synthIssuer(
      { ...minimal, sweepConcurrency: 25, renewalSchedule: { enabled: false, flexibleWindow: Duration.minutes(15) }, secretPrefix: 'certs/', tracing: false },
      { nag: true },
    );
    expect(sweepMap(s).MaxConcurrency).toBe(25);
    s.template.hasResourceProperties('AWS::Scheduler::Schedule', { State: 'DISABLED', FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 } });
    expect(s.issuer.alarms.sweepNotSucceeding).toBeUndefined();
    const secretResources = iamStatements(s.template).filter((st) => st.Action.some((a) => a.startsWith('secretsmanager:'))).flatMap((st) => st.Resource);
    expect(secretResources.length).toBeGreaterThan(0);
    for (const r of secretResources) expect(r).toMatch(/:secret:certs\/(cert|account)\/\*$/);
    for (const machine of Object.values(s.template.findResources('AWS::StepFunctions::StateMachine'))) expect(machine.Properties.TracingConfiguration?.Enabled ?? false).toBe(false);
    expect(iamStatements(s.template).some((st) => st.Action.some((a) => a.startsWith('xray:')))).toBe(false);
    expect(nagFindings(s)).toEqual([]);
  });

  it('bundles per function when asked: each function its own entry and handler', () => {
    const s = synthIssuer({ ...minimal, bundling: 'per-function' });
    const handlers = Object.values(s.template.findResources('AWS::Lambda::Function'))
      .filter((r) => String(r.Properties.Description).startsWith('acmeflow:'))
      .map((r) => r.Properties.Handler);
    expect(new Set(handlers)).toEqual(new Set(['index.handler']));
  });

  it('rejects a sweep concurrency the Distributed Map cannot take', () => {
    expect(() => synthIssuer({ ...minimal, sweepConcurrency: 0 })).toThrow(/sweepConcurrency/);
  });
});

describe('onCertificateDeployable', () => {
  it('creates a rule on the issuer bus for Certificate Deployable of the given lineages', () => {
    const s = synthIssuerWithRule();
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['acmeflow'], 'detail-type': ['Certificate Deployable'], detail: { lineage: ['example.net'] } },
      Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Queue'), 'Arn'] } })]),
    });
  });
});

function synthIssuerWithRule(): Synthesized {
  return synthIssuer(minimal, {
    extend: (issuer) => {
      const queue = new Queue(issuer, 'MyQueue', { enforceSSL: true });
      issuer.onCertificateDeployable('MyHook', { lineages: ['example.net'], target: new SqsQueue(queue) });
    },
  });
}
