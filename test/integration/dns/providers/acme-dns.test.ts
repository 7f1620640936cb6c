/** AcmeDnsProvider over HTTP against the acme-dns fake. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeDnsConfigSchema, AcmeDnsProvider } from '../../../../shared/dns/providers/acme-dns/index.js';
import { startAcmeDnsFake, type AcmeDnsFake, type AcmeDnsFakeRegistration } from '../../../../harness/acme-dns-fake.js';

/** dns-01 values are 43 characters of base64url (RFC 8555 §8.4); acme-dns accepts nothing else. */
const value = (char: string) => char.repeat(43);
let fake: AcmeDnsFake;
let example: AcmeDnsFakeRegistration;
let other: AcmeDnsFakeRegistration;

beforeAll(async () => {
  fake = await startAcmeDnsFake();
  example = fake.register();
  other = fake.register();
});
afterAll(() => fake.stop());

/** The registration file as certbot-dns-acmedns / lego write it, keyed by domain. */
function provider(registrations?: Record<string, unknown>) {
  return new AcmeDnsProvider(
    acmeDnsConfigSchema.parse({
      apiUrl: fake.url,
      registrations: registrations ?? { 'example.com': example, 'other.example': { ...other, server_url: fake.url } },
    }),
  );
}

describe('AcmeDnsProvider against the acme-dns fake', () => {
  it('posts each value with the registration credentials; acme-dns serves the two', async () => {
    const ref = await provider().upsertTxt({ name: '_acme-challenge.example.com', values: [value('a'), value('b')] });

    expect(ref).toEqual({ provider: 'acme-dns' });
    expect(fake.values(example.subdomain)).toEqual([value('a'), value('b')]);
    const updates = fake.calls.filter((c) => c.path === '/update').slice(-2);
    expect(updates).toEqual([
      { method: 'POST', path: '/update', apiUser: example.username, body: { subdomain: example.subdomain, txt: value('a') }, status: 200 },
      { method: 'POST', path: '/update', apiUser: example.username, body: { subdomain: example.subdomain, txt: value('b') }, status: 200 },
    ]);
  });

  it('finds the registration by fulldomain (after CNAME delegation) and by wildcard key', async () => {
    await provider().upsertTxt({ name: other.fulldomain, values: [value('c')] });
    await provider({ '*.example.com': example }).upsertTxt({ name: '_acme-challenge.example.com', values: [value('d')] });

    expect(fake.values(other.subdomain)).toEqual([value('c')]);
    expect(fake.values(example.subdomain).at(-1)).toBe(value('d'));
  });

  it('re-posting the same pair converges to the same pair', async () => {
    const p = provider();
    await p.upsertTxt({ name: '_acme-challenge.example.com', values: [value('e'), value('f')] });
    await p.upsertTxt({ name: '_acme-challenge.example.com', values: [value('e'), value('f')] });
    expect(fake.values(example.subdomain)).toEqual([value('e'), value('f')]);
  });

  it('deletes by doing nothing, successfully, any number of times', async () => {
    const before = fake.calls.length;
    await provider().deleteTxt({ name: '_acme-challenge.example.com', values: [value('e')] });
    await provider().deleteTxt({ name: '_acme-challenge.example.com', values: [value('e')] });
    expect(fake.calls).toHaveLength(before);
  });

  it('maps wrong credentials, a bad value, too many values and an unknown name to typed errors', async () => {
    await expect(
      provider({ 'example.com': { ...example, password: 'wrong' } }).upsertTxt({ name: '_acme-challenge.example.com', values: [value('g')] }),
    ).rejects.toMatchObject({ name: 'AcmeDnsAuthError', record: '_acme-challenge.example.com', zone: example.fulldomain });
    await expect(provider().upsertTxt({ name: '_acme-challenge.example.com', values: ['short'] })).rejects.toMatchObject({
      name: 'AcmeDnsRequestError',
      status: 400,
      code: 'bad_txt',
    });
    await expect(provider().upsertTxt({ name: '_acme-challenge.example.com', values: [value('h'), value('i'), value('j')] })).rejects.toMatchObject({
      name: 'AcmeDnsTooManyValuesError',
    });
    const error = await provider().upsertTxt({ name: '_acme-challenge.unknown.example', values: [value('k')] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AcmeDnsRegistrationNotFoundError', known: ['example.com', 'other.example'] });
    expect((error as Error).message).toMatch(/CNAME/);
  });
});
