import { Duration } from 'aws-cdk-lib';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { describe, it } from 'vitest';
import type { AcmeIssuerProps, CertificateProps } from '../../infra/acme-issuer-props.js';
import { synthIssuer } from './support/synth.js';

const base = (certificates: CertificateProps[], extra: Partial<AcmeIssuerProps> = {}): AcmeIssuerProps => ({
  caAccounts: { le: { preset: 'letsencrypt', termsOfServiceAgreed: true }, own: { directoryUrl: 'https://ca.example/dir' } },
  dnsProviders: { main: { provider: 'route53', config: { hostedZoneId: 'Z0123456789ABCDEFGHIJ' } } },
  certificates,
  ...extra,
});
const cert = (name: string, more: Partial<CertificateProps> = {}): CertificateProps => ({
  domains: [`${name}.example.net`],
  keyType: 'ecdsa-p256',
  ca: 'le',
  dns: 'main',
  ...more,
});

describe('the renewal schedule follows the shortest lifetime in the issuer', () => {
  it('45-day certificates (tlsserver) beside 90-day ones: every 6 hours, 60-minute jitter', () => {
    synthIssuer(base([cert('a'), cert('b', { profile: 'tlsserver' })])).template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 0,6,12,18 * * ? *)',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 60 },
    });
  });

  it('six-day certificates (shortlived): every 30 minutes with a 7-minute jitter', () => {
    synthIssuer(base([cert('a'), cert('s', { requiredProfile: 'shortlived' })])).template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0,30 * * * ? *)',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 7 },
    });
  });

  it('a CA without a preset counts as 90 days unless shortestLifetime says otherwise; an expression and a window given win', () => {
    synthIssuer(base([cert('o', { ca: 'own' })])).template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 0,12 * * ? *)' });
    synthIssuer(base([cert('o', { ca: 'own' })], { renewalSchedule: { shortestLifetime: Duration.days(64) } })).template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 0,8,16 * * ? *)',
    });
    synthIssuer(
      base([cert('s', { requiredProfile: 'shortlived' })], { renewalSchedule: { expression: ScheduleExpression.rate(Duration.hours(2)), flexibleWindow: Duration.minutes(5) } }),
    ).template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(2 hours)', FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 5 } });
  });
});
