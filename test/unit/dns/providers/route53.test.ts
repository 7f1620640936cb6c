import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  InvalidChangeBatch,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  PriorRequestNotComplete,
  Route53Client,
  Route53ServiceException,
  type HostedZone,
} from '@aws-sdk/client-route-53';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  assumeRoleCredentials,
  quoteTxtValue,
  route53ConfigSchema,
  route53IamPolicy,
  route53Manifest,
  route53NameToDnsName,
  Route53DnsProvider,
  unquoteTxtValue,
  type Route53DnsProviderDeps,
} from '../../../../shared/dns/providers/route53/index.js';

const route53 = mockClient(Route53Client);
const sts = mockClient(STSClient);

const RECORD = '_acme-challenge.example.com';
const zone = (id: string, name: string, privateZone = false): HostedZone => ({
  Id: `/hostedzone/${id}`,
  Name: `${name}.`,
  CallerReference: id,
  Config: { PrivateZone: privateZone },
});
const txtSet = (name: string, values: string[], ttl = 300) => ({
  ResourceRecordSets: [{ Name: `${name}.`, Type: 'TXT' as const, TTL: ttl, ResourceRecords: values.map((Value) => ({ Value })) }],
  IsTruncated: false,
  MaxItems: 1,
});
const throttling = () =>
  new Route53ServiceException({ name: 'Throttling', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
const changeInfo = { ChangeInfo: { Id: '/change/C0001', Status: 'PENDING' as const, SubmittedAt: new Date(0) } };

function provider(config: Record<string, unknown> = {}, deps: Route53DnsProviderDeps = {}) {
  const sleep = vi.fn(async (_ms: number) => {});
  const instance = new Route53DnsProvider(route53ConfigSchema.parse(config), {
    client: new Route53Client({ region: 'us-east-1' }),
    sleep,
    random: () => 0.5,
    ...deps,
  });
  return { instance, sleep };
}

/** Zones answer ListHostedZonesByName the way Route 53 does: sorted, starting at DNSName. */
function hostZones(zones: HostedZone[]) {
  const key = (name: string) => name.replace(/\.$/, '').split('.').reverse();
  const compare = (a: string, b: string) => {
    const [l, r] = [key(a), key(b)];
    for (let i = 0; i < Math.min(l.length, r.length); i++) if (l[i] !== r[i]) return (l[i] ?? '') < (r[i] ?? '') ? -1 : 1;
    return l.length - r.length;
  };
  const sorted = [...zones].sort((a, b) => compare(a.Name ?? '', b.Name ?? ''));
  route53.on(ListHostedZonesByNameCommand).callsFake((input: { DNSName: string }) => ({
    HostedZones: sorted.filter((z) => compare(z.Name ?? '', input.DNSName) >= 0),
    IsTruncated: false,
    MaxItems: 100,
  }));
}

beforeEach(() => {
  route53.reset();
  sts.reset();
  route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo);
});
afterEach(() => vi.restoreAllMocks());

describe('Route53DnsProvider zone selection', () => {
  it('picks the hosted zone whose name is the longest suffix of the record name', async () => {
    hostZones([zone('ZCOM', 'example.com'), zone('ZSUB', 'sub.example.com'), zone('ZOTHER', 'other.com')]);
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
    const { instance } = provider();

    await instance.upsertTxt({ name: '_acme-challenge.a.sub.example.com', values: ['v'] });

    expect(route53.commandCalls(ListHostedZonesByNameCommand).map((c) => c.args[0].input.DNSName)).toEqual([
      '_acme-challenge.a.sub.example.com',
      'a.sub.example.com',
      'sub.example.com',
    ]);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input.HostedZoneId).toBe('ZSUB');
  });

  it('skips private zones unless privateZone is set', async () => {
    hostZones([zone('ZPRIVATE', 'example.com', true), zone('ZPUBLIC', 'example.com')]);
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });

    await provider().instance.upsertTxt({ name: RECORD, values: ['v'] });
    await provider({ privateZone: true }).instance.upsertTxt({ name: RECORD, values: ['v'] });

    expect(route53.commandCalls(ChangeResourceRecordSetsCommand).map((c) => c.args[0].input.HostedZoneId)).toEqual(['ZPUBLIC', 'ZPRIVATE']);
  });

  it('pages through zones of the same name', async () => {
    route53
      .on(ListHostedZonesByNameCommand, { DNSName: RECORD })
      .resolves({ HostedZones: [], IsTruncated: false, MaxItems: 100 })
      .on(ListHostedZonesByNameCommand, { DNSName: 'example.com', HostedZoneId: undefined })
      .resolves({ HostedZones: [zone('ZPRIV1', 'example.com', true)], IsTruncated: true, NextDNSName: 'example.com.', NextHostedZoneId: 'ZPUB', MaxItems: 1 })
      .on(ListHostedZonesByNameCommand, { DNSName: 'example.com.', HostedZoneId: 'ZPUB' })
      .resolves({ HostedZones: [zone('ZPUB', 'example.com')], IsTruncated: false, MaxItems: 1 });
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });

    await provider().instance.upsertTxt({ name: RECORD, values: ['v'] });

    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input.HostedZoneId).toBe('ZPUB');
  });

  it('uses hostedZoneId without listing zones', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });

    await provider({ hostedZoneId: '/hostedzone/ZEXPLICIT' }).instance.upsertTxt({ name: RECORD, values: ['v'] });

    expect(route53.commandCalls(ListHostedZonesByNameCommand)).toHaveLength(0);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input.HostedZoneId).toBe('ZEXPLICIT');
  });

  it('looks a zone up once per record name', async () => {
    hostZones([zone('ZCOM', 'example.com')]);
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
    const { instance } = provider();

    await instance.upsertTxt({ name: RECORD, values: ['v'] });
    await instance.deleteTxt({ name: RECORD, values: ['v'] });

    expect(route53.commandCalls(ListHostedZonesByNameCommand)).toHaveLength(2);
  });

  it('names the record and the ways out when no zone holds it', async () => {
    hostZones([zone('ZOTHER', 'other.com'), zone('ZPRIVATE', 'example.com', true)]);

    const error = await provider().instance.upsertTxt({ name: RECORD, values: ['v'] }).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'Route53ZoneNotFoundError', record: RECORD });
    expect((error as Error).message).toContain(RECORD);
    expect((error as Error).message).toMatch(/create a public hosted zone.*hostedZoneId.*CNAME/);
  });

  it('refuses to guess between two public zones of the same name', async () => {
    hostZones([zone('ZONE1', 'example.com'), zone('ZONE2', 'example.com')]);

    await expect(provider().instance.upsertTxt({ name: RECORD, values: ['v'] })).rejects.toMatchObject({
      name: 'Route53AmbiguousZoneError',
      zone: 'example.com',
      hostedZoneIds: ['ZONE1', 'ZONE2'],
    });
  });
});

