/** CloudflareDnsProvider over HTTP against the Cloudflare API fake (page size 2, so every list pages). */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cloudflareConfigSchema, CloudflareDnsProvider, type CloudflareDnsProviderDeps } from '../../../../shared/dns/providers/cloudflare/index.js';
import { startCloudflareFake, type CloudflareFake } from '../../../../harness/cloudflare-fake.js';

const TOKEN = 'cf-test-token-with-dns-edit';
let fake: CloudflareFake;
let dir: string;

beforeAll(async () => {
  fake = await startCloudflareFake({ zones: ['example.com', 'sub.example.com', 'example.net'], token: TOKEN, readOnlyToken: 'read-only', pageSize: 2 });
  dir = await mkdtemp(join(tmpdir(), 'acmeflow-cloudflare-'));
});
afterAll(async () => {
  await fake.stop();
  await rm(dir, { recursive: true, force: true });
});
let counter = 0;
/** A fresh record name per test, so tests do not see each other's records. */
const fresh = () => `_acme-challenge.t${++counter}.example.com`;

function provider(config: Record<string, unknown> = {}, deps: CloudflareDnsProviderDeps = {}) {
  return new CloudflareDnsProvider(cloudflareConfigSchema.parse(config), { baseUrl: fake.baseUrl, apiToken: TOKEN, env: {}, ...deps });
}

afterEach(() => vi.restoreAllMocks());

describe('CloudflareDnsProvider against the Cloudflare fake', () => {
  it('creates one record per missing value next to foreign ones, idempotently', async () => {
    const name = fresh();
    fake.put({ name, content: '"foreign-quoted"' });
    fake.put({ name, content: 'foreign-2' });
    fake.put({ name, content: 'foreign-3' });
    fake.put({ name, content: 'ours-1' });

    const ref = await provider().upsertTxt({ name, values: ['ours-1', 'ours-2'] });
    await provider().upsertTxt({ name, values: ['ours-1', 'ours-2'] });

    expect(ref).toEqual({ provider: 'cloudflare', zoneId: fake.zoneId('example.com') });
    expect(fake.txt(name)).toEqual(['"foreign-quoted"', 'foreign-2', 'foreign-3', 'ours-1', 'ours-2']);
    const creates = fake.calls.filter((c) => c.method === 'POST' && (c.body as { name?: string }).name === name);
    expect(creates.map((c) => c.body)).toEqual([{ type: 'TXT', name, content: 'ours-2', ttl: 60, comment: 'acmeflow dns-01' }]);
    // The listing really paged (page size 2, four records before the upsert).
    expect(fake.calls.some((c) => c.method === 'GET' && c.query.page === '3')).toBe(true);
  });

  it('deletes only our values, found on any page, and a second delete succeeds', async () => {
    const name = fresh();
    for (const content of ['f1', 'f2', 'f3', 'f4']) fake.put({ name, content });
    fake.put({ name, content: '"ours"' });

    await provider().deleteTxt({ name, values: ['ours'] });
    await provider().deleteTxt({ name, values: ['ours'] });

    expect(fake.txt(name)).toEqual(['f1', 'f2', 'f3', 'f4']);
  });

  it('writes into the zone with the longest matching name', async () => {
    await provider().upsertTxt({ name: '_acme-challenge.www.sub.example.com', values: ['sub'] });

    const post = fake.calls.filter((c) => c.method === 'POST').at(-1);
    expect(post?.path).toBe(`/client/v4/zones/${fake.zoneId('sub.example.com')}/dns_records`);
    expect(fake.calls.filter((c) => c.path === '/client/v4/zones').map((c) => c.query.name)).toEqual(
      expect.arrayContaining(['_acme-challenge.www.sub.example.com', 'www.sub.example.com', 'sub.example.com']),
    );
  });

  it('uses zoneId without looking zones up', async () => {
    const before = fake.calls.filter((c) => c.path === '/client/v4/zones').length;
    await provider({ zoneId: fake.zoneId('example.com') }).upsertTxt({ name: fresh(), values: ['v'] });
    expect(fake.calls.filter((c) => c.path === '/client/v4/zones')).toHaveLength(before);
  });

  it('names the token scope when the token is wrong or may only read', async () => {
    for (const apiToken of ['wrong-token', 'read-only']) {
      const error = await provider({}, { apiToken }).upsertTxt({ name: fresh(), values: ['v'] }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'CloudflareAuthError', status: 403, errors: [{ code: 10000, message: 'Authentication error' }] });
      expect((error as Error).message).toContain('Zone:DNS:Edit');
      expect((error as Error).message).not.toContain(apiToken);
    }
  });

  it('reports a record no zone holds, and rate limiting with Retry-After', async () => {
    await expect(provider().upsertTxt({ name: '_acme-challenge.example.org', values: ['v'] })).rejects.toMatchObject({
      name: 'CloudflareZoneNotFoundError',
      record: '_acme-challenge.example.org',
    });
    fake.inject({ kind: 'rate-limit' });
    await expect(provider().upsertTxt({ name: fresh(), values: ['v'] })).rejects.toMatchObject({ name: 'CloudflareRateLimitedError', retryAfter: 30 });
  });

  it('reads the token from a certbot INI file and warns when the file is readable by others', async () => {
    const file = join(dir, 'cloudflare.ini');
    await writeFile(file, `# certbot-dns-cloudflare\ndns_cloudflare_api_token = ${TOKEN}\n`);
    await chmod(file, 0o644);
    const warn = vi.fn();

    await provider({ credentialsFile: file }, { apiToken: undefined, warn }).upsertTxt({ name: fresh(), values: ['from-ini'] });

    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatch(/readable by group or others.*chmod 600/);
    await chmod(file, 0o600);
    const quiet = vi.fn();
    await provider({ credentialsFile: file }, { apiToken: undefined, warn: quiet }).upsertTxt({ name: fresh(), values: ['again'] });
    expect(quiet).not.toHaveBeenCalled();
  });

  it('fails with a typed error naming a missing credentials file, and falls back to the environment', async () => {
    const missing = join(dir, 'nope.ini');
    const error = await provider({ credentialsFile: missing }, { apiToken: undefined }).upsertTxt({ name: fresh(), values: ['v'] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'CloudflareCredentialsFileNotFoundError', path: missing });
    expect((error as Error).message).toContain(missing);

    const name = fresh();
    await provider({}, { apiToken: undefined, env: { CF_DNS_API_TOKEN: TOKEN } }).upsertTxt({ name, values: ['from-env'] });
    expect(fake.txt(name)).toEqual(['from-env']);
    await expect(provider({}, { apiToken: undefined }).upsertTxt({ name, values: ['v'] })).rejects.toMatchObject({ name: 'CloudflareCredentialsError' });
  });
});
