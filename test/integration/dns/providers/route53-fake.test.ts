/**
 * The Route 53 fake itself: that it answers like Route 53 where the provider tests rely on it
 * (validation errors through the real SDK, pagination) and serves DNS like an authoritative server.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import {
  ChangeResourceRecordSetsCommand,
  InvalidChangeBatch,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type Change,
} from '@aws-sdk/client-route-53';
import dnsPacket, { type DecodedPacket, type RecordType } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRoute53Fake, type Route53Fake } from '../../../../harness/route53-fake.js';

let fake: Route53Fake;
let client: Route53Client;

beforeAll(async () => {
  fake = await startRoute53Fake({ zones: [{ name: 'example.com' }, { name: 'example.net' }, { name: 'example.org', private: true }], maxItems: 2 });
  client = new Route53Client({ endpoint: fake.endpoint, region: 'eu-west-3', maxAttempts: 1, credentials: { accessKeyId: 'AKID', secretAccessKey: 's' } });
  fake.put({ name: '_acme-challenge.deep.www.example.com', values: ['"below"'] });
  fake.put({ name: '_acme-challenge.example.com', values: ['"a"', '"b"'] });
});
afterAll(() => fake.stop());

const txt = (action: Change['Action'], name: string, values: string[], ttl = 300): Change => ({
  Action: action,
  ResourceRecordSet: { Name: name, Type: 'TXT', TTL: ttl, ResourceRecords: values.map((Value) => ({ Value })) },
});
const change = (...changes: Change[]) =>
  client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: fake.zoneId('example.com'), ChangeBatch: { Changes: changes } }));

describe('Route 53 fake API', () => {
  it('rejects a CREATE over an existing set, an inexact DELETE and an unquoted TXT value, atomically', async () => {
    const errors = await Promise.all([
      change(txt('CREATE', '_acme-challenge.example.com', ['"c"'])).catch((e: unknown) => e),
      change(txt('DELETE', '_acme-challenge.example.com', ['"a"'])).catch((e: unknown) => e),
      change(txt('DELETE', '_acme-challenge.example.com', ['"a"', '"b"'], 60)).catch((e: unknown) => e),
      change(txt('UPSERT', 'fresh.example.com', ['"ok"']), txt('UPSERT', 'bad.example.com', ['unquoted'])).catch((e: unknown) => e),
    ]);

    for (const error of errors) expect(error).toBeInstanceOf(InvalidChangeBatch);
    expect((errors[0] as Error).message).toBe("[Tried to create resource record set [name='_acme-challenge.example.com.', type='TXT'] but it already exists]");
    expect((errors[1] as Error).message).toBe(
      "[Tried to delete resource record set [name='_acme-challenge.example.com.', type='TXT'] but the values provided do not match the current values]",
    );
    expect((errors[2] as Error).message).toMatch(/do not match the current values/);
    expect((errors[3] as Error).message).toMatch(/Value should be enclosed in quotation marks/);
    expect(fake.records('fresh.example.com')).toEqual([]);
    expect(fake.txt('_acme-challenge.example.com')).toEqual(['a', 'b']);
  });

  it('pages ListHostedZones and ListResourceRecordSets', async () => {
    const first = await client.send(new ListHostedZonesCommand({}));
    const second = await client.send(new ListHostedZonesCommand({ Marker: first.NextMarker }));
    expect(first.IsTruncated).toBe(true);
    expect([...(first.HostedZones ?? []), ...(second.HostedZones ?? [])].map((z) => z.Name).sort()).toEqual(['example.com.', 'example.net.', 'example.org.']);

    const sets = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: fake.zoneId('example.com') }));
    expect(sets.ResourceRecordSets?.map((s) => `${s.Name} ${s.Type}`)).toEqual(['example.com. NS', 'example.com. SOA']);
    expect(sets).toMatchObject({ IsTruncated: true, NextRecordName: '_acme-challenge.example.com.', NextRecordType: 'TXT' });
  });
});

/** The RCODE of a response (RFC 1035 §4.1.1): the low four bits of the flags. */
const RCODE = { NOERROR: 0, NXDOMAIN: 3, REFUSED: 5 } as const;
const rcode = (packet: DecodedPacket): number => (packet.flags ?? 0) & 0xf;

async function queryUdp(name: string, type: RecordType): Promise<DecodedPacket> {
  const [host, port] = fake.dnsServer.split(':');
  const socket = dgram.createSocket('udp4');
  try {
    return await new Promise((resolve, reject) => {
      socket.once('message', (message) => resolve(dnsPacket.decode(message)));
      socket.once('error', reject);
      socket.send(dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type }] }), Number(port), host);
    });
  } finally {
    socket.close();
  }
}

async function queryTcp(name: string, type: RecordType): Promise<DecodedPacket> {
  const [host, port] = fake.dnsServer.split(':');
  const socket = net.connect(Number(port), host);
  try {
    return await new Promise((resolve, reject) => {
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) resolve(dnsPacket.streamDecode(buffered) as DecodedPacket);
      });
      socket.once('error', reject);
      socket.write(dnsPacket.streamEncode({ type: 'query', id: 9, questions: [{ name, type }] }));
    });
  } finally {
    socket.destroy();
  }
}

describe('Route 53 fake DNS', () => {
  it('answers TXT authoritatively over UDP and TCP', async () => {
    for (const answer of [await queryUdp('_ACME-challenge.example.com', 'TXT'), await queryTcp('_acme-challenge.example.com', 'TXT')]) {
      expect(rcode(answer)).toBe(RCODE.NOERROR);
      expect(answer.flag_aa).toBe(true);
      expect(answer.answers?.map((a) => (a.type === 'TXT' ? Buffer.concat([a.data].flat().map((d) => Buffer.from(d))).toString() : '')).sort()).toEqual(['a', 'b']);
    }
  });

  it('answers NODATA with the SOA for a name without the type, and for an empty non-terminal', async () => {
    for (const name of ['example.com', 'www.example.com']) {
      const answer = await queryUdp(name, 'TXT');
      expect(rcode(answer)).toBe(RCODE.NOERROR);
      expect(answer.answers).toEqual([]);
      expect(answer.authorities?.[0]?.type).toBe('SOA');
    }
  });

  it('answers NXDOMAIN for a missing name, REFUSED outside its zones, and does not serve private zones', async () => {
    const missing = await queryUdp('nothing.example.com', 'TXT');
    expect(rcode(missing)).toBe(RCODE.NXDOMAIN);
    expect(missing.flag_aa).toBe(true);
    expect(missing.authorities?.[0]?.type).toBe('SOA');
    expect(rcode(await queryUdp('example.invalid', 'TXT'))).toBe(RCODE.REFUSED);
    expect(rcode(await queryUdp('example.org', 'SOA'))).toBe(RCODE.REFUSED);
    expect((await queryUdp('example.net', 'NS')).answers).toHaveLength(4);
  });
});
