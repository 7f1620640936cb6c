import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SCHEMAS, type EventDetailType } from '../../shared/events/events.js';
import { renderInputTransformer } from './support/input-template.js';
import { renderIntrinsic, synthIssuer, testIssuerProps, type Synthesized } from './support/synth.js';

let s: Synthesized;
beforeAll(() => {
  s = synthIssuer(
    (stack) =>
      testIssuerProps({
        notifications: {
          emails: ['ops@example.jp'],
          webhooks: [
            { kind: 'slack', webhookSecret: 'acmeflow/slack-bot', channel: 'C0123456789', events: ['Certificate Issuance Failed', 'Certificate Deployable'] },
            {
              kind: 'teams',
              url: 'https://prod-00.japaneast.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0',
              webhookSecret: Secret.fromSecretNameV2(stack, 'TeamsSig', 'acmeflow/teams'),
              secretField: 'sig',
            },
            {
              kind: 'webhook',
              url: 'https://hooks.example.jp/acmeflow',
              webhookSecret: 'acmeflow/webhook',
              header: 'X-Api-Key',
              events: ['Renewal Sweep Completed'],
              lineages: ['example.jp'],
            },
          ],
        },
      }),
    { nag: true },
  );
});

type Resource = Record<string, any>;
const resources = (type: string): Resource[] => Object.entries(s.template.findResources(type)).map(([id, r]) => ({ id, ...(r.Properties as Resource) }));
/** The rules that target an API destination, with their target's destination and connection. */
function webhookRules() {
  const destinations = Object.fromEntries(resources('AWS::Events::ApiDestination').map((d) => [d.id, d]));
  const connections = Object.fromEntries(resources('AWS::Events::Connection').map((c) => [c.id, c]));
  return resources('AWS::Events::Rule')
    .filter((r) => (r.Targets ?? []).some((t: Resource) => String(renderIntrinsic(t.Arn)).includes('Destination')))
    .map((rule) => {
      const target = rule.Targets[0];
      const destination = destinations[/\$\{([A-Za-z0-9]+)\.Arn\}/.exec(renderIntrinsic(target.Arn))![1]!]!;
      const connection = connections[destination.ConnectionArn['Fn::GetAtt'][0]]!;
      return { rule, target, destination, connection };
    });
}
const ruleFor = (endpoint: string, detailType: EventDetailType) =>
  webhookRules().find((r) => r.destination.InvocationEndpoint.startsWith(endpoint) && r.rule.EventPattern['detail-type'][0] === detailType)!;

/** A sample event as the issuer puts it on the bus, its detail checked against the event's schema. */
function sampleEvent(detailType: EventDetailType, detail: Record<string, unknown>): Record<string, unknown> {
  EVENT_SCHEMAS[detailType].parse(detail);
  return {
    version: '0',
    id: 'b3c6a1f0-0000-4000-8000-000000000001',
    'detail-type': detailType,
    source: 'acmeflow',
    account: '123456789012',
    time: '2026-12-08T03:00:00Z',
    region: 'ap-northeast-1',
    resources: [],
    detail,
  };
}
const FAILED = sampleEvent('Certificate Issuance Failed', {
  lineage: 'example.jp',
  domains: ['example.jp', 'www.example.jp'],
  step: 'CheckPropagation',
  error: { name: 'PropagationTimeoutError', message: 'TXT "_acme-challenge.example.jp" not seen on ns1.example.jp after 600 s' },
  explanation: { en: 'The TXT record did not reach every authoritative server in time.', ja: 'TXT レコードが期限内に届きませんでした。' },
  failureCount: 2,
  retryNotBefore: '2026-12-08T05:00:00Z',
});
const DEPLOYABLE = sampleEvent('Certificate Deployable', {
  lineage: 'example.jp',
  version: 3,
  domains: ['example.jp'],
  serialHex: '04ab',
  notBefore: '2026-12-08T00:00:00Z',
  notAfter: '2027-03-08T00:00:00Z',
  location: 's3://acmeflow-certs/live/example.jp/',
  keyLocation: 's3://acmeflow-certs/keys/example.jp/',
  renewal: true,
});
const render = (transformer: Resource, event: Record<string, unknown>) => JSON.parse(renderInputTransformer(transformer as { InputTemplate: string }, event)) as Resource;