describe('Route53DnsProvider change batches', () => {
  beforeEach(() => hostZones([zone('ZCOM', 'example.com')]));

  it('UPSERTs our values merged with the values already there', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(txtSet(RECORD, ['"foreign"']));

    const ref = await provider().instance.upsertTxt({ name: RECORD, values: ['ours-1', 'ours-2'] });

    expect(route53.commandCalls(ListResourceRecordSetsCommand)[0]?.args[0].input).toEqual({
      HostedZoneId: 'ZCOM',
      StartRecordName: RECORD,
      StartRecordType: 'TXT',
      MaxItems: 1,
    });
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input).toEqual({
      HostedZoneId: 'ZCOM',
      ChangeBatch: {
        Comment: 'acmeflow dns-01 UPSERT',
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: `${RECORD}.`,
              Type: 'TXT',
              TTL: 60,
              ResourceRecords: [{ Value: '"foreign"' }, { Value: '"ours-1"' }, { Value: '"ours-2"' }],
            },
          },
        ],
      },
    });
    expect(ref).toEqual({ provider: 'route53', id: 'C0001', zoneId: 'ZCOM' });
    expect(JSON.parse(JSON.stringify(ref))).toEqual(ref);
  });

  it('does not repeat a value that is already there, and keeps the given TTL', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(txtSet(RECORD, ['"ours"', '"foreign"']));

    await provider().instance.upsertTxt({ name: RECORD, values: ['ours', 'ours'], ttl: 30 });

    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input.ChangeBatch?.Changes?.[0]?.ResourceRecordSet).toMatchObject({
      TTL: 30,
      ResourceRecords: [{ Value: '"ours"' }, { Value: '"foreign"' }],
    });
  });

  it('treats a listing that starts past the name as no set (the listing begins at the next record)', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(txtSet('_acme-challenge.www.example.com', ['"someone else"']));

    await provider().instance.upsertTxt({ name: RECORD, values: ['ours'] });

    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input.ChangeBatch?.Changes?.[0]?.ResourceRecordSet?.ResourceRecords).toEqual([
      { Value: '"ours"' },
    ]);
  });

  it('on delete, UPSERTs the foreign values that remain, with their TTL', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(txtSet(RECORD, ['"foreign"', '"ours"'], 300));

    await provider().instance.deleteTxt({ name: RECORD, values: ['ours'] });

    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input).toEqual({
      HostedZoneId: 'ZCOM',
      ChangeBatch: {
        Comment: 'acmeflow dns-01 UPSERT',
        Changes: [
          { Action: 'UPSERT', ResourceRecordSet: { Name: `${RECORD}.`, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"foreign"' }] } },
        ],
      },
    });
  });

  it('on delete, DELETEs the set exactly as Route 53 returned it when only our values are left', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(txtSet('_ACME-challenge.Example.com', ['"ours-1"', '"ours-2"'], 120));

    await provider().instance.deleteTxt({ name: RECORD, values: ['ours-1', 'ours-2'] });

    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input.ChangeBatch).toEqual({
      Comment: 'acmeflow dns-01 DELETE',
      Changes: [
        {
          Action: 'DELETE',
          ResourceRecordSet: {
            Name: '_ACME-challenge.Example.com.',
            Type: 'TXT',
            TTL: 120,
            ResourceRecords: [{ Value: '"ours-1"' }, { Value: '"ours-2"' }],
          },
        },
      ],
    });
  });

  it('succeeds without a change when the set or our values are already gone', async () => {
    route53.on(ListResourceRecordSetsCommand).resolvesOnce({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 }).resolves(txtSet(RECORD, ['"foreign"']));
    const { instance } = provider();

    await instance.deleteTxt({ name: RECORD, values: ['ours'] });
    await instance.deleteTxt({ name: RECORD, values: ['ours'] });

    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
  });

  it('re-reads and retries once when the set changed between read and write', async () => {
    route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce(txtSet(RECORD, ['"ours"'], 60))
      .resolves(txtSet(RECORD, ['"ours"', '"newcomer"'], 60));
    route53
      .on(ChangeResourceRecordSetsCommand)
      .rejectsOnce(
        new InvalidChangeBatch({
          message: `[Tried to delete resource record set [name='${RECORD}.', type='TXT'] but the values provided do not match the current values]`,
          $metadata: { httpStatusCode: 400 },
        }),
      )
      .resolves(changeInfo);

    await provider().instance.deleteTxt({ name: RECORD, values: ['ours'] });

    const calls = route53.commandCalls(ChangeResourceRecordSetsCommand).map((c) => c.args[0].input.ChangeBatch?.Changes?.[0]);
    expect(calls.map((c) => c?.Action)).toEqual(['DELETE', 'UPSERT']);
    expect(calls[1]?.ResourceRecordSet?.ResourceRecords).toEqual([{ Value: '"newcomer"' }]);
  });

  it('gives up after the one retry with a typed error naming Route 53\'s reason', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(txtSet(RECORD, ['"ours"'], 60));
    const rejection = `[Tried to delete resource record set [name='${RECORD}.', type='TXT'] but the values provided do not match the current values]`;
    route53.on(ChangeResourceRecordSetsCommand).rejects(new InvalidChangeBatch({ message: rejection, $metadata: {} }));

    const error = await provider().instance.deleteTxt({ name: RECORD, values: ['ours'] }).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'Route53ChangeRejectedError', record: RECORD, zone: 'example.com', route53Message: rejection });
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(2);
  });

  it('does not retry a rejection that re-reading cannot cure (a CNAME at the name)', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
    const rejection = `[RRSet of type TXT with DNS name ${RECORD}. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone example.com.]`;
    route53.on(ChangeResourceRecordSetsCommand).rejects(new InvalidChangeBatch({ message: rejection, $metadata: {} }));

    const error = await provider().instance.upsertTxt({ name: RECORD, values: ['ours'] }).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'Route53ChangeRejectedError', route53Message: rejection });
    expect((error as Error).message).toMatch(/CNAME delegation/);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(1);
  });
});

