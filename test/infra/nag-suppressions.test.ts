import { App, Aspects, type CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NagSuppressions as CdkNagSuppressions } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { acknowledgeNagRules, type NagAcknowledgement } from '../../infra/iam/nag-suppressions.js';

const ACKS: NagAcknowledgement[] = [
  { id: 'AwsSolutions-S1', reason: 'Access logs are not wanted for this bucket in the test.' },
  { id: 'AwsSolutions-IAM5', reason: 'Granular acknowledgement with a regex.', appliesTo: ['Resource::*', { regex: '/^Action::s3:.*$/g' }] },
  // Beyond Latin-1: cdk-nag stores such a reason base64-encoded.
  { id: 'AwsSolutions-S10', reason: '証明書のテスト用バケットです（TLS は別で強制）。' },
];

function metadataOf(write: (construct: Bucket) => void): unknown {
  const stack = new Stack(new App(), 'S');
  const bucket = new Bucket(stack, 'B');
  write(bucket);
  write(bucket); // twice: both writers merge and de-duplicate
  return (bucket.node.defaultChild as CfnResource).getMetadata('cdk_nag');
}

describe('acknowledgeNagRules (cdk-nag metadata without importing cdk-nag)', () => {
  it('writes exactly the metadata cdk-nag’s NagSuppressions writes, merged and de-duplicated', () => {
    const ours = metadataOf((b) => acknowledgeNagRules(b, ACKS));
    const theirs = metadataOf((b) => CdkNagSuppressions.addResourceSuppressions(b, ACKS.map((a) => ({ ...a, appliesTo: a.appliesTo ? [...a.appliesTo] : undefined }))));
    expect(ours).toEqual(theirs);
    expect((ours as { rules_to_suppress: unknown[] }).rules_to_suppress).toHaveLength(3);
  });

  it('is honoured by cdk-nag: an acknowledged finding is not reported, the same one unacknowledged is', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const quiet = new Bucket(stack, 'Quiet', { enforceSSL: true });
    new Bucket(stack, 'Loud', { enforceSSL: true });
    const role = new Role(stack, 'R', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    acknowledgeNagRules(quiet, [ACKS[0]!]);
    acknowledgeNagRules(role, [ACKS[1]!], true);
    Aspects.of(app).add(new AwsSolutionsChecks());
    app.synth();
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-(S1|IAM5)'));
    const paths = errors.map((e) => e.id);
    expect(paths).toContain('/S/Loud/Resource');
    expect(paths).not.toContain('/S/Quiet/Resource');
    expect(paths.filter((p) => p.startsWith('/S/R/'))).toEqual([]);
  });

  it('refuses a reason cdk-nag would refuse (under 10 characters)', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => acknowledgeNagRules(new Bucket(stack, 'B'), [{ id: 'AwsSolutions-S1', reason: 'short' }])).toThrow(/10 characters/);
  });
});
