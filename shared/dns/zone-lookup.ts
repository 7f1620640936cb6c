/**
 * What every API-based provider does to find the zone of a record name: try the name, then each
 * parent, most specific first (the longest-suffix match), and remember the answer per name.
 */

/**
 * Candidate zone names for a record name, most specific first.
 *
 * @example
 * zoneCandidates('_acme-challenge.www.example.com') // ['_acme-challenge.www.example.com', 'www.example.com', 'example.com', 'com']
 * zoneCandidates('a.example.com', { withTopLevel: false }) // ['a.example.com', 'example.com']
 */
export function zoneCandidates(name: string, options: { withTopLevel?: boolean } = {}): string[] {
  const labels = name.split('.');
  const last = options.withTopLevel === false ? labels.length - 1 : labels.length;
  const out: string[] = [];
  for (let i = 0; i < last; i++) out.push(labels.slice(i).join('.'));
  return out;
}

/**
 * One lookup per key at a time and afterwards: a failed lookup is forgotten so the next call
 * tries again (a transient API error must not stick).
 */
export function cachedLookup<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
  let lookup = cache.get(key);
  if (!lookup) {
    lookup = load();
    cache.set(key, lookup);
    lookup.catch(() => cache.delete(key));
  }
  return lookup;
}
