/**
 * `issuer.certificate(name)`: a Custom::AcmeflowCertificate per lineage and target behind a provider
 * whose onEvent is the ACM hook and whose isComplete is the read-only check, waiting at most the
 * handle's timeout (30 minutes by default) every 30 s; the ARN as an ICertificate that CloudFront and
 * an ALB listener take; the check's IAM; the refusals; cdk-nag.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Distribution } from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Vpc } from 'aws-cdk-lib/aws-ec2';
import { ApplicationLoadBalancer, ListenerAction, ListenerCertificate } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { describe, expect, it } from 'vitest';
import type { AcmeIssuer } from '../../infra/acme-issuer.js';
import type { AcmeIssuerProps } from '../../infra/acme-issuer-props.js';
import { reviewTemplate } from '../reliability/support/template-review.js';
import { CLOUDFLARE_SECRET, EAB_SECRET, renderIntrinsic, statementsOfRole, synthIssuer, testIssuerProps, type Synthesized } from './support/synth.js';

const withTargets: AcmeIssuerProps = testIssuerProps({
  deployHooks: { acmImport: { targets: [{ region: 'us-east-1', lineages: ['example.com', 'example.jp'] }, { lineages: ['example.jp'] }] } },
});

const resourcesOf = (s: Synthesized, type: string) =>
  Object.entries(s.template.toJSON().Resources as Record<string, { Type: string; Properties: any; DependsOn?: string[] }>).filter(([, r]) => r.Type === type);
const logicalIdOf = (s: Synthesized, c: { node: { defaultChild?: unknown } }) => s.stack.getLogicalId(c.node.defaultChild as never);
const nagFindings = (s: Synthesized) => {
  const annotations = Annotations.fromStack(s.stack);
  return [...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')), ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))].map(
    (f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`,
  );
};
/** The waiter's retry of the provider framework (how long a deploy may wait). */
const waiterRetries = (s: Synthesized) =>
  resourcesOf(s, 'AWS::StepFunctions::StateMachine')
    .map(([, r]) => JSON.parse(renderIntrinsic(r.Properties.DefinitionString)) as { States: Record<string, { Retry?: { IntervalSeconds: number; MaxAttempts: number }[] }> })
    .flatMap((d) => Object.values(d.States).flatMap((state) => state.Retry ?? []))
    .filter((retry) => retry.IntervalSeconds === 30)
    .map((retry) => retry.MaxAttempts * retry.IntervalSeconds);

