/**
 * End to end through a real authoritative server: Pebble validates dns-01 by asking BIND 9, to
 * which the rfc2136 provider writes with TSIG. Apex + wildcard share one record name with two
 * values; afterwards no TXT value of ours is left.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcmeContext, generateAccountKey, newAccount, type Account, type AcmeContext } from '../../../shared/acme/index.js';
import { parseCertificate } from '../../../shared/crypto/index.js';
import { checkPropagation } from '../../../shared/dns/index.js';
import { Rfc2136DnsProvider } from '../../../shared/dns/providers/rfc2136/index.js';
import { issueWithAcmeLayer, type TxtPublisher } from '../../../harness/acme-flow.js';
import { startBind, type BindHandle } from '../../../harness/bind.js';
import { startPebble, type PebbleHandle } from '../../../harness/pebble.js';

let bind: BindHandle;
let pebble: PebbleHandle;
let ctx: AcmeContext;
let account: Account;

beforeAll(async () => {
  bind = await startBind({ zones: ['example.test'] });
  pebble = await startPebble({ dnsServer: bind.server });
  ctx = createAcmeContext({ directoryUrl: pebble.directoryUrl, fetch: pebble.fetch });
  const key = await generateAccountKey();
  account = { url: (await newAccount(ctx, key, { termsOfServiceAgreed: true, externalAccountBinding: pebble.eab })).url, key };
});
afterAll(async () => {
  await pebble?.stop();
  await bind?.stop();
});

describe('rfc2136 provider with Pebble and BIND', () => {
  it('issues apex + wildcard and leaves no record behind', async () => {
    const provider = new Rfc2136DnsProvider({ server: bind.host, port: bind.port, tsig: bind.tsig });
    const published: string[] = [];
    const dns: TxtPublisher = {
      publish: async (name, values) => {
        await provider.upsertTxt({ name, values });
        published.push(name);
        const report = await checkPropagation([{ name, values }], { resolvers: [bind.server] });
        expect(report.ready).toBe(true);
      },
      unpublish: (name, values) => provider.deleteTxt({ name, values }),
    };
    const issued = await issueWithAcmeLayer(ctx, account, ['example.test', '*.example.test', 'www.example.test'], dns);
    expect(parseCertificate(issued.certificate.selected.certificatePem).domains).toEqual(
      expect.arrayContaining(['example.test', '*.example.test', 'www.example.test']),
    );
    expect(published.sort()).toEqual(['_acme-challenge.example.test', '_acme-challenge.www.example.test']);
    for (const name of published) expect(await bind.queryTxt(name)).toEqual([]);
  });
});