describe('Route53DnsProvider back-off', () => {
  beforeEach(() => {
    hostZones([zone('ZCOM', 'example.com')]);
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
  });

  it('backs off with jitter on Throttling and PriorRequestNotComplete, through the injected sleep', async () => {
    route53
      .on(ChangeResourceRecordSetsCommand)
      .rejectsOnce(throttling())
      .rejectsOnce(new PriorRequestNotComplete({ message: 'The request was rejected because Route 53 was still processing a prior request.', $metadata: { httpStatusCode: 400 } }))
      .resolves(changeInfo);
    const { instance, sleep } = provider();

    await expect(instance.upsertTxt({ name: RECORD, values: ['v'] })).resolves.toMatchObject({ id: 'C0001' });

    // random() = 0.5 of a window that doubles from 250 ms.
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([125, 250]);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(3);
  });

  it('retries 5xx answers too', async () => {
    route53
      .on(GetChangeCommand)
      .rejectsOnce(new Route53ServiceException({ name: 'ServiceUnavailable', $fault: 'server', message: 'unavailable', $metadata: { httpStatusCode: 503 } }))
      .resolves({ ChangeInfo: { ...changeInfo.ChangeInfo, Status: 'INSYNC' } });

    await expect(provider().instance.changeStatus({ provider: 'route53', id: 'C0001' })).resolves.toBe('insync');
  });

  it('stops after maxAttempts with Route53ThrottledError', async () => {
    route53.on(ChangeResourceRecordSetsCommand).rejects(throttling());
    const { instance, sleep } = provider({ maxAttempts: 3 });

    await expect(instance.upsertTxt({ name: RECORD, values: ['v'] })).rejects.toMatchObject({
      name: 'Route53ThrottledError',
      action: 'route53:ChangeResourceRecordSets',
      attempts: 3,
      record: RECORD,
    });
    expect(sleep).toHaveBeenCalledTimes(2);
  });

  it('keeps every pause within the cap', async () => {
    route53.on(ChangeResourceRecordSetsCommand).rejects(throttling());
    const { instance, sleep } = provider({ maxAttempts: 10 }, { random: () => 0.999 });

    await instance.upsertTxt({ name: RECORD, values: ['v'] }).catch(() => undefined);

    expect(Math.max(...sleep.mock.calls.map(([ms]) => ms))).toBeLessThan(4_000);
  });
});

