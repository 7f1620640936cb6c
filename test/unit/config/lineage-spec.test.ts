import { describe, expect, it } from 'vitest';
import { CA_PRESETS } from '../../../shared/config/ca-presets.js';
import { resolveLineageSpec } from '../../../shared/config/lineage-spec.js';

const base = { domains: ['Example.jp', 'www.example.jp'], keyType: 'rsa-2048', dns: { provider: 'route53' } };

describe('resolveLineageSpec', () => {
  it('resolves the jprs preset: its directory, 600 s deploy delay and 30-day threshold', () => {
    const spec = resolveLineageSpec({ ...base, ca: { preset: 'jprs', eabRef: 'acmeflow/eab/jprs', contact: ['mail@example.jp'] } });
    expect(spec).toMatchObject({
      name: 'example.jp',
      domains: ['example.jp', 'www.example.jp'],
      keyType: 'rsa-2048',
      ca: { directoryUrl: 'https://acme.amecert.jprs.jp/DV/getDirectory', eabRef: 'acmeflow/eab/jprs', accountKeyType: 'ecdsa-p256' },
      deployDelaySeconds: 600,
      renewBeforeExpirySeconds: 30 * 86400,
      reuseKey: false,
    });
    expect(spec.ca.stagingDirectoryUrl).toBeUndefined(); // JPRS has no staging: dry runs use the CA itself
  });

  it('gives Let\u2019s Encrypt its staging directory and no fixed threshold (one third of the lifetime)', () => {
    const spec = resolveLineageSpec({ ...base, ca: { preset: 'letsencrypt' } });
    expect(spec.ca.stagingDirectoryUrl).toBe(CA_PRESETS['letsencrypt-staging'].directoryUrl);
    expect(spec.renewBeforeExpirySeconds).toBeUndefined();
    expect(spec.deployDelaySeconds).toBe(0);
  });

  it('takes a custom directory URL, a lineage name, renewBeforeExpiry and a wildcard first name', () => {
    const spec = resolveLineageSpec({
      domains: ['*.example.com', 'example.com'],
      keyType: 'ecdsa-p384',
      ca: { directoryUrl: 'https://ca.internal/acme/directory' },
      dns: { provider: 'rfc2136', credentialsRef: '/etc/acmeflow/rfc2136.ini' },
      renewBeforeExpiry: '91 days',
    });
    expect(spec.name).toBe('example.com');
    expect(spec.renewBeforeExpirySeconds).toBe(91 * 86400);
    expect(spec.ca.directoryUrl).toBe('https://ca.internal/acme/directory');
  });

  it.each([
    [{ ...base, ca: { preset: 'nosuchca' } }, 'ca.preset', /Known presets: letsencrypt/],
    [{ ...base, ca: {} }, 'ca', /preset .* or a directoryUrl/],
    [{ ...base, keyType: 'rsa-1024', ca: { preset: 'letsencrypt' } }, 'keyType', /keyType/],
    [{ ...base, domains: [], ca: { preset: 'letsencrypt' } }, 'domains', /domains/],
    [{ ...base, domains: ['a..b'], ca: { preset: 'letsencrypt' } }, 'domains[0]', /empty label/],
    [{ ...base, name: '../etc', ca: { preset: 'letsencrypt' } }, 'name', /letters, digits/],
    [{ ...base, ca: { preset: 'letsencrypt', eabHmacKey: 'x' } }, 'ca', /eabHmacKey|Unrecognized/i],
    [{ ...base, ca: { preset: 'letsencrypt' }, renewBeforeExpiry: 'whenever' }, 'renewBeforeExpiry', /not a duration/],
  ])('rejects %j naming the field', (input, field, message) => {
    try {
      resolveLineageSpec(input);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).name).toMatch(/ConfigError|InvalidDomainError/);
      expect((err as { field?: string }).field).toBe(field);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('normalises names and CNAME delegations once, so its output read as input comes back unchanged', () => {
    const spec = resolveLineageSpec({
      ...base,
      domains: ['*.Bücher.example.', 'bücher.example'],
      ca: { preset: 'letsencrypt' },
      dns: { provider: 'route53', delegations: { 'Bücher.Example.': 'X.Auth.Acme-DNS.io.' } },
    });
    expect(spec.name).toBe('xn--bcher-kva.example');
    expect(spec.domains).toEqual(['*.xn--bcher-kva.example', 'xn--bcher-kva.example']);
    expect(spec.dns.delegations).toEqual({ 'xn--bcher-kva.example': 'x.auth.acme-dns.io' });
    const { renewBeforeExpirySeconds: _unset, deployDelaySeconds, ...again } = spec;
    expect(resolveLineageSpec({ ...again, deployDelay: deployDelaySeconds })).toEqual(spec);
  });

  it('refuses a first name too long to name the lineage, pointing to a shorter name', () => {
    const long = `${Array.from({ length: 3 }, () => 'a'.repeat(60)).join('.')}.example`;
    expect(() => resolveLineageSpec({ ...base, domains: [long], ca: { preset: 'letsencrypt' } })).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        field: 'name',
        message: expect.stringMatching(/190 characters long; a lineage name has at most 128\. Give the lineage a shorter name \(--cert-name NAME/),
      }),
    );
    expect(resolveLineageSpec({ ...base, name: 'short', domains: [long], ca: { preset: 'letsencrypt' } }).name).toBe('short');
  });

  it('explains why a given name is not a lineage name: two dots, its length, its characters', () => {
    for (const [name, says] of [
      ['a..b', /two dots in a row/],
      ['n'.repeat(129), /129 characters long.*at most 128/],
      ['-x', /starting with a letter or digit/],
    ] as const) {
      expect(() => resolveLineageSpec({ ...base, name, ca: { preset: 'letsencrypt' } })).toThrow(
        expect.objectContaining({ name: 'ConfigError', field: 'name', message: expect.stringMatching(says) }),
      );
    }
  });

  it('refuses resolvers that are no DNS server address, and keeps good ones', () => {
    expect(() => resolveLineageSpec({ ...base, ca: { preset: 'letsencrypt' }, dns: { provider: 'route53', resolvers: ['1.2.3.4;x'] } })).toThrow(
      expect.objectContaining({ name: 'ConfigError', field: 'dns.resolvers[0]' }),
    );
    expect(
      resolveLineageSpec({ ...base, ca: { preset: 'letsencrypt' }, dns: { provider: 'route53', resolvers: ['192.0.2.53:5353', '[::1]:53', 'ns1.example.test'] } }).dns.resolvers,
    ).toHaveLength(3);
  });
});
