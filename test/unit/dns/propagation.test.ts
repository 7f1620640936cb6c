import { afterEach, describe, expect, it } from 'vitest';
import type { NameserverResolver } from '../../../shared/dns/nameservers.js';
import { checkPropagation } from '../../../shared/dns/propagation.js';
import { startFakeDnsServer, soa, txt, type FakeDnsHandler, type FakeDnsServer } from './support/fake-dns-server.js';

const NAME = '_acme-challenge.example.test';
const OTHER = '_acme-challenge.www.example.test';
const V1 = 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';
const V2 = 'gfj9Xq9aY3ZPW8bFLxw1aQ1ZRZ6_kOWGQ1cVgU2YVYw';
const V3 = 'wildcard-and-apex-share-a-name-0123456789ab';

const servers: FakeDnsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(handler: FakeDnsHandler, options: { host?: string; port?: number } = {}): Promise<FakeDnsServer> {
  const server = await startFakeDnsServer(handler, options);
  servers.push(server);
  return server;
}

/** An authoritative server for example.test holding the given TXT values. */
function zone(values: Record<string, string[]>): FakeDnsHandler {
  return (query) => {
    const question = query.questions![0]!;
    const name = question.name.toLowerCase();
    if (question.type === 'TXT' && values[name] !== undefined) {
      return { answers: values[name]!.map((value) => txt(name, value)) };
    }
    if (name === NAME || name === OTHER || name === 'example.test') return { authorities: [soa('example.test')] }; // NODATA
    return { rcode: 3, authorities: [soa('example.test')] }; // NXDOMAIN
  };
}