describe('Route53DnsProvider errors and status', () => {
  beforeEach(() => hostZones([zone('ZCOM', 'example.com')]));

  it('maps AccessDenied to an error naming the action, the zone and the policy needed', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
    route53.on(ChangeResourceRecordSetsCommand).rejects(
      new Route53ServiceException({ name: 'AccessDenied', $fault: 'client', message: 'not authorized', $metadata: { httpStatusCode: 403 } }),
    );

    const error = await provider().instance.upsertTxt({ name: RECORD, values: ['v'] }).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'Route53AccessDeniedError', action: 'route53:ChangeResourceRecordSets', record: RECORD });
    expect((error as Error).message).toContain('arn:aws:route53:::hostedzone/ZCOM');
    expect((error as Error).message).toContain('route53:ChangeResourceRecordSetsNormalizedRecordNames');
    expect((error as Error).cause).toBeInstanceOf(Route53ServiceException);
  });

  it('fails at once with Route53CredentialsError when the SDK finds no credentials (no retry, the fix named)', async () => {
    route53.reset();
    const missing = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    route53.on(ListHostedZonesByNameCommand).rejects(missing);
    const { instance, sleep } = provider();

    const error = await instance.upsertTxt({ name: RECORD, values: ['v'] }).catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'Route53CredentialsError', action: 'route53:ListHostedZonesByName', record: RECORD });
    expect((error as Error).message).toContain('AWS_PROFILE');
    expect(route53.commandCalls(ListHostedZonesByNameCommand)).toHaveLength(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('maps NoSuchHostedZone for an explicit hostedZoneId to Route53ZoneNotFoundError', async () => {
    route53.on(ListResourceRecordSetsCommand).rejects(
      new Route53ServiceException({ name: 'NoSuchHostedZone', $fault: 'client', message: 'No hosted zone found with ID: ZGONE', $metadata: { httpStatusCode: 404 } }),
    );

    await expect(provider({ hostedZoneId: 'ZGONE' }).instance.upsertTxt({ name: RECORD, values: ['v'] })).rejects.toMatchObject({
      name: 'Route53ZoneNotFoundError',
      zone: 'ZGONE',
      record: RECORD,
    });
  });

  it('reports GetChange INSYNC as insync and PENDING as pending; a ref without id is in sync', async () => {
    route53
      .on(GetChangeCommand)
      .resolvesOnce(changeInfo)
      .resolves({ ChangeInfo: { ...changeInfo.ChangeInfo, Status: 'INSYNC' } });
    const { instance } = provider();

    expect(await instance.changeStatus({ provider: 'route53', id: 'C0001' })).toBe('pending');
    expect(await instance.changeStatus({ provider: 'route53', id: 'C0001' })).toBe('insync');
    expect(await instance.changeStatus({ provider: 'route53' })).toBe('insync');
    expect(route53.commandCalls(GetChangeCommand)[0]?.args[0].input).toEqual({ Id: 'C0001' });
  });

  it('wraps other failures in Route53RequestError with the SDK error as cause', async () => {
    route53.on(GetChangeCommand).rejects(new Route53ServiceException({ name: 'NoSuchChange', $fault: 'client', message: 'no such change', $metadata: { httpStatusCode: 404 } }));

    await expect(provider().instance.changeStatus({ provider: 'route53', id: 'CGONE' })).rejects.toMatchObject({
      name: 'Route53RequestError',
      action: 'route53:GetChange',
      code: 'NoSuchChange',
    });
  });
});

