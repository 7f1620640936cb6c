import { describe, expect, it, vi } from 'vitest';
import {
  cloudflareConfigSchema,
  CloudflareDnsProvider,
  cloudflareManifest,
  readCloudflareCredentials,
} from '../../../../shared/dns/providers/cloudflare/index.js';

const ZONE_ID = '023e105f4ecef8ad9ca31a8372d0c353';

function file(text: string, mode = 0o100600) {
  return { readFile: vi.fn(async () => text), stat: vi.fn(async () => ({ mode })) };
}

describe('readCloudflareCredentials', () => {
  it('reads dns_cloudflare_api_token, with comments, quotes and the legacy prefix', async () => {
    await expect(readCloudflareCredentials('/c.ini', file('# comment\ndns_cloudflare_api_token = abc123\n'))).resolves.toEqual({ apiToken: 'abc123' });
    await expect(readCloudflareCredentials('/c.ini', file('dns_cloudflare_api_token="quoted"'))).resolves.toEqual({ apiToken: 'quoted' });
    await expect(readCloudflareCredentials('/c.ini', file('certbot_dns_cloudflare:dns_cloudflare_api_token = legacy'))).resolves.toEqual({ apiToken: 'legacy' });
  });

  it('warns through the callback when group or others may read the file', async () => {
    const warn = vi.fn();
    await readCloudflareCredentials('/etc/letsencrypt/cloudflare.ini', { ...file('dns_cloudflare_api_token = t', 0o100640), warn });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('/etc/letsencrypt/cloudflare.ini (mode 0640)'));
    expect(warn.mock.calls[0]?.[0]).not.toContain('= t');
  });

  it('refuses a file with only the global API key, or without a token, naming the file', async () => {
    await expect(readCloudflareCredentials('/c.ini', file('dns_cloudflare_email = a@b\ndns_cloudflare_api_key = k'))).rejects.toMatchObject({
      name: 'CloudflareCredentialsError',
      message: expect.stringMatching(/global API key.*Zone:DNS:Edit/),
    });
    await expect(readCloudflareCredentials('/c.ini', file(''))).rejects.toMatchObject({
      name: 'CloudflareCredentialsError',
      message: expect.stringContaining('/c.ini'),
    });
  });

  it('turns a missing file into CloudflareCredentialsFileNotFoundError', async () => {
    const enoent = Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    await expect(
      readCloudflareCredentials('/missing.ini', { readFile: async () => Promise.reject(enoent), stat: async () => Promise.reject(enoent) }),
    ).rejects.toMatchObject({ name: 'CloudflareCredentialsFileNotFoundError', path: '/missing.ini', cause: enoent });
  });
});

describe('CloudflareDnsProvider requests', () => {
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  it('sends the Bearer token and the TXT record shape to the injected fetch and base URL', async () => {
    const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
      void init;
      return String(url).includes('/dns_records?')
        ? json({ success: true, errors: [], result: [], result_info: { page: 1, total_pages: 1 } })
        : json({ success: true, errors: [], result: { id: 'r1' } });
    });
    const provider = new CloudflareDnsProvider(cloudflareConfigSchema.parse({ zoneId: ZONE_ID }), {
      fetch: fetch as typeof globalThis.fetch,
      baseUrl: 'https://cf.test/client/v4/',
      apiToken: async () => 'token-from-secrets-manager',
    });

    await provider.upsertTxt({ name: '_acme-challenge.Example.com.', values: ['value'], ttl: 120 });

    const [listUrl, listInit] = fetch.mock.calls[0] ?? [];
    expect(String(listUrl)).toBe(`https://cf.test/client/v4/zones/${ZONE_ID}/dns_records?type=TXT&name=_acme-challenge.example.com&page=1&per_page=100`);
    expect(listInit?.headers).toMatchObject({ authorization: 'Bearer token-from-secrets-manager' });
    const [createUrl, createInit] = fetch.mock.calls[1] ?? [];
    expect(String(createUrl)).toBe(`https://cf.test/client/v4/zones/${ZONE_ID}/dns_records`);
    expect(createInit?.method).toBe('POST');
    expect(JSON.parse(String(createInit?.body))).toEqual({ type: 'TXT', name: '_acme-challenge.example.com', content: 'value', ttl: 120, comment: 'acmeflow dns-01' });
  });

  it('maps an API error envelope to CloudflareApiError with the codes', async () => {
    const fetch = vi.fn(async () => json({ success: false, errors: [{ code: 1004, message: 'DNS Validation Error' }], result: null }, 400));
    const provider = new CloudflareDnsProvider({ zoneId: ZONE_ID }, { fetch: fetch as typeof globalThis.fetch, apiToken: 't' });

    await expect(provider.deleteTxt({ name: '_acme-challenge.example.com', values: ['v'] })).rejects.toMatchObject({
      name: 'CloudflareApiError',
      status: 400,
      errors: [{ code: 1004, message: 'DNS Validation Error' }],
      record: '_acme-challenge.example.com',
    });
  });

  it('turns a network failure into CloudflareApiError with the cause', async () => {
    const cause = new TypeError('fetch failed');
    const provider = new CloudflareDnsProvider({ zoneId: ZONE_ID }, { fetch: (async () => Promise.reject(cause)) as typeof globalThis.fetch, apiToken: 't' });
    await expect(provider.upsertTxt({ name: '_acme-challenge.example.com', values: ['v'] })).rejects.toMatchObject({ name: 'CloudflareApiError', cause });
  });
});

describe('cloudflare manifest', () => {
  it('declares the token scope and env names, and takes no secret in its config', () => {
    expect(cloudflareManifest.permissions).toContain('Zone:DNS:Edit');
    expect(cloudflareManifest.credentialEnv).toEqual(['CLOUDFLARE_DNS_API_TOKEN', 'CF_DNS_API_TOKEN']);
    expect(cloudflareConfigSchema.safeParse({ apiToken: 'secret' }).success).toBe(false);
    expect(cloudflareConfigSchema.safeParse({ zoneId: 'not-hex' }).success).toBe(false);
  });
});
