/**
 * End to end through the Route 53 fake: the route53 provider, built by the registry, drives the real
 * `@aws-sdk/client-route-53` against the fake's API; Pebble validates dns-01 by asking the fake's DNS
 * face, which serves what the API wrote. Each publish waits the way the check step does (GetChange
 * until INSYNC, then the propagation checker); afterwards no TXT value of ours is left.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account, AcmeContext } from '../../../shared/acme/index.js';
import { parseCertificate } from '../../../shared/crypto/index.js';
import { checkPropagation, type ChangeRef, type ChangeStatus, type PropagationReport } from '../../../shared/dns/index.js';
import { createProvider } from '../../../shared/dns/providers/index.js';
import { issueWithAcmeLayer, type TxtPublisher } from '../../../harness/acme-flow.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';
import { startRoute53Fake, type Route53Fake } from '../../../harness/route53-fake.js';
import { CHALLENGE_NAMES, DOMAINS, pebbleAccount, queryTxt } from './e2e-support.js';

/** Check rounds one publish may take before the test gives up (the fake needs two: PENDING, then INSYNC). */
const MAX_ROUNDS = 10;

let fake: Route53Fake;
let pebble: PebbleHandle;
let ctx: AcmeContext;
let account: Account;

beforeAll(async () => {
  fake = await startRoute53Fake({ zones: [{ name: 'example.test' }], pendingPolls: 1 });
  pebble = await startPebble({ dnsServer: fake.dnsServer });
  ({ ctx, account } = await pebbleAccount(pebble));
});
afterAll(async () => {
  await pebble?.stop();
  await fake?.stop();
});

describe('route53 provider with Pebble and the Route 53 fake', () => {
  it('issues apex + wildcard, waits for INSYNC, and leaves no record behind', async () => {
    const provider = createProvider('route53', {}, {
      clientConfig: {
        endpoint: fake.endpoint,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'AKIDE2ETEST', secretAccessKey: 'not-a-secret' },
      },
    });
    expect(provider.changeStatus).toBeTypeOf('function');
    const refs: ChangeRef[] = [];
    const statuses = new Map<string, ChangeStatus[]>();
    const reports: PropagationReport[] = [];
    const dns: TxtPublisher = {
      publish: async (name, values) => {
        const ref = await provider.upsertTxt({ name, values });
        refs.push(ref);
        const seen: ChangeStatus[] = [];
        statuses.set(name, seen);
        // One round of the CheckPropagation step each: the provider's change status first, then the
        // servers. The fake needs no real wait, so rounds follow each other at once.
        for (let round = 1; ; round++) {
          const status = await provider.changeStatus!(ref);
          seen.push(status);
          if (status === 'insync') {
            const report = await checkPropagation([{ name, values }], { resolvers: [fake.dnsServer] });
            reports.push(report);
            if (report.ready) return;
          }
          if (round >= MAX_ROUNDS) throw new Error(`${name} not ready after ${round} rounds: ${JSON.stringify(seen)}`);
        }
      },
      unpublish: (name, values) => provider.deleteTxt({ name, values }),
    };

    const issued = await issueWithAcmeLayer(ctx, account, [...DOMAINS], dns);

    expect(parseCertificate(issued.certificate.selected.certificatePem).domains).toEqual(expect.arrayContaining([...DOMAINS]));
    expect([...statuses.keys()].sort()).toEqual([...CHALLENGE_NAMES]);
    // Every change was a real Route 53 change, seen PENDING first and INSYNC afterwards.
    for (const ref of refs) expect(ref).toMatchObject({ provider: 'route53', id: expect.stringMatching(/\S/) });
    for (const seen of statuses.values()) expect(seen).toEqual(['pending', 'insync']);
    expect(reports.map((r) => r.checkedServers)).toEqual(CHALLENGE_NAMES.map(() => [fake.dnsServer]));
    // The apex and its wildcard were one record set with both values.
    const upserts = fake.calls.flatMap((c) => c.changes ?? []).filter((c) => c.action === 'UPSERT' && c.name === '_acme-challenge.example.test');
    expect(upserts.at(0)?.values).toHaveLength(2);

    for (const name of CHALLENGE_NAMES) {
      expect(fake.txt(name)).toEqual([]);
      expect(fake.records(name)).toEqual([]);
      expect((await queryTxt(fake.dnsServer, name)).values).toEqual([]);
    }
  });
});
