/**
 * Security review of the deployed shape: the AcmeIssuer construct synthesized with a configuration
 * that takes every IAM path (EAB secret, Route 53 by id and by name, Cloudflare credentials secret,
 * ACM and SSM deploy hooks, notifications — `test/infra/support/synth.ts`), reviewed rule by rule
 * (`support/template-review.ts`): IAM no broader than least privilege allows, every store encrypted, no
 * public bucket or resource policy, no secret in a Lambda environment. The review itself is checked
 * against a copy of the template with one violation of each rule planted in it.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOUDFLARE_SECRET, EAB_SECRET, iamStatements, synthIssuer } from '../infra/support/synth.js';
import { Template } from 'aws-cdk-lib/assertions';
import { ReportSection } from './support/report.js';
import { reviewTemplate, type ReviewFinding } from './support/template-review.js';

const report = new ReportSection('deployed-shape');
const OPTIONS = { namedSecrets: [EAB_SECRET, CLOUDFLARE_SECRET] };

let template: Record<string, any>;
beforeAll(() => {
  template = synthIssuer().template.toJSON() as Record<string, any>;
}, 60_000);
afterAll(() => report.write());

const count = (type: string) => Object.values(template.Resources as Record<string, { Type: string }>).filter((r) => r.Type === type).length;
const text = (findings: readonly ReviewFinding[]) => findings.map((f) => `${f.rule} ${f.resource}: ${f.detail}`);

describe('the synthesized template', () => {
  it('has no IAM statement broader than least privilege allows, no unencrypted or public store, no secret in a Lambda environment', () => {
    const findings = reviewTemplate(template, OPTIONS);
    const statements = iamStatements(Template.fromJSON(template)).filter((s) => s.Effect === 'Allow');
    const star = statements.filter((s) => s.Resource.includes('*'));
    const envVars = Object.values(template.Resources as Record<string, any>)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .reduce((n, r) => n + Object.keys(r.Properties?.Environment?.Variables ?? {}).length, 0);
    const by = (rules: readonly ReviewFinding['rule'][]) => findings.filter((f) => rules.includes(f.rule));
    const row = (fault: string, runs: number, outcome: string, rules: readonly ReviewFinding['rule'][]) =>
      report.add({ fault, runs, outcome, lost: by(rules).length === 0 ? 'nothing' : text(by(rules)).join('; ') });
    row(
      'IAM: `Action: *`, `service:*`, `Resource: *` outside the API-demanded allow-list',
      statements.length,
      `${statements.length} Allow statements; ${star.length} on Resource "*", all for ${[...new Set(star.flatMap((s) => s.Action.map((a) => a.split(':')[0])))].join(', ')} list/trace/log-delivery actions`,
      ['wildcard-action', 'wildcard-resource'],
    );
    row('IAM: Secrets Manager outside `acmeflow/` or the named secrets; KMS outside the stack\u2019s keys', statements.length, 'every secret ARN under acmeflow/ or named by the configuration; KMS only on the issuer\u2019s keys', ['secret-scope', 'kms-scope']);
    row(
      'storage: unencrypted, unversioned, public or non-TLS bucket; unencrypted topic, queue or secret',
      count('AWS::S3::Bucket') + count('AWS::SNS::Topic') + count('AWS::SQS::Queue') + count('AWS::SecretsManager::Secret'),
      `${count('AWS::S3::Bucket')} buckets (certificates: SSE-KMS, versioned; access logs: SSE-S3, as S3 log delivery requires), all public access blocked and TLS only; ${count('AWS::SNS::Topic')} topic with KMS`,
      ['unencrypted', 'versioning', 'public', 'tls'],
    );
    const servicePolicies = Object.values(template.Resources as Record<string, any>)
      .flatMap((r) => (r.Properties?.PolicyDocument?.Statement ?? r.Properties?.KeyPolicy?.Statement ?? []) as any[])
      .filter((s) => s.Effect === 'Allow' && s.Principal?.Service !== undefined).length;
    row(
      'resource policies: an AWS service principal allowed without `aws:SourceAccount`/`aws:SourceArn` (topic policy, KMS key policy, bucket policy)',
      servicePolicies,
      `${servicePolicies} service-principal statements, each limited to this account or the issuer's own rules and alarms`,
      ['confused-deputy'],
    );
    row('Lambda: an environment variable named or valued like a secret', envVars, `${count('AWS::Lambda::Function')} functions, ${envVars} variables: names, ARNs and settings only`, ['lambda-env']);
    expect(text(findings)).toEqual([]);
  });

  it('the review catches one planted violation of each rule', () => {
    const bad = structuredClone(template);
    const resources = bad.Resources as Record<string, any>;
    const bucketId = Object.keys(resources).find((id) => resources[id].Type === 'AWS::S3::Bucket' && resources[id].Properties.VersioningConfiguration)!;
    const fnId = Object.keys(resources).find((id) => resources[id].Type === 'AWS::Lambda::Function')!;
    resources.PlantedPolicy = {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'planted',
        Roles: [],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::x' },
            { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' },
            { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/db-??????' },
            { Effect: 'Allow', Action: 'kms:Decrypt', Resource: 'arn:aws:kms:ap-northeast-1:123456789012:key/other' },
          ],
        },
      },
    };
    delete resources[bucketId].Properties.BucketEncryption;
    delete resources[bucketId].Properties.VersioningConfiguration;
    resources[bucketId].Properties.PublicAccessBlockConfiguration.RestrictPublicBuckets = false;
    for (const r of Object.values(resources)) {
      if (r.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(r.Properties.Bucket).includes(bucketId)) {
        r.Properties.PolicyDocument.Statement = [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }];
      }
    }
    resources.PlantedTopic = { Type: 'AWS::SNS::Topic', Properties: {} };
    resources.PlantedTopicPolicy = {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: { Topics: [{ Ref: 'PlantedTopic' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: '*' }] } },
    };
    resources[fnId].Properties.Environment.Variables.API_TOKEN = 'Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWpr';
    const rules = new Set(reviewTemplate(bad, OPTIONS).map((f) => f.rule));
    const expected: ReviewFinding['rule'][] = ['wildcard-action', 'wildcard-resource', 'secret-scope', 'kms-scope', 'unencrypted', 'versioning', 'public', 'tls', 'lambda-env', 'confused-deputy'];
    report.add({ fault: 'the review itself: one violation of each rule planted in a copy of the template', runs: expected.length, outcome: `${expected.filter((r) => rules.has(r)).length} of ${expected.length} rules caught it`, lost: expected.every((r) => rules.has(r)) ? 'nothing' : `missed: ${expected.filter((r) => !rules.has(r)).join(', ')}` });
    expect([...rules].sort()).toEqual([...expected].sort());
  });
});
