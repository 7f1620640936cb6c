/**
 * The ACM hook's template: ACM rights scoped by the acmeflow:issuer tag (aws:ResourceTag to re-import,
 * aws:RequestTag to create), no listing and no tagging, the ARN written into renewal/*, targets in
 * other regions and accounts (sts:AssumeRole on exactly the roles named), the targets' environment,
 * and cdk-nag.
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { parseAcmTargets } from '../../functions/acm-import/targets.js';
import type { AcmeIssuerProps } from '../../infra/acme-issuer-props.js';
import { renderIntrinsic, statementsOfRole, synthIssuer, testIssuerProps, type Synthesized } from './support/synth.js';

const ROLE = 'arn:aws:iam::111122223333:role/acmeflow-acm-import';
/** An ACM certificate ARN pattern as renderIntrinsic writes it. */
const acmArn = (region: string) => `arn:\${AWS::Partition}:acm:${region}:123456789012:certificate/*`;

const hookRole = (s: Synthesized) => s.stack.getLogicalId(s.issuer.acmImportHook!.function.role!.node.defaultChild as never);
const hookStatements = (s: Synthesized) => statementsOfRole(s.template, hookRole(s));
const hookEnv = (s: Synthesized) => {
  const fn = s.template.toJSON().Resources[s.stack.getLogicalId(s.issuer.acmImportHook!.function.node.defaultChild as never)];
  return fn.Properties.Environment.Variables as Record<string, unknown>;
};
const nagFindings = (s: Synthesized) => {
  const annotations = Annotations.fromStack(s.stack);
  return [...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')), ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))].map(
    (f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`,
  );
};
const withHook = (acmImport: NonNullable<AcmeIssuerProps['deployHooks']>['acmImport']) => testIssuerProps({ deployHooks: { acmImport } });

describe('ACM hook, one target in the stack region', () => {
  const s = synthIssuer(undefined, { nag: true });
  const tag = s.issuer.acmImportHook!.issuerTag;

  it("tags with the stack region and the issuer's unique id, and hands the tag to the function", () => {
    expect(tag).toMatch(/^ap-northeast-1\/TestIssuer[0-9A-F]{8}$/);
    expect(hookEnv(s).ACMEFLOW_ACM_ISSUER_TAG).toBe(tag);
    expect(parseAcmTargets(renderIntrinsic(hookEnv(s).ACMEFLOW_ACM_TARGETS), undefined)).toEqual([{ name: 'acm', lineages: ['example.com'] }]);
  });

  it('may re-import and describe only certificates tagged for this issuer and lineage, and create only with those tags', () => {
    const acm = hookStatements(s).filter((st) => st.Action.some((a) => a.startsWith('acm:')));
    expect(acm).toEqual([
      expect.objectContaining({
        Action: ['acm:ImportCertificate', 'acm:DescribeCertificate'],
        Resource: [acmArn('ap-northeast-1')],
        Condition: { StringEquals: { 'aws:ResourceTag/acmeflow:issuer': tag, 'aws:ResourceTag/acmeflow:lineage': ['example.com'] } },
      }),
      expect.objectContaining({
        Action: ['acm:ImportCertificate'],
        Resource: [acmArn('ap-northeast-1')],
        Condition: {
          StringEquals: { 'aws:RequestTag/acmeflow:issuer': tag, 'aws:RequestTag/acmeflow:lineage': ['example.com'] },
          'ForAllValues:StringEquals': { 'aws:TagKeys': ['acmeflow:issuer', 'acmeflow:lineage'] },
        },
      }),
    ]);
  });

  it('never lists certificates, never tags one, never uses Resource "*" for ACM', () => {
    const actions = hookStatements(s).flatMap((st) => st.Action);
    expect(actions).not.toContain('acm:ListCertificates');
    expect(actions).not.toContain('acm:AddTagsToCertificate');
    expect(actions).not.toContain('acm:ListTagsForCertificate');
    expect(
      hookStatements(s)
        .filter((st) => st.Resource.includes('*'))
        .flatMap((st) => st.Action),
    ).toEqual(expect.not.arrayContaining([expect.stringMatching(/^acm:/)]));
  });

  it('writes only renewal/* (the ARN in the lineage state), with the issuer key', () => {
    const puts = hookStatements(s).filter((st) => st.Action.includes('s3:PutObject'));
    expect(puts.map((st) => st.Resource)).toEqual([[`\${${s.stack.getLogicalId(s.issuer.bucket.node.defaultChild as never)}.Arn}/renewal/*`]]);
    expect(hookStatements(s).some((st) => st.Action.includes('s3:DeleteObject'))).toBe(false);
  });

  it('passes cdk-nag', () => {
    expect(nagFindings(s)).toEqual([]);
  });
});

describe('ACM hook with targets in us-east-1 and in another account', () => {
  const s = synthIssuer(
    withHook({
      targets: [{ region: 'us-east-1', lineages: ['example.com'] }, { lineages: ['example.jp'] }, { region: 'eu-west-1', roleArn: ROLE, lineages: ['example.org'] }],
      issuerTag: 'prod-issuer',
    }),
    { nag: true },
  );

  it('names each target for where its ARN is kept and passes them to the function', () => {
    expect(parseAcmTargets(renderIntrinsic(hookEnv(s).ACMEFLOW_ACM_TARGETS), undefined)).toEqual([
      { name: 'acm:us-east-1', region: 'us-east-1', lineages: ['example.com'] },
      { name: 'acm', lineages: ['example.jp'] },
      { name: 'acm:111122223333:eu-west-1', region: 'eu-west-1', roleArn: ROLE, lineages: ['example.org'] },
    ]);
    expect(hookEnv(s).ACMEFLOW_ACM_ISSUER_TAG).toBe('prod-issuer');
  });

  it('scopes ACM per region of this account, and assumes exactly the role of the other account', () => {
    const acm = hookStatements(s).filter((st) => st.Action.some((a) => a.startsWith('acm:')));
    expect([...new Set(acm.flatMap((st) => st.Resource))].sort()).toEqual([acmArn('ap-northeast-1'), acmArn('us-east-1')]);
    for (const st of acm) expect(JSON.stringify(st.Condition)).toContain('"prod-issuer"');
    expect(hookStatements(s).filter((st) => st.Action.includes('sts:AssumeRole'))).toEqual([expect.objectContaining({ Resource: [ROLE] })]);
  });

  it('passes cdk-nag', () => {
    expect(nagFindings(s)).toEqual([]);
  });
});

describe('ACM hook targets that cannot work', () => {
  it('refuses two targets kept under one name', () => {
    expect(() => synthIssuer(withHook({ targets: [{ region: 'us-east-1' }, { region: 'us-east-1', lineages: ['example.com'] }] }))).toThrow(
      /two targets are named "acm:us-east-1"/,
    );
  });

  it('refuses a target naming a lineage the issuer or the hook does not have', () => {
    expect(() => synthIssuer(withHook({ targets: [{ region: 'us-east-1', lineages: ['example.cmo'] }] }))).toThrow(/names example.cmo, which is no lineage of this issuer/);
    expect(() => synthIssuer(withHook({ lineages: ['example.com'], targets: [{ lineages: ['example.jp'] }] }))).toThrow(/not among the hook's lineages/);
  });

  it('refuses a role ARN that is not a role', () => {
    expect(() => synthIssuer(withHook({ roleArn: 'arn:aws:iam::111122223333:user/someone' }))).toThrow(/not an IAM role ARN/);
  });
});
