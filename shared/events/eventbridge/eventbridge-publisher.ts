import {
  EventBridgeClient,
  PutEventsCommand,
  type EventBridgeClientConfig,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, EventPublishError, type AcmeflowEvent, type EventPublisher, type FailedEvent } from '../events.js';
import { checkEvent } from './check-event.js';
import { EventTooLargeError } from './errors.js';
import { batchEntries, PUT_EVENTS_MAX_BYTES, putEventsEntrySize } from './put-events-limits.js';

/** Where and how hard the publisher delivers. */
export interface EventBridgePublisherOptions {
  /** Name or ARN of the event bus. @default the account's default bus (`EventBusName` is left out) */
  readonly eventBusName?: string;
  /** Tries of each entry, the first one included; a throttled call counts as a try of its entries. @default 4 */
  readonly maxAttempts?: number;
  /** Back-off before the first retry; doubles at each retry. @default 200 */
  readonly baseDelayMs?: number;
  /** Cap of one back-off. @default 3000 */
  readonly maxDelayMs?: number;
}

/** What the publisher is built with; everything has a working default. */
export interface EventBridgePublisherDeps {
  /** A ready client, used as it is (its own retry settings apply on top of the publisher's). */
  readonly client?: EventBridgeClient;
  /**
   * Configuration of the client the publisher builds when `client` is absent (endpoint, region, credentials).
   * @default { maxAttempts: 1 }: the publisher retries per entry itself, which the SDK cannot do
   */
  readonly clientConfig?: EventBridgeClientConfig;
  /** Waits between tries. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
}

interface Pending {
  readonly index: number;
  readonly detailType: string;
  readonly entry: PutEventsRequestEntry;
}

// The PutEventsResultEntry error codes the API reference lists as non-retryable: the same entry
// would fail the same way. Any other code (InternalFailure, ThrottlingException, one added later)
// is retried, since a duplicate is allowed by the port and a lost event is not.
const PERMANENT_ENTRY_ERRORS = new Set([
  'AccessDeniedException',
  'InvalidAccountIdException',
  'InvalidArgument',
  'MalformedDetail',
  'RedactionFailure',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
]);

const TRANSIENT_CALL_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'InternalException',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

const sleepWithTimeout = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a failed PutEvents call is worth another try: throttling, a 5xx, or no answer at all. */
function isTransientCallError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const sdk = error as { $fault?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (TRANSIENT_CALL_ERRORS.has(error.name) || sdk.$retryable !== undefined) return true;
  const status = sdk.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  // No service fault and no status: the request never got an answer (connection reset, DNS, timeout).
  // EventBridge may have taken it; sending again can duplicate, which consumers tolerate.
  return sdk.$fault === undefined;
}

/**
 * Publishes acmeflow's events to Amazon EventBridge (source `acmeflow`) with PutEvents.
 *
 * - Every event is checked first ({@link checkEvent}: no key material, valid against its schema) and
 *   sized; `InvalidEventError`, `EventContainsSecretError` or {@link EventTooLargeError} is thrown
 *   before anything is sent, because a half-sent list is harder to reason about than a refused one.
 * - Entries go in order, in batches of at most 10 entries and 256 KB, one call at a time.
 * - PutEvents accepts some entries and fails others (`FailedEntryCount` > 0). Only the failed entries
 *   are sent again, with jittered exponential back-off, up to `maxAttempts` tries per entry; entries
 *   failing with a code the API documents as permanent (`MalformedDetail`, `AccessDeniedException`, ...)
 *   are not retried. A throttled or 5xx call is retried the same way; any other call error fails the
 *   batch at once. Each batch is tried independently, so one bad batch does not hold back the others.
 * - When anything is left undelivered, `EventPublishError` lists each such event (`index` in the given
 *   array, detail-type, last error code and message), with the last call error as `cause`.
 *
 * @example
 * ```ts
 * const events = new EventBridgePublisher({ eventBusName: 'acmeflow' });
 * await events.publish([{ detailType: 'Renewal Sweep Completed', detail: { attempted: 0, renewed: [], failed: [], skipped: 3, dryRun: false } }]);
 * ```
 */
export class EventBridgePublisher implements EventPublisher {
  readonly #client: EventBridgeClient;
  readonly #eventBusName: string | undefined;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(options: EventBridgePublisherOptions = {}, deps: EventBridgePublisherDeps = {}) {
    this.#client = deps.client ?? new EventBridgeClient({ maxAttempts: 1, ...deps.clientConfig });
    this.#eventBusName = options.eventBusName;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.#baseDelayMs = options.baseDelayMs ?? 200;
    this.#maxDelayMs = options.maxDelayMs ?? 3_000;
    this.#sleep = deps.sleep ?? sleepWithTimeout;
    this.#random = deps.random ?? Math.random;
  }

