/**
 * End to end through the Cloudflare fake: the cloudflare provider, built by the registry, writes
 * through the fake's API v4; a DNS face (`startFakeDns`) serves the fake's records as the zone's
 * authoritative server, and Pebble validates dns-01 by asking it. Afterwards no TXT value of ours is
 * left, neither in the fake's store nor in DNS.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account, AcmeContext } from '../../../shared/acme/index.js';
import { parseCertificate } from '../../../shared/crypto/index.js';
import { checkPropagation } from '../../../shared/dns/index.js';
import { createProvider } from '../../../shared/dns/providers/index.js';
import { issueWithAcmeLayer, type TxtPublisher } from '../../../harness/acme-flow.js';
import { startCloudflareFake, type CloudflareFake, type CloudflareFakeRecord } from '../../../harness/cloudflare-fake.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { startFakeDns, type FakeDnsServer } from '../../../harness/route53-fake-dns.js';
import { CHALLENGE_NAMES, DOMAINS, pebbleAccount, queryTxt, quoteTxt, zoneView, type NamedRecordSet } from './e2e-support.js';

const ZONE = 'example.test';
const TOKEN = 'cf-e2e-dns-edit-token';
/** Cloudflare's `ttl: 1` means "automatic", which it serves as 300 s. */
const AUTOMATIC_TTL = 300;

let fake: CloudflareFake;
let face: FakeDnsServer;
let dnsServer: string;
let pebble: PebbleHandle;
let ctx: AcmeContext;
let account: Account;

/** The fake's records of one zone as DNS record sets: one set per (name, type), TXT contents quoted unless stored quoted. */
function recordSets(zoneId: string): NamedRecordSet[] {
  const sets = new Map<string, { name: string; type: string; ttl: number; values: string[] }>();
  for (const record of fake.records().filter((r: CloudflareFakeRecord) => r.zoneId === zoneId)) {
    const key = `${record.name}|${record.type}`;
    const set = sets.get(key) ?? { name: record.name, type: record.type, ttl: record.ttl === 1 ? AUTOMATIC_TTL : record.ttl, values: [] };
    const value = record.type === 'TXT' && !/^".*"$/.test(record.content) ? quoteTxt(record.content) : record.content;
    set.values.push(value);
    sets.set(key, set);
  }
  return [...sets.values()];
}

beforeAll(async () => {
  fake = await startCloudflareFake({ zones: [ZONE], token: TOKEN });
  const zoneId = fake.zoneId(ZONE);
  face = await startFakeDns(() => [zoneView(ZONE, () => recordSets(zoneId))]);
  dnsServer = `127.0.0.1:${face.port}`;
  pebble = await startPebble({ dnsServer });
  ({ ctx, account } = await pebbleAccount(pebble));
});
afterAll(async () => {
  await pebble?.stop();
  await face?.stop();
  await fake?.stop();
});

describe('cloudflare provider with Pebble and the Cloudflare fake', () => {
  it('issues apex + wildcard and leaves no record behind', async () => {
    const provider = createProvider('cloudflare', {}, { baseUrl: fake.baseUrl, apiToken: TOKEN });
    const published = new Map<string, string[]>();
    const dns: TxtPublisher = {
      publish: async (name, values) => {
        await provider.upsertTxt({ name, values });
        published.set(name, values);
        const report = await checkPropagation([{ name, values }], { resolvers: [dnsServer] });
        expect(report).toMatchObject({ ready: true, checkedServers: [dnsServer] });
      },
      unpublish: (name, values) => provider.deleteTxt({ name, values }),
    };

    const issued = await issueWithAcmeLayer(ctx, account, [...DOMAINS], dns);

    expect(parseCertificate(issued.certificate.selected.certificatePem).domains).toEqual(expect.arrayContaining([...DOMAINS]));
    expect([...published.keys()].sort()).toEqual([...CHALLENGE_NAMES]);
    expect(published.get('_acme-challenge.example.test')).toHaveLength(2);
    // Every value went in through the API: one POST per value, none left out.
    const posted = fake.calls.filter((c) => c.method === 'POST' && c.status === 200).map((c) => (c.body as { content: string }).content);
    expect(posted.sort()).toEqual([...published.values()].flat().sort());

    for (const name of CHALLENGE_NAMES) {
      expect(fake.txt(name)).toEqual([]);
      expect(await queryTxt(dnsServer, name)).toMatchObject({ rcode: 'NXDOMAIN', values: [] });
    }
    expect(fake.records()).toEqual([]);
  });
});
