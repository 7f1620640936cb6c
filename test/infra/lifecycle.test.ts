/**
 * The account lifecycle of the synthesized stack: no fixed physical name survives a stack creation
 * (rollback, destroy then deploy), run-time secret names scoped to the stack, and what RETAIN and
 * DESTROY leave behind (buckets emptied, run-time secrets deleted before the key).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderIntrinsic, statementsOfRole, synthIssuer, testIssuerProps, type Synthesized } from './support/synth.js';

type Resource = { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string; DependsOn?: string[] };
const resourcesOf = (s: Synthesized) => s.template.toJSON().Resources as Record<string, Resource>;
const ofType = (s: Synthesized, type: string) => Object.entries(resourcesOf(s)).filter(([, r]) => r.Type === type);
const logicalId = (s: Synthesized, construct: { node: { defaultChild?: unknown } }) => s.stack.getLogicalId(construct.node.defaultChild as never);
const prefixOf = (s: Synthesized) => renderIntrinsic(s.stack.resolve(s.issuer.secretPrefix));

let retain: Synthesized;
let destroy: Synthesized;
beforeAll(() => {
  retain = synthIssuer();
  destroy = synthIssuer(testIssuerProps({ retention: { removalPolicy: RemovalPolicy.DESTROY } }), { nag: true });
});

describe('physical names', () => {
  it('names each state machine log group with the stack creation id, so a retained group never blocks the next deploy', () => {
    const named = ofType(retain, 'AWS::Logs::LogGroup').filter(([, r]) => r.Properties?.LogGroupName !== undefined);
    expect(named).toHaveLength(3);
    for (const [id, r] of named) {
      const name = renderIntrinsic(r.Properties!.LogGroupName);
      expect(name, id).toMatch(/^\/aws\/vendedlogs\/states\//);
      expect(JSON.stringify(r.Properties!.LogGroupName), id).toContain('{"Fn::Select":[2,{"Fn::Split":["/",{"Ref":"AWS::StackId"}]}]}');
    }
  });

  it('gives no other resource a fixed physical name', () => {
    const NAME_FIELDS = ['BucketName', 'TopicName', 'RuleName', 'Name', 'AlarmName', 'RoleName', 'FunctionName', 'StateMachineName', 'AliasName', 'GroupName', 'ScheduleName'];
    for (const [id, r] of Object.entries(resourcesOf(destroy))) {
      // A custom resource's properties are its handler's input (the bucket to empty), not its name.
      if (r.Type.startsWith('Custom::')) continue;
      // A literal name is fixed; a reference (Ref, GetAtt of another resource) is not a name of this one.
      for (const field of NAME_FIELDS) expect(typeof r.Properties?.[field], `${id}.${field}`).not.toBe('string');
    }
  });

  it('scopes the run-time secrets to the stack and its key by default, and keeps an explicit prefix', () => {
    expect(prefixOf(retain)).toBe(`acmeflow/Test/Issuer/\${Select(0,Split(-,\${${logicalId(retain, retain.issuer.key)}}))}/`);
    // A key given by ARN (a stack carrying on from a retained one) gives the prefix that key's stack had.
    const given = synthIssuer((stack) => ({
      ...testIssuerProps(),
      encryptionKey: Key.fromKeyArn(stack, 'OldKey', 'arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-bbbb-cccc-dddd-eeeeeeeeeeee'),
    }));
    expect(given.stack.resolve(given.issuer.secretPrefix)).toBe('acmeflow/Test/Issuer/1234abcd/');
    expect(synthIssuer(testIssuerProps({ secretPrefix: 'acmeflow/' })).issuer.secretPrefix).toBe('acmeflow/');
  });
});

describe('RETAIN (the default)', () => {
  it('keeps the buckets, the key and every log group, and adds no cleanup', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
      for (const [id, r] of ofType(retain, type)) expect(r.DeletionPolicy, id).toBe('Retain');
    }
    expect(ofType(retain, 'Custom::AcmeflowRunTimeSecrets')).toEqual([]);
    expect(ofType(retain, 'Custom::S3AutoDeleteObjects')).toEqual([]);
    expect(retain.issuer.secretCleanup).toBeUndefined();
  });
});

describe('DESTROY', () => {
  it('empties every bucket (versioned too) before deleting it', () => {
    const buckets = ofType(destroy, 'AWS::S3::Bucket');
    expect(buckets.length).toBe(2);
    const emptied = ofType(destroy, 'Custom::S3AutoDeleteObjects').map(([, r]) => JSON.stringify(r.Properties?.BucketName));
    for (const [id, r] of buckets) {
      expect(r.DeletionPolicy, id).toBe('Delete');
      expect(emptied, id).toContain(JSON.stringify({ Ref: id }));
    }
    expect(resourcesOf(destroy)[logicalId(destroy, destroy.issuer.bucket)]?.Properties?.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('deletes the key and every log group', () => {
    for (const type of ['AWS::KMS::Key', 'AWS::Logs::LogGroup']) {
      for (const [id, r] of ofType(destroy, type)) expect(r.DeletionPolicy, id).toBe('Delete');
    }
  });

  it('deletes the run-time secrets under the prefix before the key is scheduled for deletion, after the state machines are gone', () => {
    const cleanups = ofType(destroy, 'Custom::AcmeflowRunTimeSecrets');
    expect(cleanups).toHaveLength(1);
    const [cleanupId, cleanup] = cleanups[0]!;
    expect(renderIntrinsic(cleanup.Properties?.SecretPrefix)).toBe(prefixOf(destroy));
    // CloudFormation deletes a resource before the resources it depends on.
    expect(cleanup.DependsOn).toContain(logicalId(destroy, destroy.issuer.key));
    for (const [id] of ofType(destroy, 'AWS::StepFunctions::StateMachine')) expect(resourcesOf(destroy)[id]?.DependsOn, id).toContain(cleanupId);
  });

  it('lets the cleanup function delete secrets under the two run-time prefixes only', () => {
    const fn = ofType(destroy, 'AWS::Lambda::Function').find(([, r]) => r.Properties?.Description === 'acmeflow: delete the run-time secrets on stack delete');
    expect(fn).toBeDefined();
    const role = (fn![1].Properties!.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    const secretStatements = statementsOfRole(destroy.template, role).filter((st) => st.Action.some((a) => a.startsWith('secretsmanager:')));
    expect(secretStatements).toContainEqual(expect.objectContaining({ Action: ['secretsmanager:ListSecrets'], Resource: ['*'] }));
    const deletes = secretStatements.find((st) => st.Action.includes('secretsmanager:DeleteSecret'));
    expect(deletes?.Action).toEqual(['secretsmanager:DeleteSecret']);
    expect(deletes?.Resource.map((r) => r.replace(/^.*:secret:/, ''))).toEqual([`${prefixOf(destroy)}cert/*`, `${prefixOf(destroy)}account/*`]);
    // It reads the status of its own stack only, to delete only while the stack goes away.
    expect(statementsOfRole(destroy.template, role).filter((st) => st.Action.includes('cloudformation:DescribeStacks'))).toEqual([
      expect.objectContaining({ Action: ['cloudformation:DescribeStacks'], Resource: [`\${AWS::StackId}`] }),
    ]);
  });

  it('has zero unacknowledged cdk-nag findings', () => {
    const annotations = Annotations.fromStack(destroy.stack);
    const findings = [...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')), ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`)).toEqual([]);
  });
});
