/**
 * Where certificate keys live in the synthesized template: S3 under keys/ by default, readable and
 * writable only by the functions that handle certificate keys, the SSM hooks' instance roles and the
 * keyReaders the props grant (IAM, bucket policy and key policy), with the lineage as encryption
 * context; Secrets Manager per certificate when asked.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { STEP_ACCESS } from '../../shared/workflow/machines/step-access.js';
import { LAMBDA_STEPS, type LambdaStep } from '../../shared/workflow/machines/index.js';
import { iamStatements, renderIntrinsic, statementsOfRole, synthIssuer, testIssuerProps, type Synthesized } from './support/synth.js';

let s: Synthesized;
let readerRoleId: string;
let instanceRoleId: string;
beforeAll(() => {
  s = synthIssuer(
    (stack) => {
      const reader = new Role(stack, 'WebTaskRole', { assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com') });
      const instance = new Role(stack, 'WebInstanceRole', { assumedBy: new ServicePrincipal('ec2.amazonaws.com') });
      readerRoleId = stack.getLogicalId(reader.node.defaultChild as never);
      instanceRoleId = stack.getLogicalId(instance.node.defaultChild as never);
      const base = testIssuerProps();
      return {
        ...base,
        certificates: base.certificates.map((c) => (c.domains[0] === 'example.org' ? { ...c, keyStore: 'secretsManager' as const } : c)),
        keyReaders: [{ role: reader, lineages: ['example.com'] }],
        deployHooks: { ...base.deployHooks, ssm: [{ lineages: ['example.jp'], targetTagKey: 'acmeflow:deploy', targetTagValues: ['web'], instanceRoles: [instance] }] },
      };
    },
    { nag: true },
  );
});

const roleIdOf = (fn: { role?: unknown }) => s.stack.getLogicalId((fn.role as { node: { defaultChild: unknown } }).node.defaultChild as never);
const keyRoleIds = () => {
  const steps = (Object.keys(LAMBDA_STEPS) as LambdaStep[]).filter((step) => STEP_ACCESS[step].certificateKeys);
  return [...steps.map((step) => roleIdOf(s.issuer.functions[step])), roleIdOf(s.issuer.acmImportHook!.function), instanceRoleId, readerRoleId].sort();
};
const allowedIn = (condition: Record<string, Record<string, unknown>> | undefined) =>
  ((condition?.ArnNotEquals?.['aws:PrincipalArn'] as unknown[]) ?? []).map((arn) => renderIntrinsic(arn).replace(/^\$\{(.+)\.Arn\}$/, '$1')).sort();

describe('certificate keys in S3', () => {
  it('denies keys/* in the bucket policy to every principal but the key roles', () => {
    const policy = Object.values(s.template.findResources('AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p).includes('CertificateKeysOnlyForTheirReaders'));
    const statement = ((policy?.Properties.PolicyDocument.Statement ?? []) as Record<string, any>[]).find((st) => st.Sid === 'CertificateKeysOnlyForTheirReaders');
    expect(statement).toMatchObject({ Effect: 'Deny', Principal: '*', Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'] });
    expect(renderIntrinsic(statement?.Resource)).toMatch(/\.Arn\}\/keys\/\*$/);
    expect(allowedIn(statement?.Condition)).toEqual(keyRoleIds());
  });

  it('denies KMS under a lineage encryption context in the key policy to every principal but the key roles', () => {
    const key = Object.values(s.template.findResources('AWS::KMS::Key'))[0];
    const statement = ((key?.Properties.KeyPolicy.Statement ?? []) as Record<string, any>[]).find((st) => st.Sid === 'CertificateKeysOnlyForTheirReaders');
    expect(statement).toMatchObject({ Effect: 'Deny', Principal: '*', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*' });
    expect(statement?.Condition.Null).toEqual({ 'kms:EncryptionContext:acmeflow:lineage': 'false' });
    expect(allowedIn(statement?.Condition)).toEqual(keyRoleIds());
  });

  it('grants keys/ to the functions with certificate key access only, writes to the writers only', () => {
    for (const step of Object.keys(LAMBDA_STEPS) as LambdaStep[]) {
      const keyGrants = statementsOfRole(s.template, roleIdOf(s.issuer.functions[step])).filter((st) => st.Resource.some((r) => r.includes('/keys/')));
      const access = STEP_ACCESS[step].certificateKeys;
      if (!access) expect(keyGrants, step).toEqual([]);
      else expect(keyGrants.flatMap((st) => st.Action).sort(), step).toEqual(access === 'write' ? ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'] : ['s3:GetObject']);
    }
  });

  it("lets a keyReader read only its lineages' keys, and decrypt only under their encryption context", () => {
    const statements = statementsOfRole(s.template, readerRoleId);
    const reads = statements.find((st) => st.Action.includes('s3:GetObject'));
    expect(reads?.Resource.map((r) => r.replace(/^\$\{[^}]+\}\//, ''))).toEqual(['live/example.com/*', 'archive/example.com/*', 'keys/example.com/*']);
    const decrypts = statements.filter((st) => st.Action.includes('kms:Decrypt'));
    expect(decrypts.map((st) => st.Condition)).toEqual([
      { StringEquals: { 'kms:EncryptionContext:acmeflow:lineage': ['example.com'] } },
      { StringEquals: { 'kms:EncryptionContext:aws:s3:arn': expect.anything() } },
    ]);
    expect(iamStatements(s.template).filter((st) => st.Resource.some((r) => r.includes('/keys/example.org')))).toEqual([]);
  });

  it("lets the SSM hook's instances read their lineages' versions and keys from S3 as well as from the secret", () => {
    const statements = statementsOfRole(s.template, instanceRoleId);
    expect(statements.find((st) => st.Action.includes('s3:GetObject'))?.Resource.map((r) => r.replace(/^\$\{[^}]+\}\//, ''))).toEqual([
      'archive/example.jp/*',
      'keys/example.jp/*',
    ]);
    expect(statements.some((st) => st.Action.includes('secretsmanager:GetSecretValue'))).toBe(true);
  });

  it('stores each lineage with where its key lives, and gives the functions the issuer default', () => {
    expect(Object.fromEntries(s.issuer.lineages.map((spec) => [spec.name, spec.keyStore]))).toEqual({ 'example.jp': 's3', 'example.com': 's3', 'example.org': 'secretsManager' });
    s.template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ ACMEFLOW_KEY_STORE: 's3' }) } });
    const other = synthIssuer(testIssuerProps({ keyStore: 'secretsManager' }));
    expect(other.issuer.lineages.every((spec) => spec.keyStore === 'secretsManager')).toBe(true);
    const envs = Object.values(other.template.findResources('AWS::Lambda::Function'))
      .map((f) => f.Properties.Environment?.Variables?.ACMEFLOW_KEY_STORE)
      .filter(Boolean);
    expect(new Set(envs)).toEqual(new Set(['secretsManager']));
  });

  it('refuses a keyReader of a lineage the issuer does not have', () => {
    expect(() =>
      synthIssuer((stack) => ({
        ...testIssuerProps(),
        keyReaders: [{ role: new Role(stack, 'R', { assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com') }), lineages: ['nope.example'] }],
      })),
    ).toThrow(/keyReaders\[0\]\.lineages: .*unknown: nope\.example/);
  });
});
