/**
 * Two issuer stacks (staging and prod) in one app, one account and region: no physical name either
 * stack sets (log groups, secret prefixes, buckets, rules, schedules, alarms, topics, ...) is shared,
 * and neither stack's functions may read or delete the other's run-time secrets.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { AcmeIssuer } from '../../infra/acme-issuer.js';
import { iamStatements, renderIntrinsic, testIssuerProps } from './support/synth.js';

const ENV = { account: '123456789012', region: 'ap-northeast-1' };
/** Properties that name a resource (CloudFormation's physical names), and the secret prefix the functions get. */
const NAME_FIELDS = [
  'LogGroupName',
  'BucketName',
  'TopicName',
  'RuleName',
  'Name',
  'AlarmName',
  'ScheduleName',
  'RoleName',
  'FunctionName',
  'StateMachineName',
  'AliasName',
  'GroupName',
  'SecretPrefix',
];

interface Synthesized {
  readonly stack: Stack;
  readonly issuer: AcmeIssuer;
  readonly template: Record<string, any>;
}
let staging: Synthesized;
let prod: Synthesized;

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false, treeMetadata: false });
  const make = (id: string) => {
    const stack = new Stack(app, id, { env: ENV });
    // The same construct id and the same certificates: only the stack tells them apart.
    const issuer = new AcmeIssuer(stack, 'Issuer', testIssuerProps({ retention: { removalPolicy: RemovalPolicy.DESTROY } }));
    return { stack, issuer };
  };
  // Both stacks exist before the app is synthesized once.
  const [a, b] = [make('AcmeflowStaging'), make('AcmeflowProd')];
  staging = { ...a, template: Template.fromStack(a.stack).toJSON() };
  prod = { ...b, template: Template.fromStack(b.stack).toJSON() };
});

/** Every physical name a template sets, rendered with the stack's own name for `AWS::StackName`. */
function physicalNames(s: Synthesized): string[] {
  const names: string[] = [];
  for (const resource of Object.values(s.template.Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>)) {
    for (const field of NAME_FIELDS) {
      const value = resource.Properties?.[field];
      // A Ref or GetAtt names another resource (a permission's FunctionName); only literal text and joins are names.
      if (value === undefined || (typeof value === 'object' && value !== null && ('Ref' in value || 'Fn::GetAtt' in value))) continue;
      names.push(`${resource.Type} ${renderIntrinsic(value).replaceAll(`\${AWS::StackName}`, s.stack.stackName)}`);
    }
    const env = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    if (env?.ACMEFLOW_SECRET_PREFIX !== undefined) names.push(`secret prefix ${renderIntrinsic(env.ACMEFLOW_SECRET_PREFIX)}`);
  }
  return [...new Set(names)];
}

/** The issuer's secret prefix as the template renders it (the key id part is a deploy-time value). */
const prefixOf = (s: Synthesized) => renderIntrinsic(s.stack.resolve(s.issuer.secretPrefix));

/** A Secrets Manager ARN pattern of a policy (`*`, `?` wildcards) as a regular expression. */
const patternOf = (arn: string) =>
  new RegExp(
    `^${arn
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
const SECRET_ARN = (name: string) => `arn:\${AWS::Partition}:secretsmanager:${ENV.region}:${ENV.account}:secret:${name}-AbCdEf`;

describe('two issuers in one account and region', () => {
  it('set physical names (log groups, secret prefixes, ...) and share none of them', () => {
    const a = physicalNames(staging);
    const b = physicalNames(prod);
    // The three state machine log groups and the secret prefix at least: the test would see a collision.
    expect(a.filter((n) => n.startsWith('AWS::Logs::LogGroup'))).toHaveLength(3);
    expect(a.some((n) => n.startsWith('secret prefix'))).toBe(true);
    expect(a.filter((n) => b.includes(n))).toEqual([]);
  });

  it('give each issuer its own secret prefix, neither a prefix of the other', () => {
    const a = prefixOf(staging);
    const b = prefixOf(prod);
    expect(a).toMatch(/^acmeflow\/AcmeflowStaging\/Issuer\/\$\{Select\(0,Split\(-,\$\{IssuerKey[0-9A-F]+\}\)\)\}\/$/);
    expect(b).toMatch(/^acmeflow\/AcmeflowProd\/Issuer\//);
    expect(b.startsWith(a) || a.startsWith(b)).toBe(false);
  });

  it("let neither stack's functions read, write or delete the other's run-time secrets", () => {
    for (const [own, other] of [
      [staging, prod],
      [prod, staging],
    ] as const) {
      const others = [`${prefixOf(other)}cert/example.jp`, `${prefixOf(other)}account/acct-1`].map(SECRET_ARN);
      const ownSecrets = [`${prefixOf(own)}cert/example.jp`, `${prefixOf(own)}account/acct-1`].map(SECRET_ARN);
      const resources = iamStatements(Template.fromJSON(own.template))
        .filter((st) => st.Action.some((a) => a.startsWith('secretsmanager:') && a !== 'secretsmanager:ListSecrets'))
        .flatMap((st) => st.Resource);
      expect(resources.length).toBeGreaterThan(0);
      for (const arn of others)
        expect(
          resources.filter((r) => patternOf(r).test(arn)),
          arn,
        ).toEqual([]);
      // The same check finds the stack's own secrets, so it is not vacuous.
      for (const arn of ownSecrets)
        expect(
          resources.some((r) => patternOf(r).test(arn)),
          arn,
        ).toBe(true);
    }
  });
});
