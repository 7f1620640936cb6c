/**
 * CDK-native props beside the string ones: hosted zones as IHostedZone, EAB and DNS credential secrets
 * as ISecret (granted on the secret and, for a customer-managed key, kms:Decrypt through Secrets
 * Manager), the operator's own bucket and key, and the functions in a VPC.
 */
import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Key } from 'aws-cdk-lib/aws-kms';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { COM_ZONE, iamStatements, statementsOfRole, synthIssuer, testIssuerProps, type Synthesized } from './support/synth.js';

const ACCOUNT_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret';
const EAB_CMK = 'arn:aws:kms:ap-northeast-1:123456789012:key/11111111-2222-3333-4444-555555555555';
const EAB_ARN = `${ACCOUNT_ARN}:acmeflow-eab/jprs-AbCdEf`;

const acmeflowFunctions = (s: Synthesized) =>
  Object.entries(s.template.findResources('AWS::Lambda::Function')).filter(([, r]) => String(r.Properties.Description ?? '').startsWith('acmeflow:'));
const nagFindings = (s: Synthesized) => {
  const annotations = Annotations.fromStack(s.stack);
  return [...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')), ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))].map(
    (f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`,
  );
};

describe('hostedZones: IHostedZone[]', () => {
  it('grants record changes on the zones given as objects and as ids, side by side', () => {
    let created: HostedZone | undefined;
    const s = synthIssuer((stack: Stack) => {
      created = new HostedZone(stack, 'NetZone', { zoneName: 'example.net' });
      const base = testIssuerProps();
      return {
        ...base,
        dnsProviders: {
          ...base.dnsProviders,
          com: { provider: 'route53', hostedZoneIds: [COM_ZONE], hostedZones: [HostedZone.fromHostedZoneId(stack, 'OrgZone', 'ZORGZONE0000001'), created] },
        },
      };
    });
    const changes = iamStatements(s.template).filter((st) => st.Action.includes('route53:ChangeResourceRecordSets'));
    const resources = changes.flatMap((st) => st.Resource);
    expect(resources).toContain(`arn:\${AWS::Partition}:route53:::hostedzone/${COM_ZONE}`);
    expect(resources).toContain(`arn:\${AWS::Partition}:route53:::hostedzone/ZORGZONE0000001`);
    expect(resources).toContain(`arn:\${AWS::Partition}:route53:::hostedzone/\${${s.stack.getLogicalId(created!.node.defaultChild as never)}}`);
    expect(resources.some((r) => r.endsWith('hostedzone/*'))).toBe(false);
  });
});

describe('eabSecret and credentialsSecret: ISecret', () => {
  let eabKey: string | undefined;
  const s = synthIssuer(
    (stack: Stack) => {
      const base = testIssuerProps();
      const eab = Secret.fromSecretAttributes(stack, 'Eab', { secretCompleteArn: EAB_ARN, encryptionKey: Key.fromKeyArn(stack, 'EabKey', EAB_CMK) });
      const tsig = new Secret(stack, 'CloudflareToken', { secretName: 'team/cloudflare-token' });
      eabKey = EAB_CMK;
      return {
        ...base,
        caAccounts: { ...base.caAccounts, jprs: { ...base.caAccounts.jprs!, eabSecret: eab } },
        dnsProviders: { ...base.dnsProviders, cf: { provider: 'cloudflare', credentialsSecret: tsig } },
      };
    },
    { nag: true },
  );

  it('stores the secret name or ARN in the lineage spec, never a token', () => {
    const jp = s.issuer.lineages.find((spec) => spec.name === 'example.jp');
    const org = s.issuer.lineages.find((spec) => spec.name === 'example.org');
    expect(jp?.ca.eabRef).toBe(EAB_ARN);
    expect(org?.dns.credentialsRef).toBe('team/cloudflare-token');
  });

  it('grants GetSecretValue on exactly those secrets, and kms:Decrypt on the customer-managed key through Secrets Manager only', () => {
    const prepare = s.stack.getLogicalId(s.issuer.functions.PrepareOrder.role!.node.defaultChild as never);
    const statements = statementsOfRole(s.template, prepare);
    const reads = statements.filter((st) => st.Action.includes('secretsmanager:GetSecretValue') && !st.Resource.some((r) => r.includes('secret:acmeflow/Test/Issuer/')));
    expect(reads.flatMap((st) => st.Resource)).toEqual(expect.arrayContaining([EAB_ARN]));
    expect(reads.flatMap((st) => st.Resource).some((r) => r.includes('acmeflow-eab/jprs-??????'))).toBe(false);
    const decrypt = statements.filter((st) => st.Resource.includes(eabKey!));
    expect(decrypt).toEqual([
      expect.objectContaining({ Action: ['kms:Decrypt'], Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.ap-northeast-1.amazonaws.com' } } }),
    ]);
    // Only the steps that read EAB get the operator's key.
    const check = s.stack.getLogicalId(s.issuer.functions.CheckPropagation.role!.node.defaultChild as never);
    expect(statementsOfRole(s.template, check).some((st) => st.Resource.includes(eabKey!))).toBe(false);
    // The DNS credential secret created in this app, by its ARN (a Ref).
    const publish = s.stack.getLogicalId(s.issuer.functions.PublishRecords.role!.node.defaultChild as never);
    const tsigRef = s.stack.getLogicalId(s.stack.node.findChild('CloudflareToken').node.defaultChild as never);
    expect(statementsOfRole(s.template, publish)).toContainEqual(expect.objectContaining({ Action: ['secretsmanager:GetSecretValue'], Resource: [`\${${tsigRef}}`] }));
  });

  it('has zero unacknowledged cdk-nag findings', () => {
    expect(nagFindings(s).filter((f) => f.includes('/Issuer/'))).toEqual([]);
  });

  it('carries a secret of a generated name as a placeholder that the deploy-time sync resolves to its ARN', () => {
    const t = synthIssuer((stack: Stack) => {
      const base = testIssuerProps();
      return { ...base, dnsProviders: { ...base.dnsProviders, cf: { provider: 'cloudflare', credentialsSecret: new Secret(stack, 'Generated') } } };
    });
    const placeholder = 'acmeflow-secret-ref:dnsProviders.cf.credentialsSecret';
    expect(t.issuer.lineages.find((spec) => spec.name === 'example.org')?.dns.credentialsRef).toBe(placeholder);
    const generated = t.stack.getLogicalId(t.stack.node.findChild('Generated').node.defaultChild as never);
    t.template.hasResourceProperties('Custom::AcmeflowLineages', { SecretRefs: { [placeholder]: { Ref: generated } } });
    const publish = t.stack.getLogicalId(t.issuer.functions.PublishRecords.role!.node.defaultChild as never);
    expect(statementsOfRole(t.template, publish)).toContainEqual(expect.objectContaining({ Action: ['secretsmanager:GetSecretValue'], Resource: [`\${${generated}}`] }));
  });

  it('adds no SecretRefs when every secret has a name', () => {
    const props = Object.values(s.template.findResources('Custom::AcmeflowLineages'))[0]?.Properties as Record<string, unknown>;
    expect(props).not.toHaveProperty('SecretRefs');
  });
});

describe('bucket and encryptionKey of the operator', () => {
  const s = synthIssuer((stack: Stack) => ({
    ...testIssuerProps(),
    bucket: Bucket.fromBucketAttributes(stack, 'OldBucket', { bucketName: 'acmeflow-prod-certificates' }),
    encryptionKey: Key.fromKeyArn(stack, 'OldKey', 'arn:aws:kms:ap-northeast-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'),
  }));

  it('creates no bucket and no certificate key, and points every function at the given ones', () => {
    expect(Object.keys(s.template.findResources('AWS::S3::Bucket'))).toEqual([]);
    const keys = Object.values(s.template.findResources('AWS::KMS::Key')).map((k) => String(k.Properties.Description));
    expect(keys.some((d) => d.includes('certificate bucket'))).toBe(false);
    for (const [id, fn] of acmeflowFunctions(s)) {
      expect(fn.Properties.Environment.Variables.ACMEFLOW_BUCKET, id).toBe('acmeflow-prod-certificates');
      expect(fn.Properties.Environment.Variables.ACMEFLOW_KMS_KEY_ID, id).toBe('arn:aws:kms:ap-northeast-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
    }
    const objects = iamStatements(s.template)
      .filter((st) => st.Action.includes('s3:GetObject'))
      .flatMap((st) => st.Resource);
    expect(objects).toContain(`arn:\${AWS::Partition}:s3:::acmeflow-prod-certificates/renewal/*`);
    const decrypt = iamStatements(s.template)
      .filter((st) => st.Action.includes('kms:Decrypt'))
      .flatMap((st) => st.Resource);
    expect(decrypt).toContain('arn:aws:kms:ap-northeast-1:123456789012:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
  });

  it('uses the bucket key when only the bucket is given', () => {
    const t = synthIssuer((stack: Stack) => ({
      ...testIssuerProps(),
      bucket: Bucket.fromBucketAttributes(stack, 'OldBucket', {
        bucketName: 'acmeflow-prod-certificates',
        encryptionKey: Key.fromKeyArn(stack, 'BucketKey', 'arn:aws:kms:ap-northeast-1:123456789012:key/99999999-bbbb-cccc-dddd-eeeeeeeeeeee'),
      }),
    }));
    expect(t.issuer.key.keyArn).toBe('arn:aws:kms:ap-northeast-1:123456789012:key/99999999-bbbb-cccc-dddd-eeeeeeeeeeee');
  });
});

describe('vpc, vpcSubnets and securityGroups', () => {
  const s = synthIssuer(
    (stack: Stack) => {
      const vpc = Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: 'vpc-0123456789abcdef0',
        availabilityZones: ['ap-northeast-1a', 'ap-northeast-1c'],
        privateSubnetIds: ['subnet-aaaa', 'subnet-cccc'],
      });
      return { ...testIssuerProps(), vpc, securityGroups: [SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0123456789abcdef0')] };
    },
    { nag: true },
  );

  it('puts every acmeflow function in the private subnets with the given security groups', () => {
    const functions = acmeflowFunctions(s);
    expect(functions.length).toBeGreaterThan(10);
    for (const [id, fn] of functions) {
      expect(fn.Properties.VpcConfig, id).toEqual({ SubnetIds: ['subnet-aaaa', 'subnet-cccc'], SecurityGroupIds: ['sg-0123456789abcdef0'] });
    }
  });

  it('gives each function role the network interface permissions, and acknowledges their "*" with a reason', () => {
    for (const [id, fn] of acmeflowFunctions(s)) {
      const role = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
      expect(
        statementsOfRole(s.template, role).some((st) => st.Action.includes('ec2:CreateNetworkInterface') && st.Resource.includes('*')),
        id,
      ).toBe(true);
    }
    expect(nagFindings(s)).toEqual([]);
  });
});