  async publish(events: readonly AcmeflowEvent[]): Promise<void> {
    const pending = events.map((event, index): Pending => {
      const checked = checkEvent(event, index);
      const entry: PutEventsRequestEntry = {
        Source: EVENT_SOURCE,
        DetailType: checked.detailType,
        Detail: JSON.stringify(checked.detail),
        ...(this.#eventBusName === undefined ? {} : { EventBusName: this.#eventBusName }),
      };
      const size = putEventsEntrySize(entry);
      if (size > PUT_EVENTS_MAX_BYTES) throw new EventTooLargeError(checked.detailType, index, size, PUT_EVENTS_MAX_BYTES);
      return { index, detailType: checked.detailType, entry };
    });

    const failed: FailedEvent[] = [];
    let cause: unknown;
    for (const batch of batchEntries(pending, (p) => putEventsEntrySize(p.entry))) {
      const outcome = await this.#sendBatch(batch);
      failed.push(...outcome.failed);
      cause = outcome.cause ?? cause;
    }
    if (failed.length > 0) {
      throw new EventPublishError(
        failed.sort((a, b) => (a.index ?? 0) - (b.index ?? 0)),
        cause === undefined ? {} : { cause },
      );
    }
  }

  /** Sends one batch until every entry is delivered, failed for good, or out of tries. */
  async #sendBatch(batch: readonly Pending[]): Promise<{ failed: FailedEvent[]; cause?: unknown }> {
    const failed: FailedEvent[] = [];
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.#maxAttempts;
      let results: readonly (PutEventsResultEntry | undefined)[];
      try {
        const output = await this.#client.send(new PutEventsCommand({ Entries: pending.map((p) => p.entry) }));
        // Without a failure count every entry was taken; an SDK mock answering `{}` means the same.
        if ((output.FailedEntryCount ?? 0) === 0) return { failed };
        // Result i answers entry i (API reference). A short list cannot be matched: treat the
        // entries without a result as failed, so they are retried rather than lost.
        results = pending.map((_, i) => output.Entries?.[i]);
      } catch (error) {
        if (last || !isTransientCallError(error)) {
          const code = error instanceof Error ? error.name : 'Error';
          const message = error instanceof Error ? error.message : String(error);
          failed.push(...pending.map((p) => this.#failure(p, code, message)));
          return { failed, cause: error };
        }
        await this.#sleep(this.#delay(attempt));
        continue;
      }

      const retry: Pending[] = [];
      pending.forEach((p, i) => {
        const result = results[i];
        if (result !== undefined && result.ErrorCode === undefined) return;
        const code = result?.ErrorCode ?? 'MissingResult';
        const message = result?.ErrorMessage ?? (result === undefined ? 'PutEvents returned no result for this entry' : '');
        if (last || PERMANENT_ENTRY_ERRORS.has(code)) failed.push(this.#failure(p, code, message));
        else retry.push(p);
      });
      if (retry.length === 0) return { failed };
      pending = retry;
      await this.#sleep(this.#delay(attempt));
    }
  }

  #failure(p: Pending, errorCode: string, errorMessage: string): FailedEvent {
    return { index: p.index, detailType: p.detailType, errorCode, errorMessage };
  }

  /** Back-off after the `attempt`-th try: exponential, capped, with jitter in [50 %, 100 %] so that several publishers drift apart. */
  #delay(attempt: number): number {
    const ceiling = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (attempt - 1));
    return Math.round(ceiling * (0.5 + this.#random() / 2));
  }
}
