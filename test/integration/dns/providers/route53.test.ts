/**
 * Route53DnsProvider through the real AWS SDK, over HTTP, against the wire-level Route 53 fake, and
 * the records it writes read back over DNS from the fake's authoritative server.
 */
import { Resolver } from 'node:dns/promises';
import type { Route53ClientConfig } from '@aws-sdk/client-route-53';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { route53ConfigSchema, Route53DnsProvider } from '../../../../shared/dns/providers/route53/index.js';
import { startRoute53Fake, type Route53Fake } from '../../../../harness/route53-fake.js';

const RECORD = '_acme-challenge.example.com';
let fake: Route53Fake;
let resolver: Resolver;

beforeAll(async () => {
  fake = await startRoute53Fake({
    zones: [{ name: 'example.com' }, { name: 'example.com', private: true }, { name: 'sub.example.com' }],
    pendingPolls: 2,
  });
  resolver = new Resolver({ timeout: 2_000, tries: 1 });
  resolver.setServers([fake.dnsServer]);
});
afterAll(() => fake.stop());
afterEach(() => {
  fake.clearFaults();
  for (const name of [RECORD, '_acme-challenge.www.sub.example.com']) fake.put({ name, values: [] });
  fake.put({ name: RECORD, values: [], private: true });
});

function clientConfig(accessKeyId = 'AKIDFAKE'): Route53ClientConfig {
  return { endpoint: fake.endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'not-checked' } };
}

function provider(config: Record<string, unknown> = {}) {
  const sleep = vi.fn(async (_ms: number) => {});
  return { instance: new Route53DnsProvider(route53ConfigSchema.parse(config), { clientConfig: clientConfig(), sleep }), sleep };
}

