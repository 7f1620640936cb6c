import { describe, expect, it } from 'vitest';
import { cachedLookup, zoneCandidates } from '../../../shared/dns/zone-lookup.js';

describe('zoneCandidates', () => {
  it('lists the name and its parents, most specific first', () => {
    expect(zoneCandidates('_acme-challenge.www.example.com')).toEqual(['_acme-challenge.www.example.com', 'www.example.com', 'example.com', 'com']);
    expect(zoneCandidates('a.example.com', { withTopLevel: false })).toEqual(['a.example.com', 'example.com']);
  });
});

describe('cachedLookup', () => {
  it('looks each key up once, and forgets a failed lookup', async () => {
    const cache = new Map<string, Promise<number>>();
    let calls = 0;
    const ok = () => cachedLookup(cache, 'k', async () => ++calls);
    expect(await Promise.all([ok(), ok()])).toEqual([1, 1]);
    expect(calls).toBe(1);
    const failing = cachedLookup(cache, 'bad', async () => {
      throw new Error('transient');
    });
    await expect(failing).rejects.toThrow('transient');
    await Promise.resolve();
    expect(cache.has('bad')).toBe(false);
  });
});