describe('issuer.certificate(name)', () => {
  let cdn!: ICertificate;
  let api!: ICertificate;
  let issuer!: AcmeIssuer;
  const s = synthIssuer(withTargets, {
    nag: true,
    extend: (i) => {
      issuer = i;
      cdn = i.certificate('example.com');
      api = i.certificate('example.jp', { region: 'ap-northeast-1', timeout: Duration.minutes(45) });
      const stack = Stack.of(i);
      new Distribution(stack, 'Cdn', { certificate: cdn, domainNames: ['example.com'], defaultBehavior: { origin: new HttpOrigin('origin.example.com') } });
      const alb = new ApplicationLoadBalancer(stack, 'Alb', { vpc: new Vpc(stack, 'Vpc', { maxAzs: 2 }) });
      alb.addListener('Https', { port: 443, certificates: [ListenerCertificate.fromCertificateManager(api)], defaultAction: ListenerAction.fixedResponse(200) });
    },
  });

  it('is one Custom::AcmeflowCertificate per lineage and target, naming the target and the timeout', () => {
    const handles = resourcesOf(s, 'Custom::AcmeflowCertificate').map(([, r]) => ({
      Lineage: r.Properties.Lineage,
      Target: r.Properties.Target,
      TimeoutSeconds: r.Properties.TimeoutSeconds,
    }));
    expect(handles).toEqual([
      { Lineage: 'example.com', Target: 'acm:us-east-1', TimeoutSeconds: '1800' },
      { Lineage: 'example.jp', Target: 'acm', TimeoutSeconds: '2700' },
    ]);
    // Asked again: the same handle.
    expect(issuer.certificate('example.com')).toBe(cdn);
  });

  it('answers the ARN the resource returns, and CloudFront and an ALB listener take it', () => {
    const id = resourcesOf(s, 'Custom::AcmeflowCertificate')[0]?.[0];
    expect(s.stack.resolve(cdn.certificateArn)).toEqual({ 'Fn::GetAtt': [id, 'CertificateArn'] });
    const distribution = resourcesOf(s, 'AWS::CloudFront::Distribution')[0]?.[1];
    expect(distribution?.Properties.DistributionConfig.ViewerCertificate.AcmCertificateArn).toEqual({ 'Fn::GetAtt': [id, 'CertificateArn'] });
    const apiId = resourcesOf(s, 'Custom::AcmeflowCertificate')[1]?.[0];
    const listener = resourcesOf(s, 'AWS::ElasticLoadBalancingV2::Listener')[0]?.[1];
    expect(listener?.Properties.Certificates).toEqual([{ CertificateArn: { 'Fn::GetAtt': [apiId, 'CertificateArn'] } }]);
  });

  it('waits after the lineage sync (which starts the first issuance) and the hook', () => {
    for (const [, r] of resourcesOf(s, 'Custom::AcmeflowCertificate')) {
      expect(r.DependsOn).toEqual(expect.arrayContaining([s.stack.getLogicalId(issuer.lineageSync.resource.node.defaultChild as never)]));
      expect(r.DependsOn?.some((d) => d.startsWith('IssuerAcmImportHookRule'))).toBe(true);
    }
  });

  it("polls every 30 s for at most the handle's timeout: 30 minutes by default, 45 when asked", () => {
    expect(waiterRetries(s).sort()).toEqual([1800, 2700]);
  });

  it('runs the ACM hook as onEvent and the read-only check as isComplete', () => {
    const frameworkEnvs = resourcesOf(s, 'AWS::Lambda::Function')
      .map(([, r]) => r.Properties.Environment?.Variables as Record<string, unknown> | undefined)
      .filter((env) => env?.USER_IS_COMPLETE_FUNCTION_ARN !== undefined);
    expect(frameworkEnvs.length).toBeGreaterThanOrEqual(2);
    const hookArn = { 'Fn::GetAtt': [logicalIdOf(s, issuer.acmImportHook!.function), 'Arn'] };
    for (const env of frameworkEnvs) {
      expect(env?.USER_ON_EVENT_FUNCTION_ARN).toEqual(hookArn);
      expect(renderIntrinsic(env?.USER_IS_COMPLETE_FUNCTION_ARN)).toMatch(/CertificateHandleCheck/);
    }
  });

  it('gives the check read access to the store only: no ACM, no writes, no keys', () => {
    const roleId = resourcesOf(s, 'AWS::IAM::Role').find(([id]) => id.startsWith('IssuerCertificateHandleCheckRole'))?.[0];
    const actions = statementsOfRole(s.template, roleId!).flatMap((st) => st.Action);
    expect(actions.filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:')).sort()).toEqual(['kms:Decrypt', 's3:GetObject', 's3:ListBucket']);
    const resources = statementsOfRole(s.template, roleId!).flatMap((st) => st.Resource);
    expect(resources.some((r) => r.includes('/keys/'))).toBe(false);
  });

  it("passes cdk-nag (the test's own distribution aside)", () => {
    expect(nagFindings(s).filter((finding) => !/^\/Test\/(Cdn|Alb|Vpc)\//.test(finding))).toEqual([]);
  });
});

describe('issuer.certificate under the deployed-shape review', () => {
  it('adds nothing the security review of the template objects to (IAM scope, encryption, environment)', () => {
    const s = synthIssuer(withTargets, { extend: (i) => void i.certificate('example.com') });
    expect(reviewTemplate(s.template.toJSON(), { namedSecrets: [EAB_SECRET, CLOUDFLARE_SECRET] })).toEqual([]);
    expect(resourcesOf(s, 'Custom::AcmeflowCertificate')).toHaveLength(1);
  });
});

describe('issuer.certificate refusals', () => {
  const refuse = (props: AcmeIssuerProps, call: (issuer: AcmeIssuer) => void) => () => synthIssuer(props, { extend: call });

  it('refuses a name that is no lineage of the issuer, and a lineage without an ACM target', () => {
    expect(refuse(withTargets, (i) => i.certificate('example.net'))).toThrow(/no lineage of this issuer has that name/);
    expect(refuse(withTargets, (i) => i.certificate('example.org'))).toThrow(/imports "example.org" into no target/);
    expect(refuse(testIssuerProps({ deployHooks: {} }), (i) => i.certificate('example.com'))).toThrow(/needs the ACM hook/);
  });

  it("asks which target when a lineage has several, and refuses a timeout beyond the provider's 2 hours", () => {
    expect(refuse(withTargets, (i) => i.certificate('example.jp'))).toThrow(/into acm:us-east-1, acm: say which/);
    expect(refuse(withTargets, (i) => i.certificate('example.com', { timeout: Duration.hours(3) }))).toThrow(/from 5 minutes to 2 hours/);
  });
});
