import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/** Entries one PutEvents request may carry. */
export const PUT_EVENTS_MAX_ENTRIES = 10;

/** Bytes one PutEvents request may carry, summed over its entries (see {@link putEventsEntrySize}). */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

const utf8 = (text: string | undefined): number => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));

/**
 * The size EventBridge counts for a PutEvents entry against the 256 KB limit: 14 bytes for `Time`
 * when set, plus the UTF-8 bytes of `Source`, `DetailType`, `Detail` and each `Resources` item
 * (EventBridge user guide, "Calculating PutEvents event entry size"). `EventBusName` does not count.
 * Japanese explanations take three bytes a character, so characters are not a measure.
 *
 * @example
 * ```ts
 * putEventsEntrySize({ Source: 'acmeflow', DetailType: 'Certificate Revoked', Detail: '{}' }); // 8 + 19 + 2 = 29
 * ```
 */
export function putEventsEntrySize(entry: PutEventsRequestEntry): number {
  return (
    (entry.Time === undefined ? 0 : 14) +
    utf8(entry.Source) +
    utf8(entry.DetailType) +
    utf8(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, resource) => sum + utf8(resource), 0)
  );
}

/**
 * Splits items into PutEvents-sized batches, keeping their order: at most `maxEntries` items and
 * `maxBytes` bytes each. An item larger than `maxBytes` on its own gets a batch to itself (callers
 * refuse such items before batching; EventBridge would).
 *
 * @example
 * ```ts
 * batchEntries(entries25, putEventsEntrySize).map((b) => b.length); // [10, 10, 5]
 * ```
 */
export function batchEntries<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  limits: { readonly maxEntries?: number; readonly maxBytes?: number } = {},
): T[][] {
  const maxEntries = limits.maxEntries ?? PUT_EVENTS_MAX_ENTRIES;
  const maxBytes = limits.maxBytes ?? PUT_EVENTS_MAX_BYTES;
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= maxEntries || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
