import { describe, expect, it } from 'vitest';
import { challengeRecord } from '../../../shared/dns/challenge-record.js';
import { delegateRecords, resolveDelegation, type CnameResolver } from '../../../shared/dns/delegation.js';

function dnsError(code: string): Error {
  return Object.assign(new Error(`queryCname ${code}`), { code });
}

/** A resolver answering from a table; names without an entry have no CNAME (ENODATA). */
function fakeResolver(cnames: Record<string, string | Error>): CnameResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async resolveCname(name) {
      asked.push(name);
      const target = cnames[name];
      if (target === undefined) throw dnsError('ENODATA');
      if (target instanceof Error) throw target;
      return [target];
    },
  };
}

describe('resolveDelegation', () => {
  it('returns the name itself when there is no CNAME', async () => {
    const resolver = fakeResolver({});
    await expect(resolveDelegation('example.com', { resolver })).resolves.toEqual({
      name: '_acme-challenge.example.com',
      effectiveName: '_acme-challenge.example.com',
      chain: [],
    });
    expect(resolver.asked).toEqual(['_acme-challenge.example.com']);
  });

  it('treats NXDOMAIN (ENOTFOUND) as no CNAME', async () => {
    const resolver: CnameResolver = { resolveCname: async () => Promise.reject(dnsError('ENOTFOUND')) };
    await expect(resolveDelegation('example.com', { resolver })).resolves.toMatchObject({ chain: [] });
  });

  it('treats a refusal (EREFUSED: a server asked about a name outside its zones) as no CNAME', async () => {
    const resolver: CnameResolver = { resolveCname: async () => Promise.reject(dnsError('EREFUSED')) };
    await expect(resolveDelegation('example.com', { resolver })).resolves.toMatchObject({ effectiveName: '_acme-challenge.example.com', chain: [] });
  });

  it('follows a chain of CNAMEs to its end, for wildcards too', async () => {
    const resolver = fakeResolver({
      '_acme-challenge.example.com': 'example.com.validation.example.net.',
      'example.com.validation.example.net': 'X1.Auth.acme-dns.test',
    });
    await expect(resolveDelegation('*.example.com', { resolver })).resolves.toEqual({
      name: '_acme-challenge.example.com',
      effectiveName: 'x1.auth.acme-dns.test',
      chain: ['example.com.validation.example.net', 'x1.auth.acme-dns.test'],
    });
  });

  it('detects a loop', async () => {
    const resolver = fakeResolver({ '_acme-challenge.example.com': 'a.example.net', 'a.example.net': '_acme-challenge.example.com' });
    const error = await resolveDelegation('example.com', { resolver }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DnsDelegationLoopError', record: '_acme-challenge.example.com', chain: ['a.example.net', '_acme-challenge.example.com'] });
    expect((error as Error).message).toMatch(/loops.*Fix:/);
  });

  it('detects a CNAME to itself', async () => {
    const resolver = fakeResolver({ '_acme-challenge.example.com': '_acme-challenge.example.com' });
    await expect(resolveDelegation('example.com', { resolver })).rejects.toMatchObject({ name: 'DnsDelegationLoopError' });
  });

  it('stops after 8 links', async () => {
    const table: Record<string, string> = { '_acme-challenge.example.com': 'n1.example.net' };
    for (let index = 1; index <= 20; index += 1) table[`n${index}.example.net`] = `n${index + 1}.example.net`;
    const error = await resolveDelegation('example.com', { resolver: fakeResolver(table) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'DnsDelegationDepthError', maxDepth: 8 });
    expect((error as { chain: string[] }).chain).toHaveLength(9);

    // exactly 8 links is fine
    const eight: Record<string, string> = { '_acme-challenge.example.com': 'n1.example.net' };
    for (let index = 1; index < 8; index += 1) eight[`n${index}.example.net`] = `n${index + 1}.example.net`;
    await expect(resolveDelegation('example.com', { resolver: fakeResolver(eight) })).resolves.toMatchObject({ effectiveName: 'n8.example.net' });
  });

  it('lets an explicit override win without any lookup', async () => {
    const resolver = fakeResolver({ '_acme-challenge.example.com': 'elsewhere.example.net' });
    const overrides = { 'Example.com': { delegateTo: 'd420c923.auth.acme-dns.test.' } };
    await expect(resolveDelegation('*.example.com', { resolver, overrides })).resolves.toEqual({
      name: '_acme-challenge.example.com',
      effectiveName: 'd420c923.auth.acme-dns.test',
      chain: ['d420c923.auth.acme-dns.test'],
    });
    expect(resolver.asked).toEqual([]);
  });

  it('turns other lookup failures into a typed error naming the record', async () => {
    const resolver = fakeResolver({ '_acme-challenge.example.com': dnsError('ESERVFAIL') });
    await expect(resolveDelegation('example.com', { resolver })).rejects.toMatchObject({
      name: 'DnsDelegationLookupError',
      record: '_acme-challenge.example.com',
      message: expect.stringContaining('ESERVFAIL'),
    });
  });
});

describe('delegateRecords', () => {
  it('fills effectiveName, looking each name up once', async () => {
    const resolver = fakeResolver({ '_acme-challenge.example.com': 'x.acme-dns.test' });
    const records = [challengeRecord('*.example.com', 'a.b'), challengeRecord('example.com', 'c.d'), challengeRecord('www.example.com', 'e.f')];
    const delegated = await delegateRecords(records, { resolver });
    expect(delegated.map((record) => record.effectiveName)).toEqual(['x.acme-dns.test', 'x.acme-dns.test', '_acme-challenge.www.example.com']);
    expect(delegated.map((record) => record.value)).toEqual(records.map((record) => record.value));
    expect(resolver.asked.filter((name) => name === '_acme-challenge.example.com')).toHaveLength(1);
  });
});