describe('Route 53 role assumption', () => {
  it('assumes roleArn with the external id and returns its credentials', async () => {
    const expiration = new Date('2030-01-01T00:00:00Z');
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIAASSUMED', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: expiration },
    });
    const credentials = assumeRoleCredentials(new STSClient({ region: 'us-east-1' }), {
      roleArn: 'arn:aws:iam::111122223333:role/acmeflow-dns',
      externalId: 'acmeflow-ext',
    });

    await expect(credentials()).resolves.toEqual({ accessKeyId: 'ASIAASSUMED', secretAccessKey: 'secret', sessionToken: 'token', expiration });
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({
      RoleArn: 'arn:aws:iam::111122223333:role/acmeflow-dns',
      RoleSessionName: 'acmeflow-dns-01',
      DurationSeconds: 900,
      ExternalId: 'acmeflow-ext',
    });
  });

  it('turns an STS refusal into Route53AssumeRoleError naming the role and the trust policy', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied' }));
    const credentials = assumeRoleCredentials(new STSClient({ region: 'us-east-1' }), { roleArn: 'arn:aws:iam::111122223333:role/acmeflow-dns' });

    const error = await credentials().catch((e: unknown) => e);

    expect(error).toMatchObject({ name: 'Route53AssumeRoleError', roleArn: 'arn:aws:iam::111122223333:role/acmeflow-dns' });
    expect((error as Error).message).toMatch(/trust policy/);
  });

  it('refuses roleArn together with a client it cannot give the role\'s credentials', () => {
    expect(() =>
      new Route53DnsProvider(route53ConfigSchema.parse({ roleArn: 'arn:aws:iam::111122223333:role/acmeflow-dns' }), {
        client: new Route53Client({ region: 'us-east-1' }),
      }),
    ).toThrow(expect.objectContaining({ name: 'Route53ConfigError' }));
  });
});

