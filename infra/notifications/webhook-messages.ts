import { EventField, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import type { EventDetailType } from '../../shared/events/events.js';

/** Where a webhook notification goes: each has its own message shape. */
export type WebhookKind = 'slack' | 'teams' | 'webhook';

/** One line of a message: a label and a value taken from the event. */
interface Fact {
  readonly title: string;
  readonly value: string;
}

/** What a person needs to read about one event: a headline and facts, every value an event field. */
interface MessageParts {
  readonly headline: string;
  readonly facts: readonly Fact[];
}

const field = (path: string) => EventField.fromPath(path);
const lineage = () => field('$.detail.lineage');

/**
 * The headline and facts of each acmeflow event, from the fields its schema (shared/events/events.ts)
 * always or usually has. Only scalar fields: an array placed inside a JSON string by the input
 * transformer would not read as text.
 */
const PARTS: Readonly<Record<EventDetailType, () => MessageParts>> = {
  'Certificate Issued': () => ({
    headline: `Certificate issued: ${lineage()} version ${field('$.detail.version')}`,
    facts: [
      { title: 'Expires', value: field('$.detail.notAfter') },
      { title: 'Renewal', value: `${field('$.detail.renewal')}` },
      { title: 'Deployable after (seconds)', value: `${field('$.detail.deployDelaySeconds')}` },
    ],
  }),
  'Certificate Deployable': () => ({
    headline: `Certificate ready to deploy: ${lineage()} version ${field('$.detail.version')}`,
    facts: [
      { title: 'Expires', value: field('$.detail.notAfter') },
      { title: 'Files', value: field('$.detail.location') },
    ],
  }),
  'Certificate Issuance Failed': () => ({
    headline: `Certificate issuance failed: ${lineage()}`,
    facts: [
      { title: 'Step', value: field('$.detail.step') },
      { title: 'Error', value: `${field('$.detail.error.name')}: ${field('$.detail.error.message')}` },
      { title: 'What to do', value: field('$.detail.explanation.en') },
      { title: 'Next attempt not before', value: field('$.detail.retryNotBefore') },
    ],
  }),
  'Certificate Revoked': () => ({
    headline: `Certificate revoked: ${lineage()}`,
    facts: [
      { title: 'Serial', value: field('$.detail.serialHex') },
      { title: 'Reason', value: field('$.detail.reason') },
      { title: 'Revoked at', value: field('$.detail.revokedAt') },
    ],
  }),
  'Renewal Sweep Completed': () => ({
    headline: `Renewal sweep completed: ${field('$.detail.attempted')} attempted, ${field('$.detail.skipped')} skipped`,
    facts: [{ title: 'Unreadable lineages', value: `${field('$.detail.unreadableCount')}` }],
  }),
};

/**
 * The rule target input that turns one acmeflow event into the body the service expects:
 * - `slack`: Slack's `chat.postMessage` body (`channel`, and `text` in Slack's mrkdwn, which
 *   `chat.postMessage` renders by default);
 * - `teams`: a Teams message with one Adaptive Card (a bold headline, then one line per fact), the body
 *   a Teams Workflows webhook ("When a Teams webhook request is received") posts to the channel;
 * - `webhook`: the event itself, `{ source, detailType, id, time, detail }`, for your own receiver.
 *
 * @example
 * ```ts
 * new Rule(this, 'Failed', { eventPattern, targets: [new targets.ApiDestination(destination, { event: webhookMessage('slack', 'Certificate Issuance Failed', { channel: 'C0123' }) })] });
 * ```
 */
export function webhookMessage(kind: WebhookKind, detailType: EventDetailType, options: { channel?: string } = {}): RuleTargetInput {
  if (kind === 'webhook') {
    return RuleTargetInput.fromObject({ source: EventField.source, detailType: EventField.detailType, id: EventField.eventId, time: EventField.time, detail: field('$.detail') });
  }
  const { headline, facts } = PARTS[detailType]();
  if (kind === 'slack') {
    if (!options.channel) throw new Error('A Slack notification needs the channel to post to.');
    return RuleTargetInput.fromObject({
      channel: options.channel,
      text: [`*${headline}*`, ...facts.map((f) => `${f.title}: ${f.value}`)].join('\n'),
    });
  }
  return RuleTargetInput.fromObject({
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text: headline, weight: 'Bolder', size: 'Medium', wrap: true },
            // One text block rather than a FactSet: a fact whose field an event lacks (no explanation, say)
            // stays inside a string, so the card remains valid whatever the transformer inserts.
            { type: 'TextBlock', text: facts.map((f) => `**${f.title}:** ${f.value}`).join('\n\n'), wrap: true },
          ],
        },
      },
    ],
  });
}
