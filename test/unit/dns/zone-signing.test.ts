import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { findZoneSigning, type DnsTransport } from '../../../shared/dns/index.js';

/** A resolver that knows one zone: `example.jp`, with DNSKEY and DS as given. */
function resolver(zone: { dnskey: boolean; ds: boolean }, seen: { name: string; type: string; cd: boolean }[] = []): DnsTransport {
  return {
    async exchange(_server, message) {
      const query = dnsPacket.decode(Buffer.from(message));
      const q = query.questions![0]!;
      seen.push({ name: q.name, type: q.type, cd: ((query.flags ?? 0) & dnsPacket.CHECKING_DISABLED) !== 0 });
      const apex = q.name === 'example.jp';
      const soa = { name: 'example.jp', type: 'SOA' as const, ttl: 60, data: { mname: 'ns.example.jp', rname: 'h.example.jp', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 } };
      const answers =
        apex && q.type === 'DNSKEY' && zone.dnskey
          ? [{ name: 'example.jp', type: 'DNSKEY' as const, ttl: 60, data: { flags: 257, algorithm: 13, key: Buffer.alloc(64, 1) } }]
          : apex && q.type === 'DS' && zone.ds
            ? [{ name: 'example.jp', type: 'DS' as const, ttl: 60, data: { keyTag: 1, algorithm: 13, digestType: 2, digest: Buffer.alloc(32, 2) } }]
            : [];
      return dnsPacket.encode({ type: 'response', id: query.id, flags: dnsPacket.RECURSION_DESIRED, questions: query.questions, answers, authorities: answers.length === 0 && q.name.endsWith('example.jp') ? [soa] : [] });
    },
  };
}

describe('findZoneSigning', () => {
  it('finds the zone apex from the name up and reports its DNSKEY and DS, asking with Checking Disabled', async () => {
    const seen: { name: string; type: string; cd: boolean }[] = [];
    expect(await findZoneSigning('*.www.example.jp', { resolvers: ['192.0.2.53'], transport: resolver({ dnskey: true, ds: true }, seen) })).toEqual({ zone: 'example.jp', dnskey: true, ds: true });
    expect(seen.map((s) => `${s.type} ${s.name}`)).toEqual(['DNSKEY www.example.jp', 'DNSKEY example.jp', 'DS example.jp']);
    expect(seen.every((s) => s.cd)).toBe(true);
  });

  it('tells a DS without DNSKEY (a broken chain of trust) and an unsigned zone apart', async () => {
    expect(await findZoneSigning('a.example.jp', { resolvers: ['192.0.2.53'], transport: resolver({ dnskey: false, ds: true }) })).toEqual({ zone: 'example.jp', dnskey: false, ds: true });
    expect(await findZoneSigning('a.example.jp', { resolvers: ['192.0.2.53'], transport: resolver({ dnskey: false, ds: false }) })).toEqual({ zone: 'example.jp', dnskey: false, ds: false });
  });

  it('resolves undefined when no resolver answers', async () => {
    const silent: DnsTransport = { exchange: async () => Promise.reject(Object.assign(new Error('timeout'), { name: 'DnsQueryTimeoutError' })) };
    expect(await findZoneSigning('a.example.jp', { resolvers: ['192.0.2.53', '192.0.2.54'], transport: silent })).toBeUndefined();
  });
});
