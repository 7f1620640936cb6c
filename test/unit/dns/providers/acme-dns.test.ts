import { describe, expect, it, vi } from 'vitest';
import { acmeDnsConfigSchema, AcmeDnsProvider, acmeDnsManifest } from '../../../../shared/dns/providers/acme-dns/index.js';

const registration = {
  username: 'eabcdb41-d89f-4580-826f-3e62e9755ef2',
  password: 'pbAXVjlIOE01xbut7YnAbkhMQIkcwoHO0ek2j4Q0',
  fulldomain: 'd420c923-bbd7-4056-ab64-c3ca54c9b3cf.auth.example.org',
  subdomain: 'd420c923-bbd7-4056-ab64-c3ca54c9b3cf',
  allowfrom: [],
};

describe('acme-dns config', () => {
  it('takes the registration JSON of certbot-dns-acmedns / lego as is, and needs a server for each', () => {
    const parsed = acmeDnsConfigSchema.parse({ apiUrl: 'https://auth.example.org', registrations: { 'example.com': registration } });
    expect(parsed.registrations['example.com']).toEqual(registration);
    expect(acmeDnsConfigSchema.safeParse({ registrations: { 'example.com': registration } }).success).toBe(false);
    expect(acmeDnsConfigSchema.safeParse({ registrations: { 'example.com': { ...registration, server_url: 'https://auth.example.org' } } }).success).toBe(true);
    expect(acmeDnsManifest.code).toBe('acme-dns');
  });
});

describe('AcmeDnsProvider', () => {
  it('POSTs /update on the registration\'s server with X-Api-User, X-Api-Key and { subdomain, txt }', async () => {
    const fetch = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => new Response('{"txt":"x"}', { status: 200 }));
    const provider = new AcmeDnsProvider(
      acmeDnsConfigSchema.parse({ registrations: { 'example.com': { ...registration, server_url: 'https://auth.example.org/' } } }),
      { fetch: fetch as typeof globalThis.fetch },
    );
    const txt = 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';

    await provider.upsertTxt({ name: '_acme-challenge.Example.com', values: [txt] });

    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(String(url)).toBe('https://auth.example.org/update');
    expect(init?.method).toBe('POST');
    expect(init?.headers).toMatchObject({ 'x-api-user': registration.username, 'x-api-key': registration.password });
    expect(JSON.parse(String(init?.body))).toEqual({ subdomain: registration.subdomain, txt });
  });

  it('turns a network failure into AcmeDnsRequestError with the cause', async () => {
    const cause = new TypeError('fetch failed');
    const provider = new AcmeDnsProvider(acmeDnsConfigSchema.parse({ apiUrl: 'https://auth.example.org', registrations: { 'example.com': registration } }), {
      fetch: (async () => Promise.reject(cause)) as typeof globalThis.fetch,
    });
    await expect(provider.upsertTxt({ name: '_acme-challenge.example.com', values: ['v'] })).rejects.toMatchObject({ name: 'AcmeDnsRequestError', cause });
  });
});
