import type { AcmeflowEvent, EventDetail, EventDetailType, EventPublisher } from '../events.js';
// The file, not the folder's index: the index also loads the AWS SDK, which this publisher never needs.
import { checkEvent } from '../eventbridge/check-event.js';

/**
 * An {@link EventPublisher} that keeps the events in memory, in publish order: the event log of the
 * local engine, and what tests assert on instead of a bus.
 *
 * It is as strict as the EventBridge publisher: each call checks every event first (no key
 * material, valid against its schema) and records nothing when one fails, so a test against it
 * catches an event the real bus would refuse. What it records is the checked event (schema
 * defaults filled in), a copy the caller cannot change afterwards. Publishing never fails otherwise.
 *
 * @example
 * ```ts
 * const events = new MemoryEventPublisher();
 * await runWorkflow({ ...deps, events });
 * expect(events.ofType('Certificate Issued').map((d) => d.lineage)).toEqual(['example.com']);
 * ```
 */
export class MemoryEventPublisher implements EventPublisher {
  readonly #events: AcmeflowEvent[] = [];

  async publish(events: readonly AcmeflowEvent[]): Promise<void> {
    const checked = events.map((event, index) => structuredClone(checkEvent(event, index)));
    this.#events.push(...checked);
  }

  /** Every event published so far, oldest first (a snapshot). */
  get events(): readonly AcmeflowEvent[] {
    return [...this.#events];
  }

  /** The details of the events of one detail-type, oldest first. */
  ofType<T extends EventDetailType>(detailType: T): EventDetail<T>[] {
    return this.#events.filter((event) => event.detailType === detailType).map((event) => event.detail as EventDetail<T>);
  }

  /** Forgets every event (between runs of a long-lived engine, or between test cases). */
  clear(): void {
    this.#events.length = 0;
  }
}