describe('Route53DnsProvider against the Route 53 fake', () => {
  it('merges our values with a foreign value and serves them over DNS', async () => {
    fake.put({ name: RECORD, values: ['"foreign"'], ttl: 300 });
    const { instance } = provider();

    await instance.upsertTxt({ name: RECORD, values: ['ours-wildcard', 'ours-apex'] });
    await instance.upsertTxt({ name: RECORD, values: ['ours-wildcard', 'ours-apex'] });

    expect(fake.txt(RECORD)).toEqual(['foreign', 'ours-apex', 'ours-wildcard']);
    expect(fake.records(RECORD)[0]?.ttl).toBe(60);
    const answers = await resolver.resolveTxt(RECORD);
    expect(answers.map((strings) => strings.join('')).sort()).toEqual(['foreign', 'ours-apex', 'ours-wildcard']);
  });

  it('deletes only our values, leaves the foreign one, and a second delete succeeds', async () => {
    fake.put({ name: RECORD, values: ['"foreign"'], ttl: 300 });
    const { instance } = provider();
    await instance.upsertTxt({ name: RECORD, values: ['ours'] });

    await instance.deleteTxt({ name: RECORD, values: ['ours'] });
    await instance.deleteTxt({ name: RECORD, values: ['ours'] });

    expect(fake.txt(RECORD)).toEqual(['foreign']);
    expect(await resolver.resolveTxt(RECORD)).toEqual([['foreign']]);
  });

  it('deletes the whole set when only our values are in it (the DELETE matches exactly)', async () => {
    const { instance } = provider();
    await instance.upsertTxt({ name: RECORD, values: ['one', 'two'], ttl: 120 });

    await instance.deleteTxt({ name: RECORD, values: ['one', 'two'] });
    await instance.deleteTxt({ name: RECORD, values: ['one', 'two'] });

    expect(fake.records(RECORD)).toEqual([]);
    const deletes = fake.calls.filter((c) => c.changes?.[0]?.action === 'DELETE');
    expect(deletes.map((c) => c.status)).toEqual([200]);
    await expect(resolver.resolveTxt(RECORD)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('reports a change PENDING until Route 53 has it everywhere, then INSYNC', async () => {
    const { instance } = provider();
    const ref = await instance.upsertTxt({ name: RECORD, values: ['v'] });

    expect(ref).toMatchObject({ provider: 'route53', zoneId: fake.zoneId('example.com') });
    expect(ref.id).toMatch(/^C[A-Z0-9]+$/);
    expect(await instance.changeStatus(ref)).toBe('pending');
    expect(await instance.changeStatus(ref)).toBe('pending');
    expect(await instance.changeStatus(ref)).toBe('insync');
  });

  it('keeps answering pending while the fake holds every change', async () => {
    fake.inject({ kind: 'pending-forever' });
    const { instance } = provider();
    const ref = await instance.upsertTxt({ name: RECORD, values: ['v'] });

    for (let i = 0; i < 4; i++) expect(await instance.changeStatus(ref)).toBe('pending');
  });

  it('writes into the most specific zone, and into the private zone only when asked', async () => {
    await provider().instance.upsertTxt({ name: '_acme-challenge.www.sub.example.com', values: ['sub'] });
    await provider({ privateZone: true }).instance.upsertTxt({ name: RECORD, values: ['private'] });

    const changes = fake.calls.filter((c) => c.operation === 'ChangeResourceRecordSets');
    expect(changes.at(-2)?.path).toContain(fake.zoneId('sub.example.com'));
    expect(changes.at(-1)?.path).toContain(fake.zoneId('example.com', { private: true }));
    expect(fake.txt('_acme-challenge.www.sub.example.com')).toEqual(['sub']);
    // The private zone is not served publicly.
    await expect(resolver.resolveTxt(RECORD)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('rides out Throttling, PriorRequestNotComplete and a 503 with the injected sleep', async () => {
    fake.inject({ kind: 'throttling', operation: 'ChangeResourceRecordSets' });
    fake.inject({ kind: 'prior-request-not-complete', operation: 'ChangeResourceRecordSets' });
    fake.inject({ kind: 'server-error', status: 503, operation: 'ListResourceRecordSets' });
    const { instance, sleep } = provider();

    await instance.upsertTxt({ name: RECORD, values: ['v'] });

    expect(sleep).toHaveBeenCalledTimes(3);
    expect(fake.txt(RECORD)).toEqual(['v']);
  });

  it('gives up with Route53ThrottledError when throttling outlasts maxAttempts', async () => {
    fake.inject({ kind: 'throttling', count: 3 });
    const { instance } = provider({ hostedZoneId: fake.zoneId('example.com'), maxAttempts: 3 });

    await expect(instance.upsertTxt({ name: RECORD, values: ['v'] })).rejects.toMatchObject({ name: 'Route53ThrottledError', attempts: 3 });
  });

  it('re-reads when another writer changes the set between our read and our DELETE', async () => {
    const { instance } = provider();
    await instance.upsertTxt({ name: RECORD, values: ['ours'] });
    fake.inject({ kind: 'concurrent-change', name: RECORD, values: ['"ours"', '"newcomer"'], ttl: 60 });

    await instance.deleteTxt({ name: RECORD, values: ['ours'] });

    expect(fake.txt(RECORD)).toEqual(['newcomer']);
    const rejected = fake.calls.filter((c) => c.errorCode === 'InvalidChangeBatch');
    expect(rejected).toHaveLength(1);
  });

  it('maps AccessDenied, an unknown zone id and a missing zone to typed errors', async () => {
    fake.inject({ kind: 'access-denied', operation: 'ChangeResourceRecordSets' });
    await expect(provider().instance.upsertTxt({ name: RECORD, values: ['v'] })).rejects.toMatchObject({
      name: 'Route53AccessDeniedError',
      action: 'route53:ChangeResourceRecordSets',
    });
    await expect(provider({ hostedZoneId: 'ZDOESNOTEXIST' }).instance.upsertTxt({ name: RECORD, values: ['v'] })).rejects.toMatchObject({
      name: 'Route53ZoneNotFoundError',
      zone: 'ZDOESNOTEXIST',
    });
    await expect(provider().instance.upsertTxt({ name: '_acme-challenge.example.org', values: ['v'] })).rejects.toMatchObject({
      name: 'Route53ZoneNotFoundError',
      record: '_acme-challenge.example.org',
    });
  });

  it('rejects a name outside an explicit zone with Route 53\'s own reason', async () => {
    const error = await provider({ hostedZoneId: fake.zoneId('sub.example.com') })
      .instance.upsertTxt({ name: RECORD, values: ['v'] })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'Route53ChangeRejectedError' });
    expect((error as { route53Message: string }).route53Message).toMatch(/is not permitted in zone sub\.example\.com\./);
  });

  it('signs with the credentials of the assumed role when roleArn is set', async () => {
    const sts = mockClient(STSClient);
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIAASSUMEDROLE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 900_000) },
    });
    try {
      const config = route53ConfigSchema.parse({ roleArn: 'arn:aws:iam::111122223333:role/acmeflow-dns', externalId: 'ext-id' });
      const { credentials: _unused, ...withoutCredentials } = clientConfig();
      const instance = new Route53DnsProvider(config, { clientConfig: withoutCredentials, sts: new STSClient({ region: 'us-east-1' }) });

      await instance.upsertTxt({ name: RECORD, values: ['cross-account'] });

      const since = fake.calls.filter((c) => c.accessKeyId === 'ASIAASSUMEDROLE');
      expect(since.map((c) => c.operation)).toEqual(expect.arrayContaining(['ListHostedZonesByName', 'ListResourceRecordSets', 'ChangeResourceRecordSets']));
      expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toMatchObject({ ExternalId: 'ext-id' });
    } finally {
      sts.restore();
    }
  });
});
