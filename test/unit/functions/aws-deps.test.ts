/**
 * awsDepsFromEnv with aws-sdk-client-mock: what it reads from the environment, the exact calls its
 * adapters make (bucket, KMS key, secret names, event bus), how EAB and DNS credentials are read
 * from Secrets Manager, and that no secret value reaches an error message.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveLineageSpec } from '../../../shared/config/index.js';
import { AWS_DEPS_ENV, awsDepsFromEnv } from '../../../functions/runtime/aws-deps.js';
import { getDirectory } from '../../../shared/acme/index.js';
import type { HttpTransport } from '../../../shared/http/index.js';
import type { Logger } from '../../../shared/workflow/index.js';

const s3 = mockClient(S3Client);
const sm = mockClient(SecretsManagerClient);
const eb = mockClient(EventBridgeClient);

const ENV = {
  ACMEFLOW_BUCKET: 'acmeflow-certs-123456789012',
  ACMEFLOW_KMS_KEY_ID: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  ACMEFLOW_SECRET_PREFIX: 'team/acmeflow/',
  ACMEFLOW_EVENT_BUS: 'acmeflow-bus',
  AWS_REGION: 'eu-west-1',
};
const credentials = { accessKeyId: 'AKIDUNIT', secretAccessKey: 'unit' };
const clientConfig = { s3: { credentials }, secretsManager: { credentials }, eventBridge: { credentials }, acm: { credentials } };
const quietLog: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const build = (env: Record<string, string | undefined> = ENV, extra: Parameters<typeof awsDepsFromEnv>[1] = {}) =>
  awsDepsFromEnv(env, { clientConfig, log: quietLog, ...extra });

const secret = (value: unknown) => ({ SecretString: typeof value === 'string' ? value : JSON.stringify(value) });
const notFound = () => new ResourceNotFoundException({ $metadata: {}, message: "Secrets Manager can't find the specified secret." });
const secretIds = () => sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId);

beforeEach(() => {
  s3.reset();
  sm.reset();
  eb.reset();
});

describe('AWS_DEPS_ENV', () => {
  it('lists every variable once, the required ones being the bucket and the region', () => {
    const names = AWS_DEPS_ENV.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    expect(AWS_DEPS_ENV.filter((v) => v.required).map((v) => v.name).sort()).toEqual(['ACMEFLOW_BUCKET', 'AWS_REGION']);
    expect(AWS_DEPS_ENV.find((v) => v.name === 'ACMEFLOW_SECRET_PREFIX')?.default).toBe('acmeflow/');
  });
});

describe('awsDepsFromEnv configuration', () => {
  it.each(['ACMEFLOW_BUCKET', 'AWS_REGION'])('fails with ConfigurationError naming %s when it is missing', async (name) => {
    const env: Record<string, string | undefined> = { ...ENV, [name]: undefined };
    await expect(build(env)).rejects.toMatchObject({ name: 'ConfigurationError', variable: name, message: expect.stringContaining(name) });
  });

  it('refuses an ACMEFLOW_ACM_IMPORT that is neither true nor false', async () => {
    await expect(build({ ...ENV, ACMEFLOW_ACM_IMPORT: 'yes' })).rejects.toMatchObject({ name: 'ConfigurationError', variable: 'ACMEFLOW_ACM_IMPORT' });
  });

  it('adds the ACM import target only with ACMEFLOW_ACM_IMPORT=true', async () => {
    expect((await build({ ...ENV, ACMEFLOW_ACM_IMPORT: 'true' })).targets?.map((t) => t.name)).toEqual(['acm']);
    expect((await build({ ...ENV, ACMEFLOW_ACM_IMPORT: 'false' })).targets).toBeUndefined();
    expect((await build()).targets).toBeUndefined();
  });

  it('makes no AWS call while building', async () => {
    await build();
    expect(s3.calls()).toHaveLength(0);
    expect(sm.calls()).toHaveLength(0);
    expect(eb.calls()).toHaveLength(0);
  });

  it('locates files in S3 and keys where the lineage keeps them: keys/ by default, else under the secret prefix', async () => {
    const deps = await build();
    expect(deps.locate('example.com')).toEqual({
      location: 's3://acmeflow-certs-123456789012/live/example.com/',
      keyLocation: 's3://acmeflow-certs-123456789012/keys/example.com/',
    });
    expect(deps.locate('example.com', { keyStore: 'secretsManager' }).keyLocation).toBe('team/acmeflow/cert/example.com');
    const plain = await build({ ACMEFLOW_BUCKET: 'b', AWS_REGION: 'us-east-1', ACMEFLOW_KEY_STORE: 'secretsManager' });
    expect(plain.locate('x').keyLocation).toBe('acmeflow/cert/x');
    expect(plain.locate('x', { keyStore: 's3' }).keyLocation).toBe('s3://b/keys/x/');
    await expect(build({ ACMEFLOW_BUCKET: 'b', AWS_REGION: 'us-east-1', ACMEFLOW_KEY_STORE: 'dynamo' })).rejects.toMatchObject({
      name: 'ConfigurationError',
      variable: 'ACMEFLOW_KEY_STORE',
    });
  });

  it('keeps one ACME context per directory URL (a warm container keeps its nonces)', async () => {
    const deps = await build();
    const a = deps.acme('https://ca.test/dir');
    expect(deps.acme('https://ca.test/dir')).toBe(a);
    expect(deps.acme('https://other.test/dir')).not.toBe(a);
    expect(a.directoryUrl).toBe('https://ca.test/dir');
  });

  it('sends ACME requests through the given transport, which wins over a given fetch', async () => {
    const sent: string[] = [];
    const transport: HttpTransport = async (request) => {
      sent.push(`${request.method} ${request.url}`);
      return { status: 200, headers: { get: () => null }, body: JSON.stringify({ newNonce: 'https://ca.test/nonce', newAccount: 'https://ca.test/acct', newOrder: 'https://ca.test/order' }) };
    };
    const fetch = (async () => {
      throw new Error('the fetch was used');
    }) as typeof globalThis.fetch;
    const deps = await build(ENV, { transport, fetch });
    await getDirectory(deps.acme('https://ca.test/transport-dir'));
    expect(sent).toEqual(['GET https://ca.test/transport-dir']);
  });
});

describe('the adapters it builds', () => {
  it('S3: writes to the bucket with SSE-KMS under the configured key; sweep plans too', async () => {
    s3.on(PutObjectCommand).resolves({ ETag: '"e1"' });
    const deps = await build();
    const spec = resolveLineageSpec({ name: 'shop', domains: ['shop.example.test'], keyType: 'ecdsa-p256', ca: { directoryUrl: 'https://ca.test/dir' }, dns: { provider: 'route53' } });
    await deps.store.putLineage({ spec, state: { currentVersion: 0 } }, { expectedEtag: null });
    await deps.sweeps?.putPlan('sweep-1', [{ lineage: 'shop', expectedVersion: 0, force: false, dryRun: false }]);
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.Key)).toEqual(['renewal/shop.json', 'sweeps/sweep-1/plan.json']);
    for (const put of puts) {
      expect(put).toMatchObject({ Bucket: ENV.ACMEFLOW_BUCKET, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: ENV.ACMEFLOW_KMS_KEY_ID });
    }
  });

  it('Secrets Manager: account keys under <prefix>account/', async () => {
    sm.on(GetSecretValueCommand).rejects(notFound());
    const deps = await build();
    await expect(deps.keys.getAccountKey('ca.test-dir')).resolves.toBeUndefined();
    expect(secretIds()).toEqual(['team/acmeflow/account/ca.test-dir']);
  });

  it('EventBridge: events go to ACMEFLOW_EVENT_BUS with source acmeflow', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    const deps = await build();
    await deps.events.publish([{ detailType: 'Renewal Sweep Completed', detail: { attempted: 1, renewed: ['a'], failed: [], skipped: 0, dryRun: false } }]);
    const entries = eb.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries).toEqual([expect.objectContaining({ EventBusName: 'acmeflow-bus', Source: 'acmeflow', DetailType: 'Renewal Sweep Completed' })]);
  });
});

describe('resolveEab', () => {
  it('reads { kid, hmacKey, algorithm } from the named secret', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'acmeflow/eab/jprs' }).resolves(secret({ kid: 'kid-1', hmacKey: 'aG1hYy1rZXk', algorithm: 'HS512' }));
    const deps = await build();
    await expect(deps.resolveEab('acmeflow/eab/jprs')).resolves.toEqual({ kid: 'kid-1', hmacKey: 'aG1hYy1rZXk', algorithm: 'HS512' });
    expect(secretIds()).toEqual(['acmeflow/eab/jprs']);
  });

  it('names the secret and the expected shape when it is missing', async () => {
    sm.on(GetSecretValueCommand).rejects(notFound());
    const deps = await build();
    const err = (await deps.resolveEab('acmeflow/eab/missing').catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('EabCredentialsError');
    expect(err.message).toContain('"acmeflow/eab/missing"');
    expect(err.message).toContain('does not exist');
    expect(err.message).toContain('"kid"');
    expect(err.message).toContain('"hmacKey"');
  });

  it.each([
    ['not JSON', 'hmac=SUPERSECRETVALUE', 'does not hold JSON'],
    ['no hmacKey', { kid: 'kid-1', hmac: 'SUPERSECRETVALUE' }, 'no "hmacKey"'],
    ['no kid', { hmacKey: 'SUPERSECRETVALUE' }, 'no "kid"'],
    ['a bad algorithm', { kid: 'k', hmacKey: 'SUPERSECRETVALUE', algorithm: 'RS256' }, '"algorithm"'],
    ['an array', ['SUPERSECRETVALUE'], 'JSON object'],
  ])('refuses a secret holding %s without echoing its value', async (_what, value, problem) => {
    sm.on(GetSecretValueCommand).resolves(secret(value));
    const deps = await build();
    const err = (await deps.resolveEab('acmeflow/eab/bad').catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('EabCredentialsError');
    expect(err.message).toContain(problem);
    expect(err.message).not.toContain('SUPERSECRETVALUE');
    expect(String((err as { cause?: unknown }).cause ?? '')).not.toContain('SUPERSECRETVALUE');
  });

  it('refuses a binary secret', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    const deps = await build();
    await expect(deps.resolveEab('acmeflow/eab/bin')).rejects.toMatchObject({ name: 'EabCredentialsError', message: expect.stringContaining('no SecretString') });
  });
});

describe('dnsProvider', () => {
  const dns = (provider: string, config: Record<string, unknown>, credentialsRef?: string) =>
    resolveLineageSpec({
      domains: ['shop.example.test'],
      keyType: 'ecdsa-p256',
      ca: { directoryUrl: 'https://ca.test/dir' },
      dns: { provider, config, ...(credentialsRef ? { credentialsRef } : {}) },
    }).dns;

  it('acme-dns: the registrations come from the secret and are used for the update call', async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'acmeflow/dns/acme-dns' }).resolves(
      secret({ registrations: { 'shop.example.test': { username: 'user-1', password: 'pass-SECRET', subdomain: 'sub-1', fulldomain: 'sub-1.auth.example.test' } } }),
    );
    const requests: { url: string; headers: Record<string, string>; body: string }[] = [];
    const fetch = (async (url: string, init?: RequestInit) => {
      requests.push({ url, headers: init?.headers as Record<string, string>, body: String(init?.body) });
      return new Response('{}', { status: 200 });
    }) as typeof globalThis.fetch;
    const deps = await build(ENV, { fetch });
    const provider = await deps.dnsProvider(dns('acme-dns', { apiUrl: 'https://auth.example.test' }, 'acmeflow/dns/acme-dns'));
    expect(provider.code).toBe('acme-dns');
    await provider.upsertTxt({ name: '_acme-challenge.shop.example.test', values: ['v1'] });
    expect(requests).toEqual([
      { url: 'https://auth.example.test/update', headers: expect.objectContaining({ 'x-api-user': 'user-1', 'x-api-key': 'pass-SECRET' }), body: JSON.stringify({ subdomain: 'sub-1', txt: 'v1' }) },
    ]);
  });

  it('cloudflare: the apiToken from the secret is the bearer token', async () => {
    sm.on(GetSecretValueCommand).resolves(secret({ apiToken: 'cf-token-SECRET' }));
    const auth: string[] = [];
    const fetch = (async (_url: string, init?: RequestInit) => {
      auth.push((init?.headers as Record<string, string> | undefined)?.['authorization'] ?? '');
      const result = init?.method === 'POST' ? { id: 'rec-1', type: 'TXT', name: '_acme-challenge.shop.example.test', content: '"v1"' } : [];
      return new Response(JSON.stringify({ success: true, errors: [], result, result_info: { page: 1, total_pages: 1 } }), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof globalThis.fetch;
    const deps = await build(ENV, { fetch });
    const provider = await deps.dnsProvider(dns('cloudflare', { zoneId: '0123456789abcdef0123456789abcdef' }, 'acmeflow/dns/cf'));
    await provider.upsertTxt({ name: '_acme-challenge.shop.example.test', values: ['v1'] });
    expect(auth.length).toBeGreaterThan(0);
    expect(new Set(auth)).toEqual(new Set(['Bearer cf-token-SECRET']));
  });

  it('rfc2136: a secret without "tsig" is refused, naming the secret and the expected shape', async () => {
    sm.on(GetSecretValueCommand).resolves(secret({ key: 'k', secret: 'c2VjcmV0LXZhbHVl' }));
    const deps = await build();
    const err = (await deps.dnsProvider(dns('rfc2136', { server: '192.0.2.53' }, 'acmeflow/dns/bind')).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('DnsCredentialsError');
    expect(err.message).toContain('"acmeflow/dns/bind"');
    expect(err.message).toContain('"tsig"');
    expect(err.message).not.toContain('c2VjcmV0LXZhbHVl');
  });

  it('rfc2136: a TSIG secret that is not base64 is refused by the provider schema without echoing it', async () => {
    sm.on(GetSecretValueCommand).resolves(secret({ tsig: { name: 'acmeflow.', algorithm: 'hmac-sha256', secret: 'not base64 !!SECRET' } }));
    const deps = await build();
    const err = (await deps.dnsProvider(dns('rfc2136', { server: '192.0.2.53' }, 'acmeflow/dns/bind')).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('DnsProviderConfigError');
    expect(err.message).toContain('tsig.secret');
    expect(err.message).not.toContain('!!SECRET');
  });

  it('refuses certbot\u2019s manual hooks: a Lambda runs no command of the operator\u2019s machine', async () => {
    const deps = await build();
    await expect(deps.dnsProvider(dns('manual', { authHook: '/usr/local/bin/dns-add' }))).rejects.toMatchObject({ name: 'DnsProviderConfigError', providerCode: 'manual' });
  });

  it('a missing credentials secret is a DnsCredentialsError', async () => {
    sm.on(GetSecretValueCommand).rejects(notFound());
    const deps = await build();
    await expect(deps.dnsProvider(dns('cloudflare', {}, 'acmeflow/dns/none'))).rejects.toMatchObject({ name: 'DnsCredentialsError', secretRef: 'acmeflow/dns/none', provider: 'cloudflare' });
  });

  it('reads the secret on every call, and keeps a provider without secret for the container', async () => {
    sm.on(GetSecretValueCommand).resolves(secret({ apiToken: 't' }));
    const deps = await build();
    await deps.dnsProvider(dns('cloudflare', {}, 'acmeflow/dns/cf'));
    await deps.dnsProvider(dns('cloudflare', {}, 'acmeflow/dns/cf'));
    expect(secretIds()).toEqual(['acmeflow/dns/cf', 'acmeflow/dns/cf']);
    const r53 = dns('route53', { hostedZoneId: 'Z0123456789ABCDEFGHIJ' });
    expect(await deps.dnsProvider(r53)).toBe(await deps.dnsProvider(r53));
    expect(await deps.dnsProvider(dns('route53', { hostedZoneId: 'Z0123456789ABCDEFGHIK' }))).not.toBe(await deps.dnsProvider(r53));
  });

  it('an unknown provider code is the registry\u2019s UnknownDnsProviderError', async () => {
    const deps = await build();
    await expect(deps.dnsProvider(dns('nope', {}))).rejects.toMatchObject({ name: 'UnknownDnsProviderError' });
  });
});