describe('checkPropagation with explicit resolvers', () => {
  it('is ready when every value is on every server', async () => {
    const a = await serve(zone({ [NAME]: [V1, V2, 'foreign'], [OTHER]: [V3] }));
    const b = await serve(zone({ [NAME]: [V2, V1], [OTHER]: [V3] }));
    const report = await checkPropagation(
      [{ name: NAME, values: [V1, V2] }, { name: OTHER, values: [V3] }],
      { resolvers: [a.server, b.server] },
    );
    expect(report).toEqual({ ready: true, missing: [], checkedServers: [a.server, b.server].sort() });
    // authoritative servers are asked without recursion
    expect([...a.received, ...b.received].every((entry) => entry.query.flag_rd === false)).toBe(true);
  });

  it('reports each value missing per server', async () => {
    const a = await serve(zone({ [NAME]: [V1] }));
    const b = await serve(zone({}));
    const report = await checkPropagation([{ name: NAME, values: [V1, V2] }], { resolvers: [a.server, b.server] });
    expect(report.ready).toBe(false);
    expect(report.missing).toEqual(
      expect.arrayContaining([
        { name: NAME, value: V2, server: a.server, reason: 'absent' },
        { name: NAME, value: V1, server: b.server, reason: 'absent' },
        { name: NAME, value: V2, server: b.server, reason: 'absent' },
      ]),
    );
    expect(report.missing).toHaveLength(3);
  });

  it('treats NXDOMAIN as absent and joins TXT character-strings', async () => {
    const long = 'x'.repeat(300);
    const server = await serve((query) => {
      const name = query.questions![0]!.name;
      return name === NAME ? { answers: [txt(NAME, long.slice(0, 255), long.slice(255))] } : { rcode: 3 };
    });
    const report = await checkPropagation([{ name: NAME, values: [long] }, { name: OTHER, values: [V1] }], { resolvers: [server.server] });
    expect(report.missing).toEqual([{ name: OTHER, value: V1, server: server.server, reason: 'absent' }]);
  });

  it('reports a silent server as timeout and a failing one as servfail/refused, all in parallel', async () => {
    const good = await serve(zone({ [NAME]: [V1] }));
    const silent = await serve(() => 'drop');
    const silent2 = await serve(() => 'drop');
    const servfail = await serve(() => ({ rcode: 2, aa: false }));
    const refused = await serve(() => ({ rcode: 5, aa: false }));
    const started = Date.now();
    const report = await checkPropagation([{ name: NAME, values: [V1] }], {
      resolvers: [good.server, silent.server, silent2.server, servfail.server, refused.server],
      timeoutMs: 300,
    });
    const elapsed = Date.now() - started;
    expect(report.ready).toBe(false);
    expect(report.missing).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: NAME, server: silent.server, reason: 'timeout' }),
        expect.objectContaining({ name: NAME, server: silent2.server, reason: 'timeout' }),
        expect.objectContaining({ name: NAME, server: servfail.server, reason: 'servfail' }),
        expect.objectContaining({ name: NAME, server: refused.server, reason: 'refused' }),
      ]),
    );
    expect(report.missing).toHaveLength(4);
    expect(report.missing.every((miss) => miss.value === undefined)).toBe(true);
    // two silent servers cost one timeout, not two: queries run in parallel
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(550);
  });

  it('is not ready when no server was asked', async () => {
    await expect(checkPropagation([{ name: NAME, values: [V1] }], { resolvers: [] })).resolves.toEqual({ ready: false, missing: [], checkedServers: [] });
    await expect(checkPropagation([], { resolvers: [] })).resolves.toMatchObject({ ready: true });
  });

  it('does not count a referral as an answer', async () => {
    const server = await serve(() => ({ aa: false, authorities: [{ type: 'NS', name: 'example.test', ttl: 60, class: 'IN', data: 'ns.elsewhere.test' }] }));
    const report = await checkPropagation([{ name: NAME, values: [V1] }], { resolvers: [server.server] });
    expect(report.missing).toEqual([expect.objectContaining({ server: server.server, reason: 'error', detail: expect.stringContaining('referral') })]);
  });

  it('answers within a few milliseconds when everything is there (no fixed wait)', async () => {
    const server = await serve(zone({ [NAME]: [V1] }));
    const started = performance.now();
    const report = await checkPropagation([{ name: NAME, values: [V1] }], { resolvers: [server.server] });
    expect(report.ready).toBe(true);
    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe('checkPropagation with discovery', () => {
  function fakeResolver(nameservers: Record<string, string[]>, addresses: Record<string, string[]>): NameserverResolver & { asked: string[] } {
    const asked: string[] = [];
    const lookup = (table: Record<string, string[]>) => async (name: string) => {
      asked.push(name);
      const found = table[name];
      if (found === undefined) throw Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      return found;
    };
    return { asked, resolveNs: lookup(nameservers), resolve4: lookup(addresses), resolve6: lookup({}) };
  }

  it('walks up to the zone, resolves its nameservers and asks each of them', async () => {
    const ns1 = await serve(zone({ [NAME]: [V1] }), { host: '127.0.0.1' });
    const ns2 = await serve(zone({}), { host: '127.0.0.2', port: ns1.port });
    const resolver = fakeResolver(
      { 'example.test': ['ns1.example.test', 'NS2.example.test.'] },
      { 'ns1.example.test': ['127.0.0.1'], 'ns2.example.test': ['127.0.0.2'] },
    );
    const report = await checkPropagation([{ name: NAME, values: [V1] }], { resolver, port: ns1.port });
    expect(resolver.asked.slice(0, 2)).toEqual([NAME, 'example.test']);
    expect(report.checkedServers).toEqual([`127.0.0.1:${ns1.port}`, `127.0.0.2:${ns1.port}`]);
    expect(report.missing).toEqual([{ name: NAME, value: V1, server: `127.0.0.2:${ns2.port}`, reason: 'absent' }]);
  });

  it('asks each discovery question once for several records of one zone', async () => {
    const ns1 = await serve(zone({ [NAME]: [V1], [OTHER]: [V2] }));
    const resolver = fakeResolver({ 'example.test': ['ns1.example.test'] }, { 'ns1.example.test': ['127.0.0.1'] });
    const report = await checkPropagation([{ name: NAME, values: [V1] }, { name: OTHER, values: [V2] }], { resolver, port: ns1.port });
    expect(report.ready).toBe(true);
    expect(resolver.asked.filter((name) => name === 'example.test')).toHaveLength(1);
    expect(resolver.asked.filter((name) => name === 'ns1.example.test')).toHaveLength(1);
  });

  it('reports a failed discovery instead of throwing', async () => {
    const resolver: NameserverResolver = {
      resolveNs: async () => Promise.reject(Object.assign(new Error('queryNs ESERVFAIL'), { code: 'ESERVFAIL' })),
      resolve4: async () => [],
      resolve6: async () => [],
    };
    const report = await checkPropagation([{ name: NAME, values: [V1] }], { resolver });
    expect(report).toEqual({
      ready: false,
      checkedServers: [],
      missing: [{ name: NAME, server: 'discovery', reason: 'servfail', detail: expect.stringContaining('ESERVFAIL') }],
    });
  });

  it('reports a name without any zone', async () => {
    const report = await checkPropagation([{ name: NAME, values: [V1] }], { resolver: fakeResolver({}, {}) });
    expect(report.missing).toEqual([expect.objectContaining({ server: 'discovery', reason: 'error', detail: expect.stringContaining('no zone found') })]);
  });
});
