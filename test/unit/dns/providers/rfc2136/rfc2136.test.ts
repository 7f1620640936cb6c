import { randomBytes } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { DnsQueryTimeoutError } from '../../../../../shared/dns/errors.js';
import { Rfc2136DnsProvider } from '../../../../../shared/dns/providers/rfc2136/rfc2136.js';
import { readTsig, signMessage, verifyMessage, type TsigKey } from '../../../../../shared/dns/providers/rfc2136/tsig.js';
import type { DnsServerAddress } from '../../../../../shared/dns/server-address.js';
import type { DnsTransport } from '../../../../../shared/dns/transport.js';

const KEY: TsigKey = { name: 'acmeflow.', algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') };
const NAME = '_acme-challenge.www.example.test';

interface Exchange {
  readonly server: DnsServerAddress;
  readonly opcode: string;
  readonly packet: dnsPacket.DecodedPacket;
  readonly signed: boolean;
}

type UpdateBehaviour = 'ok' | 'refused' | 'notzone' | 'servfail' | 'badsig' | 'unsigned' | 'timeout';

/**
 * An in-memory primary for example.test: answers SOA queries and TSIG-verified updates, signing its
 * answers with the request MAC as a real server does (RFC 8945 §5.3).
 */
function fakePrimary(behaviour: UpdateBehaviour = 'ok', soaRcode = 0): DnsTransport & { exchanges: Exchange[] } {
  const exchanges: Exchange[] = [];
  return {
    exchanges,
    async exchange(server, message, options) {
      const request = Buffer.from(message);
      const packet = dnsPacket.decode(request);
      const opcode = (packet as unknown as { opcode: string }).opcode;
      const signed = readTsig(request) !== undefined;
      exchanges.push({ server, opcode, packet, signed });
      const base = { type: 'response' as const, id: packet.id ?? 0, questions: packet.questions ?? [] };
      if (opcode === 'QUERY') {
        const zone = {
          type: 'SOA' as const,
          name: 'example.test',
          ttl: 60,
          class: 'IN' as const,
          data: { mname: 'ns1.example.test', rname: 'hostmaster.example.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 1 },
        };
        const response = dnsPacket.encode({ ...base, flags: (1 << 15) | dnsPacket.AUTHORITATIVE_ANSWER | soaRcode, authorities: soaRcode === 0 ? [zone] : [] });
        if (!signed) return response;
        const verified = verifyMessage(request, KEY, undefined);
        if (!verified.ok) throw new Error(`fake primary: query TSIG did not verify: ${verified.detail}`);
        return signMessage(response, KEY, { requestMac: verified.record.mac }).message;
      }
      if (behaviour === 'timeout') throw new DnsQueryTimeoutError('192.0.2.53:53', options.timeoutMs);
      const verified = verifyMessage(request, KEY, undefined);
      if (!verified.ok) throw new Error(`fake primary: request TSIG did not verify: ${verified.detail}`);
      const rcode = { ok: 0, refused: 5, notzone: 10, servfail: 2, badsig: 9, unsigned: 0 }[behaviour];
      const response = dnsPacket.encode({ ...base, flags: (1 << 15) | (5 << 11) | rcode });
      if (behaviour === 'unsigned') return response;
      if (behaviour === 'badsig') {
        // NOTAUTH + TSIG error BADSIG, unsigned (RFC 8945 §5.2.2): craft it by signing and patching the error field.
        const withTsig = Buffer.from(signMessage(response, KEY).message);
        withTsig.writeUInt16BE(16, withTsig.length - 4);
        return withTsig;
      }
      return signMessage(response, KEY, { requestMac: verified.record.mac }).message;
    },
  };
}

function provider(transport: DnsTransport, config: Record<string, unknown> = {}): Rfc2136DnsProvider {
  return new Rfc2136DnsProvider({ server: '192.0.2.53', tsig: KEY, ...config }, { transport });
}

describe('Rfc2136DnsProvider', () => {
  it('finds the zone by SOA, then sends one signed UPDATE adding every value', async () => {
    const transport = fakePrimary();
    const dns = provider(transport);
    const ref = await dns.upsertTxt({ name: `${NAME}.`, values: ['v1', 'v2', 'v1'], ttl: 30 });
    expect(ref).toEqual({ provider: 'rfc2136', zone: 'example.test', server: '192.0.2.53:53' });
    const [soa, update] = transport.exchanges;
    expect(soa).toMatchObject({ opcode: 'QUERY', signed: false, server: { host: '192.0.2.53', port: 53 } });
    expect(soa!.packet.questions).toEqual([{ name: NAME, type: 'SOA', class: 'IN' }]);
    expect(update).toMatchObject({ opcode: 'UPDATE', signed: true });
    expect(update!.packet.questions).toEqual([{ name: 'example.test', type: 'SOA', class: 'IN' }]);
    const rrs = update!.packet.authorities as unknown as { name: string; class: string; ttl: number; data: Buffer[] }[];
    expect(rrs.map((rr) => [rr.name, rr.class, rr.ttl, String(rr.data[0])])).toEqual([
      [NAME, 'IN', 30, 'v1'],
      [NAME, 'IN', 30, 'v2'],
    ]);
  });

  it('caches the zone per name and deletes exactly our values with class NONE', async () => {
    const transport = fakePrimary();
    const dns = provider(transport);
    await dns.upsertTxt({ name: NAME, values: ['v1'] });
    await dns.deleteTxt({ name: NAME, values: ['v1'] });
    expect(transport.exchanges.map((exchange) => exchange.opcode)).toEqual(['QUERY', 'UPDATE', 'UPDATE']);
    const rrs = transport.exchanges[2]!.packet.authorities as unknown as { class: string; ttl: number; data: Buffer[] }[];
    expect(rrs.map((rr) => [rr.class, rr.ttl, String(rr.data[0])])).toEqual([['UNKNOWN_254', 0, 'v1']]);
  });

  it('uses the configured zone without asking, and rejects names outside it', async () => {
    const transport = fakePrimary();
    const dns = provider(transport, { zone: 'www.example.test', signQuery: true });
    await expect(dns.upsertTxt({ name: NAME, values: ['v'] })).resolves.toMatchObject({ zone: 'www.example.test' });
    expect(transport.exchanges.map((exchange) => exchange.opcode)).toEqual(['UPDATE']);
    await expect(dns.upsertTxt({ name: '_acme-challenge.example.test', values: ['v'] })).rejects.toMatchObject({
      name: 'Rfc2136ZoneError',
      record: '_acme-challenge.example.test',
      zone: 'www.example.test',
    });
  });

  it('signs the SOA query when signQuery is set', async () => {
    const transport = fakePrimary();
    await provider(transport, { signQuery: true }).upsertTxt({ name: NAME, values: ['v'] });
    expect(transport.exchanges[0]).toMatchObject({ opcode: 'QUERY', signed: true });
  });

  it('sends nothing to delete no values', async () => {
    const transport = fakePrimary();
    await provider(transport).deleteTxt({ name: NAME, values: [] });
    expect(transport.exchanges).toEqual([]);
  });

  it.each([
    ['refused', 'Rfc2136UpdateRefusedError', /grant acmeflow\. name _acme-challenge\.www\.example\.test\. TXT/],
    ['notzone', 'Rfc2136ZoneError', /zone/],
    ['servfail', 'Rfc2136ServerError', /log/],
    ['badsig', 'Rfc2136TsigError', /secret/],
    ['unsigned', 'Rfc2136ResponseVerificationError', /secret/],
  ] as const)('maps %s to %s naming record, zone and fix', async (behaviour, name, fix) => {
    const error = await provider(fakePrimary(behaviour))
      .upsertTxt({ name: NAME, values: ['v'] })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name, record: NAME, zone: 'example.test', fix: expect.stringMatching(fix) });
    expect((error as Error).message).toContain(NAME);
    expect((error as Error).message).toContain('example.test');
    expect((error as Error).message).not.toContain(KEY.secret);
  });

  it('names the key and the TSIG error for a rejected signature', async () => {
    const error = await provider(fakePrimary('badsig')).deleteTxt({ name: NAME, values: ['v'] }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'Rfc2136TsigError', keyName: 'acmeflow.', tsigError: 'BADSIG' });
  });

  it('adds record and zone to a timeout', async () => {
    const error = await provider(fakePrimary('timeout')).upsertTxt({ name: NAME, values: ['v'] }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'DnsQueryTimeoutError', record: NAME, zone: 'example.test' });
  });

  it('reports a server without the zone', async () => {
    const error = await provider(fakePrimary('ok', 5)).upsertTxt({ name: NAME, values: ['v'] }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'Rfc2136ZoneError', record: NAME, message: expect.stringContaining('REFUSED') });
  });

  it('takes server and key from the environment when the config has none', async () => {
    const transport = fakePrimary();
    const dns = new Rfc2136DnsProvider(
      {},
      { transport, env: { RFC2136_NAMESERVER: '192.0.2.54:5353', RFC2136_TSIG_KEY: KEY.name, RFC2136_TSIG_SECRET: KEY.secret, RFC2136_TSIG_ALGORITHM: 'HMAC-SHA256' } },
    );
    await expect(dns.upsertTxt({ name: NAME, values: ['v'] })).resolves.toMatchObject({ server: '192.0.2.54:5353' });
  });

  it('explains what is missing when there is no key anywhere', async () => {
    const dns = new Rfc2136DnsProvider({ server: '192.0.2.53' }, { transport: fakePrimary(), env: {} });
    await expect(dns.upsertTxt({ name: NAME, values: ['v'] })).rejects.toMatchObject({
      name: 'Rfc2136ConfigError',
      message: expect.stringContaining('RFC2136_TSIG_SECRET'),
    });
  });
});
