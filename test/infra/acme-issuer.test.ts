import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { AWS_DEPS_ENV } from '../../functions/runtime/aws-deps.js';
import { DEFAULT_SWEEP_CONCURRENCY, LAMBDA_STEPS } from '../../shared/workflow/machines/index.js';
import { DAYS_TO_EXPIRY_MIN, LINEAGES_UNREADABLE, METRICS_NAMESPACE } from '../../shared/workflow/machines/metrics.js';
import {
  CLOUDFLARE_SECRET,
  COM_ZONE,
  DELEGATION_TARGET,
  EAB_SECRET,
  JP_ZONE,
  definitionOf,
  iamStatements,
  renderIntrinsic,
  statementsOfRole,
  synthIssuer,
  type Synthesized,
} from './support/synth.js';

let s: Synthesized;
beforeAll(() => {
  s = synthIssuer(undefined, { nag: true });
});

const logicalId = (construct: { node: { defaultChild?: unknown } }) => s.stack.getLogicalId(construct.node.defaultChild as never);

/** The acmeflow functions (CDK's own provider framework function is not one of them). */
function acmeflowFunctions() {
  return Object.entries(s.template.findResources('AWS::Lambda::Function')).filter(([, r]) => String(r.Properties.Description ?? '').startsWith('acmeflow:'));
}

describe('certificate bucket and key', () => {
  it('encrypts with the issuer KMS key, versions, blocks public access and logs access', () => {
    s.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [logicalId(s.issuer.key), 'Arn'] } }, BucketKeyEnabled: true },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalId(s.issuer.accessLogsBucket!) } },
    });
  });

  it('expires old versions and sweep objects', () => {
    const bucket = s.template.toJSON().Resources[logicalId(s.issuer.bucket)];
    const rules = bucket.Properties.LifecycleConfiguration.Rules as Record<string, unknown>[];
    expect(rules).toContainEqual(expect.objectContaining({ Id: 'ExpireOldVersions', Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 90 } }));
    expect(rules).toContainEqual(expect.objectContaining({ Id: 'ExpireSweepObjects', Prefix: 'sweeps/', ExpirationInDays: 30 }));
  });

  it('denies every request without TLS', () => {
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId(s.issuer.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('rotates the KMS keys', () => {
    const keys = Object.values(s.template.findResources('AWS::KMS::Key'));
    expect(keys.length).toBeGreaterThanOrEqual(1);
    for (const key of keys) expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  it('keeps data when the stack is deleted', () => {
    s.template.hasResource('AWS::S3::Bucket', { Properties: { VersioningConfiguration: { Status: 'Enabled' } }, DeletionPolicy: 'Retain' });
    s.template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });
});

describe('functions', () => {
  it('has one function per workflow step, plus the sync and ACM hook functions, each its own bundle with index.handler', () => {
    const fns = acmeflowFunctions();
    const descriptions = fns.map(([, r]) => r.Properties.Description as string).sort();
    const steps = Object.keys(LAMBDA_STEPS).map((step) => `acmeflow: workflow step ${step}`);
    expect(descriptions).toEqual([...steps, 'acmeflow: store the certificate list and sweep what changed', 'acmeflow: deploy hook: import into ACM'].sort());
    expect(new Set(fns.map(([, r]) => r.Properties.Handler as string))).toEqual(new Set(['index.handler']));
  });

  it('runs every function on nodejs22.x, arm64, with a short timeout and JSON logs into a log group with retention', () => {
    const fns = acmeflowFunctions();
    expect(fns).toHaveLength(17);
    for (const [id, fn] of fns) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.LoggingConfig, id).toMatchObject({ LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } });
      const limit = /PlanRenewals|SyncLineages/.test(id) ? 900 : 120;
      expect(fn.Properties.Timeout, id).toBeLessThanOrEqual(limit);
      const logGroup = s.template.toJSON().Resources[fn.Properties.LoggingConfig.LogGroup.Ref];
      expect(logGroup.Properties.RetentionInDays, id).toBe(365);
    }
    // The issuance steps give up before their Task's 120 s, so a Retry can follow.
    s.template.hasResourceProperties('AWS::Lambda::Function', { Description: 'acmeflow: workflow step FinalizeOrder', Timeout: 60, MemorySize: 1024 });
  });

  it('puts names and ARNs in the environment, never a secret', () => {
    const allowed = new Set([...AWS_DEPS_ENV.map((v) => v.name), 'POWERTOOLS_SERVICE_NAME', 'ACMEFLOW_SWEEP_STATE_MACHINE_ARN']);
    for (const [id, fn] of acmeflowFunctions()) {
      const env = fn.Properties.Environment.Variables as Record<string, unknown>;
      for (const [name, value] of Object.entries(env)) {
        expect(allowed.has(name), `${id}: ${name}`).toBe(true);
        const text = renderIntrinsic(value);
        expect(text, `${id}: ${name}`).not.toMatch(/PRIVATE KEY|hmac|password|token/i);
      }
      expect(env.ACMEFLOW_BUCKET, id).toEqual({ Ref: logicalId(s.issuer.bucket) });
      // Scoped to the stack and its key (acmeflow/<stack name>/<issuer path>/<key id's first group>/), so two issuers never share a secret.
      expect(renderIntrinsic(env.ACMEFLOW_SECRET_PREFIX), id).toBe(`acmeflow/Test/Issuer/\${Select(0,Split(-,\${${logicalId(s.issuer.key)}}))}/`);
    }
  });

  it('sets every variable the handlers require (the functions/runtime/aws-deps.ts contract)', () => {
    const required = AWS_DEPS_ENV.filter((v) => v.required && v.name !== 'AWS_REGION').map((v) => v.name);
    for (const step of Object.keys(LAMBDA_STEPS)) {
      const fn = s.template.toJSON().Resources[logicalId(s.issuer.functions[step as keyof typeof LAMBDA_STEPS])];
      for (const name of required) expect(fn.Properties.Environment.Variables, `${step}: ${name}`).toHaveProperty(name);
      // ACM import is the Deployable hook, not a StoreCertificate target.
      expect(fn.Properties.Environment.Variables.ACMEFLOW_ACM_IMPORT).toBe('false');
    }
  });
});

