import type { EventDetail, EventPublisher } from '../events.js';
// The file, not the folder's index: the index also loads the AWS SDK, which the local engine never needs.
import { checkEvent } from '../eventbridge/check-event.js';
import { deployableEvent } from './deployable-event.js';
import { HookFailedError, type HookFailure } from './hook-failed-error.js';

/** What the queue is built with. */
export interface DeployDelayQueueDeps {
  /** Receives the `Certificate Deployable` events when they are due (the local engine's hooks publisher). */
  readonly publisher: EventPublisher;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

interface Scheduled {
  readonly dueAt: number;
  readonly seq: number;
  readonly issued: EventDetail<'Certificate Issued'>;
}

const sleepWithTimeout = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The local engine's deploy delay: `Certificate Deployable` is published `deployDelaySeconds` after
 * the certificate was issued. The operator manual's CA updates its OCSP responder up to ten minutes
 * after issuance, and a server that switches to the new certificate sooner can fail browsers' OCSP
 * checks; on AWS the delay is a Wait state of the state machine, locally it is this queue. The
 * publishers themselves never wait.
 *
 * Each delay counts from the certificate's own issuance, not from {@link drain}: a run renewing
 * several lineages waits about one delay in all, where certbot users put `sleep 10m` in the
 * deploy-hook and wait ten minutes per lineage.
 *
 * The queue lives in memory: if the process ends before a certificate is due, its deploy-hook does
 * not run (as with certbot's `sleep` in the hook); the certificate itself is stored already.
 *
 * @example
 * ```ts
 * const delays = new DeployDelayQueue({ publisher: hooks });
 * await events.publish([{ detailType: 'Certificate Issued', detail: issued }]);
 * delays.add(issued);   // due issued.deployDelaySeconds from now
 * // ... renew the other lineages ...
 * await delays.drain(); // publishes each Certificate Deployable when due
 * ```
 */
export class DeployDelayQueue {
  readonly #publisher: EventPublisher;
  readonly #now: () => Date;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #scheduled: Scheduled[] = [];
  #seq = 0;

  constructor(deps: DeployDelayQueueDeps) {
    this.#publisher = deps.publisher;
    this.#now = deps.now ?? (() => new Date());
    this.#sleep = deps.sleep ?? sleepWithTimeout;
  }

  /**
   * Schedules the `Certificate Deployable` event of an issued certificate, due `deployDelaySeconds`
   * after `issuedAt` (by default: now, the moment the engine stored it). Checks the event at once
   * (`InvalidEventError`, `EventContainsSecretError`), so a wrong one fails in the step that built it.
   */
  add(issued: EventDetail<'Certificate Issued'>, issuedAt: Date = this.#now()): void {
    const checked = checkEvent({ detailType: 'Certificate Issued', detail: issued });
    const detail = checked.detail as EventDetail<'Certificate Issued'>;
    this.#scheduled.push({ dueAt: issuedAt.getTime() + detail.deployDelaySeconds * 1000, seq: this.#seq++, issued: detail });
  }

  /** How many certificates are waiting for their delay. */
  get pending(): number {
    return this.#scheduled.length;
  }

  /**
   * Waits until each scheduled certificate is due and publishes its `Certificate Deployable`
   * event then, earliest first (those due together in one call); resolves when none is left. A failed
   * publish does not hold back the others: once all were published, it rejects with the failure —
   * one `HookFailedError` listing every failed hook when all failures are hook failures, the error
   * itself when there is one, else an `AggregateError`.
   */
  async drain(): Promise<void> {
    const errors: unknown[] = [];
    // Trust the sleep: after sleeping until a due time, that time counts as reached even when the
    // clock reads a little earlier (timers may fire early; an injected clock may not move at all).
    let reached = Number.NEGATIVE_INFINITY;
    while (this.#scheduled.length > 0) {
      const now = Math.max(this.#now().getTime(), reached);
      this.#scheduled.sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq);
      const due = this.#scheduled.filter((s) => s.dueAt <= now);
      if (due.length === 0) {
        const next = this.#scheduled[0]?.dueAt ?? now;
        await this.#sleep(next - now);
        reached = next;
        continue;
      }
      this.#scheduled.splice(0, due.length);
      try {
        await this.#publisher.publish(due.map((s) => deployableEvent(s.issued)));
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 0) return;
    if (errors.length === 1) throw errors[0];
    if (errors.every((error) => error instanceof HookFailedError)) {
      const [first, ...rest] = errors.flatMap((error) => (error as HookFailedError).failures) as HookFailure[];
      if (first) throw new HookFailedError([first, ...rest]);
    }
    throw new AggregateError(errors, `${errors.length} publishes of Certificate Deployable events failed`);
  }
}