describe('Route 53 config and manifest', () => {
  it('applies defaults, strips the /hostedzone/ prefix and rejects externalId without roleArn', () => {
    expect(route53ConfigSchema.parse({ hostedZoneId: '/hostedzone/Z123' })).toEqual({ hostedZoneId: 'Z123', privateZone: false, maxAttempts: 5 });
    expect(route53ConfigSchema.safeParse({ externalId: 'x-123' }).success).toBe(false);
    expect(route53ConfigSchema.safeParse({ roleArn: 'not-an-arn' }).success).toBe(false);
    expect(route53ConfigSchema.safeParse({ hostedZone: 'typo' }).success).toBe(false);
  });

  it('ships the least-privilege IAM policy of the brief', () => {
    const policy = route53IamPolicy({ hostedZoneIds: ['/hostedzone/ZCOM', 'ZSUB'] });
    const [change, read, poll, list] = policy.Statement;

    expect(change).toEqual({
      Sid: 'ChangeAcmeChallengeTxt',
      Effect: 'Allow',
      Action: ['route53:ChangeResourceRecordSets'],
      Resource: ['arn:aws:route53:::hostedzone/ZCOM', 'arn:aws:route53:::hostedzone/ZSUB'],
      Condition: {
        'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*'] },
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'],
          'route53:ChangeResourceRecordSetsActions': ['UPSERT', 'DELETE'],
        },
      },
    });
    expect(read).toMatchObject({ Action: ['route53:ListResourceRecordSets'], Resource: change?.Resource });
    expect(poll).toMatchObject({ Action: ['route53:GetChange'], Resource: ['arn:aws:route53:::change/*'] });
    expect(list).toMatchObject({ Action: ['route53:ListHostedZones', 'route53:ListHostedZonesByName'], Resource: ['*'] });
    expect(route53IamPolicy().Statement[0]?.Resource).toEqual(['arn:aws:route53:::hostedzone/*']);
    expect(route53Manifest.iamPolicy).toBe(route53IamPolicy);
  });
});

describe('Route 53 presentation format', () => {
  it('quotes values, escapes quotes and backslashes, and splits past 255 octets', () => {
    expect(quoteTxtValue('LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0')).toBe('"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"');
    expect(quoteTxtValue('a"b\\c')).toBe('"a\\"b\\\\c"');
    const long = 'x'.repeat(300);
    expect(quoteTxtValue(long)).toBe(`"${'x'.repeat(255)}" "${'x'.repeat(45)}"`);
    expect(unquoteTxtValue(quoteTxtValue(long))).toBe(long);
  });

  it('unquotes multi-string values and Route 53\'s octal escapes; names lose the dot and the case', () => {
    expect(unquoteTxtValue('"abc" "def"')).toBe('abcdef');
    expect(unquoteTxtValue('"a\\"b\\052"')).toBe('a"b*');
    expect(unquoteTxtValue('bare')).toBe('bare');
    expect(route53NameToDnsName('\\052.Example.COM.')).toBe('*.example.com');
  });
});

describe('the manifest\u2019s provider (built on first use)', () => {
  beforeEach(() => route53.reset());

  it('loads the Route 53 provider at its first record and then behaves as it does', async () => {
    hostZones([zone('Z1', 'example.com')]);
    route53.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 1 });
    route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo);
    route53.on(GetChangeCommand).resolves({ ChangeInfo: { ...changeInfo.ChangeInfo, Status: 'INSYNC' } });
    const dns = route53Manifest.create(route53ConfigSchema.parse({}), { client: new Route53Client({ region: 'us-east-1' }), sleep: async () => {}, random: () => 0.5 });
    expect(dns.code).toBe('route53');
    expect(route53.calls()).toHaveLength(0);
    const ref = await dns.upsertTxt({ name: RECORD, values: ['v1'] });
    expect(ref).toMatchObject({ provider: 'route53', id: 'C0001' });
    expect(await dns.changeStatus?.(ref)).toBe('insync');
    await dns.deleteTxt({ name: RECORD, values: ['v1'] });
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand).map((c) => c.args[0].input.ChangeBatch?.Changes?.[0]?.Action)).toEqual(['UPSERT']);
  });

  it('still refuses a roleArn with a ready-made client when it is created, not at its first record', () => {
    expect(() => route53Manifest.create(route53ConfigSchema.parse({ roleArn: 'arn:aws:iam::123456789012:role/dns' }), { client: new Route53Client({ region: 'us-east-1' }) })).toThrow(
      expect.objectContaining({ name: 'Route53ConfigError' }),
    );
  });
});
