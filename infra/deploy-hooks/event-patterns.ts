import type { EventPattern } from 'aws-cdk-lib/aws-events';
import { EVENT_SOURCE, type EventDetailType } from '../../shared/events/events.js';

/**
 * The EventBridge pattern of one acmeflow event (source `acmeflow`), optionally for some lineages only.
 *
 * @example
 * ```ts
 * new Rule(stack, 'Deploy', { eventPattern: acmeflowEventPattern('Certificate Deployable', ['example.jp']), targets: [myTarget] });
 * ```
 */
export function acmeflowEventPattern(detailType: EventDetailType, lineages?: readonly string[]): EventPattern {
  return {
    source: [EVENT_SOURCE],
    detailType: [detailType],
    ...(lineages && lineages.length > 0 ? { detail: { lineage: [...lineages] } } : {}),
  };
}
