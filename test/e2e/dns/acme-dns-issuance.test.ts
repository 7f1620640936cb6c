/**
 * End to end through acme-dns with CNAME delegation, the way acme-dns is always deployed: the
 * customer zone `example.test` holds `_acme-challenge.<domain> CNAME <subdomain>.auth.acme-dns.test`,
 * and the acme-dns server answers for `auth.acme-dns.test` with the values posted to its API. One DNS
 * face serves both zones (the second from the acme-dns fake's store). The publisher resolves the
 * delegation with the DNS layer (`delegateRecords` over a resolver pointed at the face), writes at the
 * end of the chain through the acme-dns provider built by the registry, and checks propagation there;
 * Pebble asks for the `_acme-challenge` name and has to follow the CNAME.
 *
 * acme-dns cannot delete (it keeps the two newest values per subdomain), so instead of "nothing left"
 * this asserts the values stay where they were written and that cleanup made no call.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account, AcmeContext } from '../../../shared/acme/index.js';
import { parseCertificate } from '../../../shared/crypto/index.js';
import { checkPropagation, delegateRecords, groupRecords, nodeResolver, type ChallengeRecord } from '../../../shared/dns/index.js';
import { createProvider } from '../../../shared/dns/providers/index.js';
import { issueWithAcmeLayer, type TxtPublisher } from '../../../harness/acme-flow.js';
import { startAcmeDnsFake, type AcmeDnsFake, type AcmeDnsFakeRegistration } from '../../../harness/acme-dns-fake.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { startFakeDns, type FakeDnsServer } from '../../../harness/route53-fake-dns.js';
import { CHALLENGE_NAMES, DOMAINS, pebbleAccount, queryTxt, quoteTxt, zoneView, type TxtAnswer } from './e2e-support.js';

const ZONE = 'example.test';
const ACME_DNS_ZONE = 'auth.acme-dns.test';

let acmeDns: AcmeDnsFake;
/** One registration per `_acme-challenge` name: a subdomain serves only two values, an apex and its wildcard. */
let registrations: Record<'example.test' | 'www.example.test', AcmeDnsFakeRegistration>;
let face: FakeDnsServer;
/** Names looked up in the customer zone while `logging` is on: what Pebble asked for during validation. */
const askedInCustomerZone: string[] = [];
let logging = false;
let dnsServer: string;
let pebble: PebbleHandle;
let ctx: AcmeContext;
let account: Account;

beforeAll(async () => {
  acmeDns = await startAcmeDnsFake({ domain: ACME_DNS_ZONE });
  registrations = { 'example.test': acmeDns.register(), 'www.example.test': acmeDns.register() };
  const delegations = Object.entries(registrations).map(([domain, registration]) => ({
    name: `_acme-challenge.${domain}`,
    type: 'CNAME',
    ttl: 60,
    values: [`${registration.fulldomain}.`],
  }));
  // What the acme-dns server itself answers: the values of each registered subdomain, read live.
  const served = () =>
    Object.values(registrations)
      .map((r) => ({ name: r.fulldomain, type: 'TXT', ttl: 1, values: acmeDns.values(r.subdomain).map(quoteTxt) }))
      .filter((set) => set.values.length > 0);
  const customerZone = zoneView(ZONE, () => delegations);
  const loggedCustomerZone = {
    ...customerZone,
    recordSets: (name: string) => {
      if (logging) askedInCustomerZone.push(name);
      return customerZone.recordSets(name);
    },
  };
  face = await startFakeDns(() => [loggedCustomerZone, zoneView(ACME_DNS_ZONE, served)]);
  dnsServer = `127.0.0.1:${face.port}`;
  pebble = await startPebble({ dnsServer });
  ({ ctx, account } = await pebbleAccount(pebble));
});
afterAll(async () => {
  await pebble?.stop();
  await face?.stop();
  await acmeDns?.stop();
});

describe('acme-dns provider with Pebble, CNAME delegation and the acme-dns fake', () => {
  it('issues apex + wildcard by following the _acme-challenge CNAMEs to acme-dns', async () => {
    const provider = createProvider('acme-dns', { apiUrl: acmeDns.url, registrations });
    const resolver = nodeResolver({ servers: [dnsServer], timeoutMs: 1_000, tries: 1 });
    const updates = () => acmeDns.calls.filter((c) => c.path === '/update');
    let updatesBeforeCleanup: number | undefined;
    /** Per `_acme-challenge` name: where it was written, and what a resolver saw at the name itself once published. */
    const published = new Map<string, { effectiveName: string; values: string[]; seenAtName: TxtAnswer }>();
    const dns: TxtPublisher = {
      publish: async (name, values) => {
        const challenges: ChallengeRecord[] = values.map((value) => ({ name, effectiveName: name, value }));
        const [record, ...more] = groupRecords(await delegateRecords(challenges, { resolver }));
        if (record === undefined || more.length > 0) throw new Error(`${name} did not delegate to one name`);
        await provider.upsertTxt(record);
        const report = await checkPropagation([record], { resolvers: [dnsServer] });
        expect(report).toMatchObject({ ready: true, checkedServers: [dnsServer] });
        published.set(name, { effectiveName: record.name, values: [...record.values].sort(), seenAtName: await queryTxt(dnsServer, name) });
        // Everything published: from here until cleanup only Pebble's validation queries the face.
        logging = published.size === CHALLENGE_NAMES.length;
      },
      unpublish: (name, values) => {
        logging = false;
        updatesBeforeCleanup ??= updates().length;
        return provider.deleteTxt({ name: published.get(name)?.effectiveName ?? name, values });
      },
    };

    const issued = await issueWithAcmeLayer(ctx, account, [...DOMAINS], dns);

    expect(parseCertificate(issued.certificate.selected.certificatePem).domains).toEqual(expect.arrayContaining([...DOMAINS]));
    expect([...published.keys()].sort()).toEqual([...CHALLENGE_NAMES]);
    for (const [domain, registration] of Object.entries(registrations)) {
      const entry = published.get(`_acme-challenge.${domain}`)!;
      // The delegation was resolved through DNS and the values were written at the CNAME's target ...
      expect(entry.effectiveName).toBe(registration.fulldomain);
      expect(acmeDns.values(registration.subdomain).sort()).toEqual(entry.values);
      // ... and the `_acme-challenge` name (a CNAME, no TXT of its own) shows them only through the chain, as the CA sees it.
      expect(entry.seenAtName).toEqual({ rcode: 'NOERROR', cnames: [registration.fulldomain], values: entry.values });
    }
    expect(published.get('_acme-challenge.example.test')?.values).toHaveLength(2);
    // Pebble asked for the `_acme-challenge` names themselves, never written to: the answers it validated came through the CNAMEs.
    expect(askedInCustomerZone).toEqual(expect.arrayContaining([...CHALLENGE_NAMES]));
    // One update per value; acme-dns has no delete, so cleanup made no call and the values stay (the next update replaces them).
    expect(updates().map((c) => c.status)).toEqual([200, 200, 200]);
    expect(updatesBeforeCleanup).toBe(3);
    expect(acmeDns.calls.filter((c) => c.path !== '/update')).toEqual([]);
  });
});
