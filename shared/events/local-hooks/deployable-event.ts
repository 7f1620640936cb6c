import type { AcmeflowEvent, EventDetail } from '../events.js';

/**
 * The `Certificate Deployable` event announcing the certificate a `Certificate Issued` event
 * announced: the same facts, without the delay (which has passed by the time it is published).
 *
 * @example
 * ```ts
 * await events.publish([deployableEvent(issued)]);
 * ```
 */
export function deployableEvent(issued: EventDetail<'Certificate Issued'>): Extract<AcmeflowEvent, { detailType: 'Certificate Deployable' }> {
  const { deployDelaySeconds: _delay, ...facts } = issued;
  return { detailType: 'Certificate Deployable', detail: facts };
}