describe('least privilege', () => {
  const statements = () => iamStatements(s.template);

  it('changes Route 53 only in the configured zones, only TXT, only _acme-challenge.* (and delegation targets), only UPSERT/DELETE', () => {
    const changes = statements().filter((st) => st.Action.includes('route53:ChangeResourceRecordSets'));
    expect(changes.length).toBeGreaterThan(0);
    const zones = new Set(changes.flatMap((st) => st.Resource));
    expect([...zones].sort()).toEqual([JP_ZONE, COM_ZONE].map((zone) => `arn:\${AWS::Partition}:route53:::hostedzone/${zone}`).sort());
    for (const st of changes) {
      expect(st.Action).toEqual(['route53:ChangeResourceRecordSets']);
      expect(st.Condition?.['ForAllValues:StringEquals']).toEqual({
        'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'],
        'route53:ChangeResourceRecordSetsActions': ['UPSERT', 'DELETE'],
      });
      const names = [st.Condition?.['ForAllValues:StringLike']?.['route53:ChangeResourceRecordSetsNormalizedRecordNames']].flat();
      expect(names[0]).toBe('_acme-challenge.*');
      if (st.Resource[0]?.endsWith(COM_ZONE)) expect(names).toEqual(['_acme-challenge.*', DELEGATION_TARGET]);
      else expect(names).toEqual(['_acme-challenge.*']);
    }
  });

  it('gives DNS permissions to the DNS steps only', () => {
    const dnsRoles = new Set(['PrepareOrder', 'PublishRecords', 'CheckPropagation', 'CleanupRecords'].map((step) => logicalId(s.issuer.functions[step as 'PrepareOrder'].role!)));
    for (const [id, policy] of Object.entries(s.template.findResources('AWS::IAM::Policy'))) {
      const text = JSON.stringify(policy.Properties.PolicyDocument);
      if (!text.includes('route53:')) continue;
      for (const role of policy.Properties.Roles as { Ref: string }[]) expect(dnsRoles.has(role.Ref), id).toBe(true);
    }
  });

  it('lets CheckPropagation read change status only: GetChange, nothing that changes or lists records', () => {
    const route53 = (step: 'CheckPropagation' | 'PublishRecords') =>
      statementsOfRole(s.template, logicalId(s.issuer.functions[step].role!)).flatMap((st) => st.Action.filter((a) => a.startsWith('route53:')));
    expect(new Set(route53('CheckPropagation'))).toEqual(new Set(['route53:GetChange']));
    const getChange = statementsOfRole(s.template, logicalId(s.issuer.functions.CheckPropagation.role!)).filter((st) => st.Action.includes('route53:GetChange'));
    for (const st of getChange) expect(st.Resource).toEqual([`arn:\${AWS::Partition}:route53:::change/*`]);
    // The writing steps keep what they need: the check is narrower, not the whole DNS access.
    expect(route53('PublishRecords')).toEqual(expect.arrayContaining(['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:GetChange']));
  });

  it('reads and writes Secrets Manager only under the prefix, plus exactly the named EAB and DNS secrets', () => {
    const underPrefix = /^arn:\$\{AWS::Partition\}:secretsmanager:ap-northeast-1:123456789012:secret:acmeflow\/Test\/Issuer\/\$\{Select\(0,Split\(-,\$\{IssuerKey[0-9A-F]+\}\)\)\}\/(cert|account)\/(\*|[A-Za-z0-9.-]+-\?{6})$/;
    const named = [EAB_SECRET, CLOUDFLARE_SECRET].map((n) => `arn:\${AWS::Partition}:secretsmanager:ap-northeast-1:123456789012:secret:${n}-??????`);
    const seen = new Set<string>();
    for (const st of statements().filter((x) => x.Action.some((a) => a.startsWith('secretsmanager:')))) {
      for (const resource of st.Resource) {
        seen.add(resource);
        if (named.includes(resource)) expect(st.Action).toEqual(['secretsmanager:GetSecretValue']);
        else expect(resource).toMatch(underPrefix);
      }
    }
    for (const n of named) expect(seen.has(n)).toBe(true);
  });

  it('uses the KMS key by its ARN only, and names KMS actions one by one', () => {
    for (const st of statements().filter((x) => x.Action.some((a) => a.startsWith('kms:')))) {
      expect(st.Action.every((a) => ['kms:Decrypt', 'kms:GenerateDataKey'].includes(a)), st.holder).toBe(true);
      expect(st.Resource.every((r) => /^\$\{[A-Za-z0-9]+\.Arn\}$/.test(r)), st.holder).toBe(true);
    }
  });

  it('uses Resource "*" only for the actions whose API accepts nothing narrower', () => {
    const apiDemandsStar = new Set([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
      'route53:ListHostedZonesByName',
    ]);
    const star = statements().filter((st) => st.Effect === 'Allow' && st.Resource.includes('*'));
    expect(star.length).toBeGreaterThan(0);
    for (const st of star) for (const action of st.Action) expect(apiDemandsStar.has(action), `${st.holder}: ${action}`).toBe(true);
    // The zone lookup is granted (a provider looks its zone up by name), ListHostedZones never is.
    expect(star.some((st) => st.Action.includes('route53:ListHostedZonesByName'))).toBe(true);
    expect(statements().some((st) => st.Action.includes('route53:ListHostedZones'))).toBe(false);
  });

  it('puts events only with source acmeflow', () => {
    const puts = statements().filter((st) => st.Action.includes('events:PutEvents'));
    expect(puts.length).toBe(5);
    for (const st of puts) {
      expect(st.Resource).toEqual([`arn:\${AWS::Partition}:events:ap-northeast-1:123456789012:event-bus/default`]);
      expect(st.Condition).toEqual({ StringEquals: { 'events:source': ['acmeflow'] } });
    }
  });

  it('has zero unacknowledged cdk-nag AwsSolutions errors and warnings, each acknowledgement with a reason', () => {
    const annotations = Annotations.fromStack(s.stack);
    const findings = [
      ...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`)).toEqual([]);
    // Every acknowledgement sits on a resource of this stack and says why.
    let acknowledged = 0;
    for (const resource of Object.values(s.template.toJSON().Resources) as { Metadata?: { cdk_nag?: { rules_to_suppress?: { id: string; reason: string }[] } } }[]) {
      for (const rule of resource.Metadata?.cdk_nag?.rules_to_suppress ?? []) {
        acknowledged++;
        expect(rule.reason.length, rule.id).toBeGreaterThan(40);
      }
    }
    expect(acknowledged).toBeGreaterThan(0);
  });
});

describe('state machines', () => {
  const machines = () => ({
    issuance: definitionOf(s.template, logicalId(s.issuer.issuanceStateMachine)),
    sweep: definitionOf(s.template, logicalId(s.issuer.sweepStateMachine)),
    revocation: definitionOf(s.template, logicalId(s.issuer.revocationStateMachine)),
  });

  it('deploys the three Standard state machines with logs (ALL, no execution data) and X-Ray', () => {
    s.template.resourceCountIs('AWS::StepFunctions::StateMachine', 3);
    s.template.allResourcesProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      TracingConfiguration: { Enabled: true },
    });
  });

  it('waits in Wait states and points every Task at its own function', () => {
    const { issuance, revocation } = machines();
    const states = issuance.States as Record<string, Record<string, unknown>>;
    for (const wait of ['Wait for propagation', 'Wait for validation', 'Wait for issuance']) {
      expect(states[wait]).toMatchObject({ Type: 'Wait', SecondsPath: '$.poll.waitSeconds' });
    }
    expect(states['Wait deploy delay']).toMatchObject({ Type: 'Wait', SecondsPath: '$.deployDelaySeconds' });
    expect(states.PrepareOrder?.Resource).toBe(`\${${logicalId(s.issuer.functions.PrepareOrder)}.Arn}`);
    expect(states.CleanupAfterFailure?.Resource).toBe(`\${${logicalId(s.issuer.functions.CleanupRecords)}.Arn}`);
    expect((revocation.States as Record<string, Record<string, unknown>>).RevokeCertificate?.Resource).toBe(`\${${logicalId(s.issuer.functions.RevokeCertificate)}.Arn}`);
  });

  it('sweeps with a Distributed Map that reads the plan from S3 and writes results to S3', () => {
    const map = (machines().sweep.States as Record<string, Record<string, any>>).RenewDue!;
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.ItemReader).toMatchObject({ Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: `\${${logicalId(s.issuer.bucket)}}`, 'Key.$': '$.planKey' } });
    expect(map.ResultWriter).toMatchObject({ Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: `\${${logicalId(s.issuer.bucket)}}` } });
    expect(map.MaxConcurrency).toBe(DEFAULT_SWEEP_CONCURRENCY);
    expect(map.ItemProcessor.States.Issue.Resource).toBe('arn:aws:states:::states:startExecution.sync:2');
    expect(map.ItemProcessor.States.Issue.Parameters.StateMachineArn).toBe(`\${${logicalId(s.issuer.issuanceStateMachine)}}`);
  });

  it('lets each machine invoke exactly its own functions', () => {
    const invokes = (machine: typeof s.issuer.issuanceStateMachine) =>
      statementsOfRole(s.template, logicalId(machine.role as never))
        .filter((st) => st.Action.includes('lambda:InvokeFunction'))
        .flatMap((st) => st.Resource)
        .sort();
    const arn = (step: keyof typeof LAMBDA_STEPS) => `\${${logicalId(s.issuer.functions[step])}.Arn}`;
    expect(invokes(s.issuer.revocationStateMachine)).toEqual([arn('RevokeCertificate')]);
    expect(invokes(s.issuer.sweepStateMachine)).toEqual([arn('PlanRenewals'), arn('CompleteSweep')].sort());
    expect(invokes(s.issuer.issuanceStateMachine)).toHaveLength(12);
  });

  it('lets the issuance start its own follow-up (the deploy delay outside the Map slot), and nothing else', () => {
    const issuanceStatements = statementsOfRole(s.template, logicalId(s.issuer.issuanceStateMachine.role as never));
    const starts = issuanceStatements.filter((st) => st.Action.includes('states:StartExecution')).flatMap((st) => st.Resource);
    expect(starts).toEqual([`\${${logicalId(s.issuer.issuanceStateMachine)}}`]);
    const definition = JSON.stringify(s.template.findResources('AWS::StepFunctions::StateMachine')[logicalId(s.issuer.issuanceStateMachine)]?.Properties.DefinitionString);
    expect(definition).toContain('arn:aws:states:::states:startExecution');
    expect(definition).not.toContain('startExecution.sync');
  });

  it('gives the sweep what .sync:2 and the Distributed Map need', () => {
    const sweepStatements = statementsOfRole(s.template, logicalId(s.issuer.sweepStateMachine.role as never));
    const grants = (action: string) => sweepStatements.filter((st) => st.Action.includes(action)).flatMap((st) => st.Resource);
    const issuance = logicalId(s.issuer.issuanceStateMachine);
    const sweep = logicalId(s.issuer.sweepStateMachine);
    expect(grants('states:StartExecution').sort()).toEqual([`\${${issuance}}`, `\${${sweep}}`].sort());
    expect(grants('states:DescribeExecution')).toEqual(
      expect.arrayContaining([
        `arn:\${AWS::Partition}:states:ap-northeast-1:123456789012:execution:\${${issuance}.Name}:*`,
        `arn:\${AWS::Partition}:states:ap-northeast-1:123456789012:execution:\${${sweep}.Name}/*`,
      ]),
    );
    expect(grants('events:PutRule')).toEqual([`arn:\${AWS::Partition}:events:ap-northeast-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`]);
    expect(grants('s3:PutObject')).toEqual([`\${${logicalId(s.issuer.bucket)}.Arn}/sweeps/*`]);
  });
});

describe('schedule and deploy-time trigger', () => {
  it('runs the sweep at 00:00 and 12:00 UTC with a flexible window', () => {
    s.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 0,12 * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 60 },
      State: 'ENABLED',
      Target: Match.objectLike({ Arn: { Ref: logicalId(s.issuer.sweepStateMachine) }, Input: '{}' }),
    });
  });

  it('stores the lineage specs through a custom resource that may start the sweep', () => {
    s.template.hasResourceProperties('Custom::AcmeflowLineages', { SpecsBucket: Match.anyValue(), SpecsKey: Match.stringLikeRegexp('^[0-9a-f]{64}\\.json$') });
    const sync = s.template.toJSON().Resources[logicalId(s.issuer.syncFunction)];
    expect(sync.Properties.Environment.Variables.ACMEFLOW_SWEEP_STATE_MACHINE_ARN).toEqual({ Ref: logicalId(s.issuer.sweepStateMachine) });
    const starts = statementsOfRole(s.template, logicalId(s.issuer.syncFunction.role as never)).filter((st) => st.Action.includes('states:StartExecution'));
    expect(starts.flatMap((st) => st.Resource)).toEqual([`\${${logicalId(s.issuer.sweepStateMachine)}}`]);
  });

  it('resolves the lineage specs at synth time (JPRS: 600 s deploy delay, 30-day threshold, EAB by reference)', () => {
    const jp = s.issuer.lineages.find((l) => l.name === 'example.jp');
    expect(jp).toMatchObject({ deployDelaySeconds: 600, renewBeforeExpirySeconds: 30 * 86400, ca: { eabRef: EAB_SECRET, directoryUrl: 'https://acme.amecert.jprs.jp/DV/getDirectory' } });
    expect(s.issuer.lineages.map((l) => l.name)).toEqual(['example.jp', 'example.com', 'example.org']);
  });
});

describe('deploy hooks and alarms', () => {
  const rules = () => Object.values(s.template.findResources('AWS::Events::Rule')).map((r) => r.Properties as Record<string, any>);
  const deployableRules = () => rules().filter((r) => r.EventPattern?.['detail-type']?.includes('Certificate Deployable'));

  it('ships ACM, SSM Run Command and SNS hooks as rules on Certificate Deployable from source acmeflow', () => {
    expect(deployableRules()).toHaveLength(3);
    for (const rule of deployableRules()) {
      expect(rule.EventPattern.source).toEqual(['acmeflow']);
      expect(rule.EventPattern['detail-type']).toEqual(['Certificate Deployable']);
      expect(rule.EventBusName).toBe('default');
    }
    const targets = deployableRules().flatMap((r) => r.Targets as Record<string, any>[]);
    const runCommand = targets.find((t) => t.RunCommandParameters);
    expect(runCommand?.RunCommandParameters).toEqual({ RunCommandTargets: [{ Key: 'tag:acmeflow:deploy', Values: ['web'] }] });
    expect(runCommand?.InputTransformer).toEqual({
      InputPathsMap: { 'detail-lineage': '$.detail.lineage', 'detail-version': '$.detail.version', 'detail-keyLocation': '$.detail.keyLocation' },
      // Every Run Command parameter a string: the version (a number in the event) inside quotes.
      InputTemplate: '{"lineage":[<detail-lineage>],"version":["v<detail-version>"],"keyLocation":[<detail-keyLocation>]}',
    });
    const acmFunction = `\${${logicalId(s.issuer.acmImportHook!.function)}.Arn}`;
    const acmRule = deployableRules().find((r) => (r.Targets as Record<string, unknown>[]).some((t) => renderIntrinsic(t.Arn) === acmFunction));
    expect(acmRule?.EventPattern.detail).toEqual({ lineage: ['example.com'] });
    expect(targets.some((t) => renderIntrinsic(t.Arn) === `\${${logicalId(s.issuer.topic as never)}}`)).toBe(true);
    const ssmRule = deployableRules().find((r) => JSON.stringify(r.Targets).includes('RunCommandParameters'));
    expect(ssmRule?.EventPattern.detail).toEqual({ lineage: ['example.jp'] });
  });

  it('writes certbot layout with the operator manual reload command, only for parameters matching a lineage name', () => {
    const doc = Object.values(s.template.findResources('AWS::SSM::Document'))[0]?.Properties as Record<string, any>;
    expect(doc.DocumentType).toBe('Command');
    expect(doc.Content.parameters.lineage.allowedPattern).toBe('^(\\*|[A-Za-z0-9][A-Za-z0-9._-]{0,127})$');
    const script = doc.Content.mainSteps[0].inputs.runCommand.map(renderIntrinsic).join('\n');
    expect(script).toContain("export ACMEFLOW_CONFIG_DIR='/etc/letsencrypt'");
    expect(script).toContain(`export ACMEFLOW_SECRET_PREFIX='acmeflow/Test/Issuer/\${Select(0,Split(-,\${${logicalId(s.issuer.key)}}))}/'`);
    expect(script).toMatch(/\n {2}systemctl reload httpd\n/);
  });

  it('lets EventBridge send only that document, only to instances with the tag', () => {
    const sends = iamStatements(s.template).filter((st) => st.Action.includes('ssm:SendCommand'));
    expect(sends).toHaveLength(2);
    const toInstances = sends.find((st) => st.Resource[0]?.includes(':instance/'));
    expect(toInstances?.Condition).toEqual({ StringEquals: { 'ssm:resourceTag/acmeflow:deploy': ['web'] } });
    expect(sends.find((st) => st.Resource[0]?.includes(':document/'))?.Condition).toBeUndefined();
  });

  it('notifies failed issuances', () => {
    const failed = rules().find((r) => r.EventPattern?.['detail-type']?.includes('Certificate Issuance Failed'));
    expect(failed?.EventPattern.source).toEqual(['acmeflow']);
    expect(renderIntrinsic(failed?.Targets[0].Arn)).toBe(`\${${logicalId(s.issuer.topic as never)}}`);
    expect(failed?.Targets[0].InputTransformer.InputPathsMap).toMatchObject({ 'detail-explanation': '$.detail.explanation', 'detail-problem': '$.detail.problem' });
    s.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.jp' });
  });

  it('lets AWS services publish to the topic and use its key only for this account (aws:SourceAccount, aws:SourceArn)', () => {
    const topicStatements = Object.values(s.template.findResources('AWS::SNS::TopicPolicy')).flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, any>[]);
    const keyId = Object.keys(s.template.findResources('AWS::KMS::Key')).find((id) => id.includes('TopicKey'))!;
    const keyStatements = s.template.findResources('AWS::KMS::Key')[keyId]!.Properties.KeyPolicy.Statement as Record<string, any>[];
    const services = [...topicStatements, ...keyStatements].filter((st) => st.Effect === 'Allow' && st.Principal?.Service);
    // Publish from each rule that targets the topic (failures, SNS deploy hook), key use for rules and alarms.
    expect(services.length).toBeGreaterThanOrEqual(4);
    for (const st of services) {
      expect(st.Condition?.StringEquals?.['aws:SourceAccount']).toBeDefined();
      expect(st.Condition?.ArnEquals?.['aws:SourceArn'] ?? st.Condition?.ArnLike?.['aws:SourceArn']).toBeDefined();
    }
    const publish = topicStatements.filter((st) => st.Principal?.Service === 'events.amazonaws.com');
    const ruleArns = publish.map((st) => renderIntrinsic(st.Condition.ArnEquals['aws:SourceArn']));
    expect(ruleArns.every((arn) => /^\$\{[A-Za-z0-9]+\.Arn\}$/.test(arn))).toBe(true);
    expect(keyStatements.filter((st) => st.Principal?.Service).map((st) => renderIntrinsic(st.Condition.ArnLike['aws:SourceArn']))).toEqual([
      expect.stringMatching(/:events:.*:rule\/\*$/),
      expect.stringMatching(/:cloudwatch:.*:alarm:\*$/),
    ]);
  });

  it('alarms once when a sweep fails or skips lineages it could not read (the LineagesUnreadable metric CompleteSweep writes)', () => {
    const alarms = Object.values(s.template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties as Record<string, any>);
    const sweep = alarms.find((a) => String(a.AlarmDescription).includes('renewal sweep failed'));
    const metrics = sweep?.Metrics as Record<string, any>[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('FILL(failed, 0) + FILL(timedOut, 0) + FILL(unreadable, 0)');
    const unreadable = metrics.find((m) => m.Id === 'unreadable')?.MetricStat;
    expect(unreadable?.Metric).toMatchObject({ Namespace: METRICS_NAMESPACE, MetricName: LINEAGES_UNREADABLE });
    expect(sweep).toMatchObject({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1 });
  });

  it('alarms on failed issuances and on a certificate with less than 14 days left', () => {
    const alarms = s.template.findResources('AWS::CloudWatch::Alarm');
    const byDescription = (text: string) => Object.values(alarms).find((a) => String(a.Properties.AlarmDescription).includes(text))?.Properties as Record<string, any>;
    const failed = byDescription('issuance failed');
    // Each failure is notified once: one with its event by the event's rule, the others (timed out, stopped, RecordFailure failed) by this alarm.
    expect(JSON.stringify(failed.Metrics)).not.toContain('ExecutionsFailed');
    expect(failed.Metrics.find((m: { Expression?: string }) => m.Expression)?.Expression).toBe('timedOut + aborted + unrecorded');
    expect(JSON.stringify(failed.Metrics)).toContain('ExecutionsTimedOut');
    expect(JSON.stringify(failed.Metrics)).toContain('ExecutionsAborted');
    expect(JSON.stringify(failed.Metrics)).toContain(logicalId(s.issuer.issuanceStateMachine));
    expect(JSON.stringify(failed.Metrics)).toContain(logicalId(s.issuer.functions.RecordFailure as never));
    expect(failed).toMatchObject({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1 });
    const expiring = byDescription('less than 14 days');
    expect(expiring).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: DAYS_TO_EXPIRY_MIN,
      Statistic: 'Minimum',
      Threshold: 14,
      ComparisonOperator: 'LessThanThreshold',
      Dimensions: [{ Name: 'Bucket', Value: { Ref: logicalId(s.issuer.bucket) } }],
    });
    for (const alarm of Object.values(alarms)) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: logicalId(s.issuer.topic as never) }]);
  });
});
