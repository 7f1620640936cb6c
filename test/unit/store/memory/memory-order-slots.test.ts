/**
 * The order-slot port's rules (shared/store/order-slots.ts) on the memory adapter: at most
 * `capacity` holders, never waiting, release only by the holder, expired leases taken over.
 */
import { describe, expect, it } from 'vitest';
import { MemoryOrderSlots, slotOrder } from '../../../../shared/store/index.js';

describe('MemoryOrderSlots', () => {
  it('gives out at most capacity slots, then undefined; a release frees one for the next owner', async () => {
    const slots = new MemoryOrderSlots(2);
    const a = await slots.acquire({ owner: 'run-a', leaseSeconds: 60 });
    const b = await slots.acquire({ owner: 'run-b', leaseSeconds: 60 });
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(new Set([a?.slot, b?.slot])).toEqual(new Set([0, 1]));
    await expect(slots.acquire({ owner: 'run-c', leaseSeconds: 60 })).resolves.toBeUndefined();
    await slots.release(a!);
    const c = await slots.acquire({ owner: 'run-c', leaseSeconds: 60 });
    expect(c?.slot).toBe(a?.slot);
    expect(slots.inUse()).toBe(2);
  });

  it('ignores a release by a handle that no longer holds its slot', async () => {
    let now = new Date('2026-03-01T00:00:00Z');
    const slots = new MemoryOrderSlots(1, () => now);
    const old = (await slots.acquire({ owner: 'crashed', leaseSeconds: 60 }))!;
    now = new Date(now.getTime() + 61_000);
    const taken = (await slots.acquire({ owner: 'next', leaseSeconds: 60 }))!;
    expect(taken.slot).toBe(old.slot);
    await slots.release(old);
    await expect(slots.acquire({ owner: 'third', leaseSeconds: 60 })).resolves.toBeUndefined();
    await slots.release(taken);
    await expect(slots.acquire({ owner: 'third', leaseSeconds: 60 })).resolves.toMatchObject({ owner: 'third' });
  });

  it('holds the cap when many owners race', async () => {
    const slots = new MemoryOrderSlots(3);
    const got = await Promise.all(Array.from({ length: 20 }, (_, i) => slots.acquire({ owner: `run-${i}`, leaseSeconds: 60 })));
    expect(got.filter(Boolean)).toHaveLength(3);
  });

  it('refuses a capacity below one', () => {
    expect(() => new MemoryOrderSlots(0)).toThrow(/capacity of at least 1/);
  });
});

describe('slotOrder', () => {
  it('visits every slot once, starting where the owner name points', () => {
    const order = slotOrder('sweep-1-example.com', 5);
    expect([...order].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(slotOrder('sweep-1-example.com', 5)).toEqual(order);
    const starts = new Set(Array.from({ length: 50 }, (_, i) => slotOrder(`run-${i}`, 5)[0]));
    expect(starts.size).toBeGreaterThan(1);
  });
});