describe('notifications to Slack, Teams and webhooks', () => {
  it('has a rule per chosen event type, from source acmeflow on the issuer bus, defaulting to failures and revocations', () => {
    const patterns = webhookRules().map(
      ({ rule, destination }) => [destination.InvocationEndpoint.split('/')[2], rule.EventPattern['detail-type'], rule.EventPattern.detail] as const,
    );
    expect(patterns).toEqual(
      expect.arrayContaining([
        ['slack.com', ['Certificate Issuance Failed'], undefined],
        ['slack.com', ['Certificate Deployable'], undefined],
        ['prod-00.japaneast.logic.azure.com', ['Certificate Issuance Failed'], undefined],
        ['prod-00.japaneast.logic.azure.com', ['Certificate Revoked'], undefined],
        ['hooks.example.jp', ['Renewal Sweep Completed'], { lineage: ['example.jp'] }],
      ]),
    );
    expect(patterns).toHaveLength(5);
    for (const { rule } of webhookRules()) {
      expect(rule.EventPattern.source).toEqual(['acmeflow']);
      expect(rule.EventBusName).toBe('default');
    }
  });

  it("writes Slack's chat.postMessage body: the channel and a mrkdwn text with the headline and facts", () => {
    const { target, destination } = ruleFor('https://slack.com/api/chat.postMessage', 'Certificate Issuance Failed');
    expect(destination).toMatchObject({ HttpMethod: 'POST', InvocationRateLimitPerSecond: 1 });
    const body = render(target.InputTransformer, FAILED);
    expect(Object.keys(body)).toEqual(['channel', 'text']);
    expect(body.channel).toBe('C0123456789');
    expect(body.text.split('\n')).toEqual([
      '*Certificate issuance failed: example.jp*',
      'Step: CheckPropagation',
      'Error: PropagationTimeoutError: TXT "_acme-challenge.example.jp" not seen on ns1.example.jp after 600 s',
      'What to do: The TXT record did not reach every authoritative server in time.',
      'Next attempt not before: 2026-12-08T05:00:00Z',
    ]);
    const deployable = render(ruleFor('https://slack.com/api/chat.postMessage', 'Certificate Deployable').target.InputTransformer, DEPLOYABLE);
    expect(deployable.text.split('\n')[0]).toBe('*Certificate ready to deploy: example.jp version 3*');
  });

  it('writes a Teams message with one Adaptive Card: a bold headline and a line per fact', () => {
    const { target } = ruleFor('https://prod-00.japaneast.logic.azure.com', 'Certificate Issuance Failed');
    const body = render(target.InputTransformer, FAILED);
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    const card = body.attachments[0];
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card.content.body[0]).toEqual({ type: 'TextBlock', text: 'Certificate issuance failed: example.jp', weight: 'Bolder', size: 'Medium', wrap: true });
    expect(card.content.body[1]).toEqual({
      type: 'TextBlock',
      wrap: true,
      text: [
        '**Step:** CheckPropagation',
        '**Error:** PropagationTimeoutError: TXT "_acme-challenge.example.jp" not seen on ns1.example.jp after 600 s',
        '**What to do:** The TXT record did not reach every authoritative server in time.',
        '**Next attempt not before:** 2026-12-08T05:00:00Z',
      ].join('\n\n'),
    });
    // An event without the optional fields still makes a valid card: each fact is text inside a string.
    const bare = { ...FAILED, detail: { lineage: 'example.jp', domains: ['example.jp'], step: 'PrepareOrder', error: { name: 'AcmeProblemError', message: 'rejected' } } };
    expect(render(target.InputTransformer, bare).attachments[0].content.body[1].text).toContain('**What to do:** \n\n');
  });

  it('sends the event itself to a generic webhook', () => {
    const { target } = ruleFor('https://hooks.example.jp/acmeflow', 'Renewal Sweep Completed');
    const event = sampleEvent('Renewal Sweep Completed', { attempted: 3, renewed: ['example.jp'], failed: [], skipped: 1, dryRun: false });
    expect(render(target.InputTransformer, event)).toEqual({
      source: 'acmeflow',
      detailType: 'Renewal Sweep Completed',
      id: event.id,
      time: '2026-12-08T03:00:00Z',
      detail: event.detail,
    });
  });

  it('keeps every credential in Secrets Manager: the template holds dynamic references only', () => {
    const byEndpoint = (prefix: string) => webhookRules().find((r) => r.destination.InvocationEndpoint.startsWith(prefix))!.connection;
    const slack = byEndpoint('https://slack.com').AuthParameters;
    expect(slack.ApiKeyAuthParameters.ApiKeyName).toBe('Authorization');
    expect(renderIntrinsic(slack.ApiKeyAuthParameters.ApiKeyValue)).toMatch(/^\{\{resolve:secretsmanager:acmeflow\/slack-bot:SecretString:::\}\}$/);
    const teams = byEndpoint('https://prod-00').AuthParameters;
    const query = (teams.InvocationHttpParameters.QueryStringParameters as Resource[]).map((p) => ({ ...p, Value: renderIntrinsic(p.Value) }));
    expect(query).toEqual([{ Key: 'sig', IsValueSecret: true, Value: expect.stringMatching(/^\{\{resolve:secretsmanager:arn:.*:secret:acmeflow\/teams:SecretString:sig::\}\}$/) }]);
    // The header EventBridge requires on a connection is a fixed, non-secret marker; the URL has no sig (refused otherwise, see below).
    expect(teams.ApiKeyAuthParameters).toEqual({ ApiKeyName: 'X-Acmeflow-Source', ApiKeyValue: 'acmeflow' });
    const webhook = byEndpoint('https://hooks.example.jp').AuthParameters;
    expect(webhook.ApiKeyAuthParameters.ApiKeyName).toBe('X-Api-Key');
    expect(renderIntrinsic(webhook.ApiKeyAuthParameters.ApiKeyValue)).toMatch(/^\{\{resolve:secretsmanager:acmeflow\/webhook:SecretString:::\}\}$/);
    // Nothing that looks like a token anywhere in the template.
    const text = JSON.stringify(s.template.toJSON());
    expect(text).not.toMatch(/xox[bp]-|hooks\.slack\.com\/services|[?&]sig=/);
  });

  it('alarms, per webhook, when EventBridge fails to deliver to it, and the alarm notifies the topic', () => {
    const alarms = resources('AWS::CloudWatch::Alarm').filter((a) => String(a.AlarmDescription).includes('could not be delivered'));
    expect(alarms.map((a) => String(a.AlarmDescription).match(/webhooks\[\d\]/)?.[0])).toEqual(['webhooks[0]', 'webhooks[1]', 'webhooks[2]']);
    const slack = alarms[0]!.Metrics as Resource[];
    expect(slack.find((m) => m.Expression)?.Expression).toBe('FILL(rule0, 0) + FILL(rule1, 0)');
    const slackRules = webhookRules()
      .filter((r) => r.destination.InvocationEndpoint.startsWith('https://slack.com'))
      .map((r) => r.rule.id);
    for (const m of slack.filter((x) => x.MetricStat)) {
      expect(m.MetricStat.Metric).toMatchObject({ Namespace: 'AWS/Events', MetricName: 'FailedInvocations' });
      expect(slackRules).toContain(m.MetricStat.Metric.Dimensions[0].Value.Ref);
    }
    expect(alarms[0]!.AlarmActions).toEqual([{ Ref: s.stack.getLogicalId(s.issuer.topic.node.defaultChild as never) }]);
  });

  it('adds no unacknowledged cdk-nag finding', () => {
    const annotations = Annotations.fromStack(s.stack);
    const findings = [...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')), ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`)).toEqual([]);
  });

  it('refuses a Teams URL that still has its sig, a Slack webhook without a channel, and a URL that is not https', () => {
    const teamsWithSig = { kind: 'teams' as const, url: 'https://prod-00.example/invoke?api-version=1&sig=abc', webhookSecret: 'x' };
    expect(() => synthIssuer(testIssuerProps({ notifications: { webhooks: [teamsWithSig] } }))).toThrow(/without its sig/);
    expect(() => synthIssuer(testIssuerProps({ notifications: { webhooks: [{ kind: 'slack', webhookSecret: 'x' }] } }))).toThrow(/channel/);
    expect(() => synthIssuer(testIssuerProps({ notifications: { webhooks: [{ kind: 'webhook', url: 'http://hooks.example.jp', webhookSecret: 'x' }] } }))).toThrow(/https/);
  });
});
