import { SecretValue } from 'aws-cdk-lib';
import { ApiDestination, Authorization, Connection, HttpMethod, HttpParameter, Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { ApiDestination as ApiDestinationTarget } from 'aws-cdk-lib/aws-events-targets';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { WebhookNotificationProps } from '../acme-issuer-props.js';
import { acmeflowEventPattern } from '../deploy-hooks/event-patterns.js';
import { webhookMessage } from './webhook-messages.js';

/** Slack's Web API method that posts a message to a channel. */
export const SLACK_POST_MESSAGE_URL = 'https://slack.com/api/chat.postMessage';

/** The events a webhook gets when its props name none: what someone has to act on. */
export const DEFAULT_WEBHOOK_EVENTS = ['Certificate Issuance Failed', 'Certificate Revoked'] as const;

export interface WebhookNotificationsProps {
  readonly eventBus: IEventBus;
  readonly webhooks: readonly WebhookNotificationProps[];
}

/**
 * The issuer's events as chat messages and webhook calls: per webhook an EventBridge connection (the
 * credential from your Secrets Manager secret, by dynamic reference: CloudFormation resolves it at
 * deploy time and EventBridge keeps it in a secret of its own, so it is never in the template or the
 * rule), an API destination, and one rule per chosen event type whose input transformer writes the
 * service's message (`webhook-messages.ts`).
 *
 * How each kind carries its credential:
 * - `slack`: Slack's `chat.postMessage` with a bot token (scope `chat:write`); the secret holds the
 *   `Authorization` header value, `Bearer xoxb-…` (an incoming-webhook URL cannot be used: its secret
 *   is in the URL, which an API destination keeps in plain text);
 * - `teams`: a Teams Workflows webhook URL; `url` is that URL without its `sig` query parameter and
 *   the secret holds the `sig` value, sent as a secret query parameter. EventBridge requires an
 *   authorization on every connection: a fixed, non-secret `X-Acmeflow-Source` header;
 * - `webhook`: any HTTPS endpoint; the secret holds the value of the `header` (`Authorization`).
 *
 * @example
 * ```ts
 * new WebhookNotifications(this, 'Webhooks', { eventBus, webhooks: [{ kind: 'slack', webhookSecret: 'acmeflow/slack', channel: 'C0123456789' }] });
 * ```
 */
export class WebhookNotifications extends Construct {
  readonly connections: Connection[] = [];
  readonly destinations: ApiDestination[] = [];
  readonly rules: Rule[] = [];
  /** The rules of each webhook, in the order of the props (what the delivery alarms watch). */
  readonly rulesByWebhook: Rule[][] = [];

  constructor(scope: Construct, id: string, props: WebhookNotificationsProps) {
    super(scope, id);
    props.webhooks.forEach((webhook, i) => {
      const hookScope = new Construct(this, `Webhook${i}`);
      const url = webhook.url ?? (webhook.kind === 'slack' ? SLACK_POST_MESSAGE_URL : undefined);
      if (!url?.startsWith('https://')) throw new Error(`notifications.webhooks[${i}]: a ${webhook.kind} webhook needs its https:// url.`);
      if (webhook.kind === 'teams' && /[?&]sig=/.test(url)) {
        throw new Error(`notifications.webhooks[${i}]: give the Teams URL without its sig parameter (the secret holds sig), so the secret is not in the template.`);
      }
      if (webhook.kind === 'slack' && !webhook.channel) throw new Error(`notifications.webhooks[${i}]: a Slack notification needs the channel to post to.`);
      const secret = secretValue(webhook.webhookSecret, webhook.secretField);
      const connection = new Connection(hookScope, 'Connection', {
        description: `acmeflow: ${webhook.kind} notifications`,
        ...(webhook.kind === 'teams'
          ? { authorization: Authorization.apiKey('X-Acmeflow-Source', SecretValue.unsafePlainText('acmeflow')), queryStringParameters: { sig: HttpParameter.fromSecret(secret) } }
          : { authorization: Authorization.apiKey(webhook.kind === 'slack' ? 'Authorization' : (webhook.header ?? 'Authorization'), secret) }),
      });
      const destination = new ApiDestination(hookScope, 'Destination', {
        description: `acmeflow: ${webhook.kind} notifications`,
        connection,
        endpoint: url,
        httpMethod: HttpMethod.POST,
        // Chat services throttle bursts (Slack: about one message per second per channel).
        rateLimitPerSecond: 1,
      });
      const rules: Rule[] = [];
      for (const detailType of webhook.events ?? DEFAULT_WEBHOOK_EVENTS) {
        const name = detailType.replaceAll(' ', '');
        rules.push(
          new Rule(hookScope, name, {
            description: `acmeflow: ${detailType} to ${webhook.kind}`,
            eventBus: props.eventBus,
            eventPattern: acmeflowEventPattern(detailType, webhook.lineages),
            targets: [new ApiDestinationTarget(destination, { event: webhookMessage(webhook.kind, detailType, webhook.channel ? { channel: webhook.channel } : {}) })],
          }),
        );
      }
      this.rules.push(...rules);
      this.rulesByWebhook.push(rules);
      this.connections.push(connection);
      this.destinations.push(destination);
    });
  }
}

/** A `{{resolve:secretsmanager:...}}` reference, never the value. */
function secretValue(secret: ISecret | string, jsonField?: string): SecretValue {
  if (typeof secret === 'string') return SecretValue.secretsManager(secret, jsonField ? { jsonField } : {});
  return jsonField ? secret.secretValueFromJson(jsonField) : secret.secretValue;
}
