import { describe, expect, it } from 'vitest';
import { batchEntries, PUT_EVENTS_MAX_BYTES, PUT_EVENTS_MAX_ENTRIES, putEventsEntrySize } from '../../../../shared/events/eventbridge/index.js';

describe('putEventsEntrySize', () => {
  it('counts UTF-8 bytes of Source, DetailType, Detail and Resources, and 14 for Time', () => {
    expect(putEventsEntrySize({ Source: 'acmeflow', DetailType: 'Certificate Revoked', Detail: '{}' })).toBe(8 + 19 + 2);
    expect(putEventsEntrySize({ Source: 'acmeflow', DetailType: 'x', Detail: '{"ja":"証明書"}', Time: new Date(0), Resources: ['arn:a', 'arn:bb'] })).toBe(
      8 + 1 + (7 + 9 + 2) + 14 + 5 + 6, // `{"ja":"` + three 3-byte characters + `"}`
    );
  });

  it('leaves EventBusName out of the count', () => {
    expect(putEventsEntrySize({ Source: 's', DetailType: 'd', Detail: '{}', EventBusName: 'a-long-bus-name' })).toBe(4);
  });
});

describe('batchEntries', () => {
  it('limits batches to 10 entries and 256 KB, keeping order', () => {
    expect(PUT_EVENTS_MAX_ENTRIES).toBe(10);
    expect(PUT_EVENTS_MAX_BYTES).toBe(262_144);
    const sizes = [100_000, 100_000, 62_144, 1, 200_000, 70_000];
    expect(batchEntries(sizes, (s) => s)).toEqual([[100_000, 100_000, 62_144], [1, 200_000], [70_000]]);
    expect(batchEntries(Array.from({ length: 21 }, (_, i) => i), () => 1).map((b) => b.length)).toEqual([10, 10, 1]);
  });

  it('gives an oversized item a batch of its own and returns no batch for no items', () => {
    expect(batchEntries([1, 300_000, 1], (s) => s)).toEqual([[1], [300_000], [1]]);
    expect(batchEntries([], () => 1)).toEqual([]);
  });
});
