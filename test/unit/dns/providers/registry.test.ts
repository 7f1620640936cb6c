import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  createProvider,
  dnsProviderCodes,
  dnsProviderManifests,
  getProvider,
  isDnsProviderCode,
  type ProviderManifest,
} from '../../../../shared/dns/providers/index.js';

const providersDir = fileURLToPath(new URL('../../../../shared/dns/providers/', import.meta.url));

async function providerFolders(): Promise<string[]> {
  const entries = await readdir(providersDir, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
}

const isManifest = (value: unknown): value is ProviderManifest =>
  typeof value === 'object' && value !== null && 'code' in value && 'configSchema' in value && 'create' in value;

describe('DNS provider registry', () => {
  it('registers every folder under shared/dns/providers/, and nothing else', async () => {
    const folders = await providerFolders();

    expect(folders.length).toBeGreaterThan(0);
    expect([...dnsProviderCodes]).toEqual(folders);
  });

  it('registers the manifest each folder exports from <code>/manifest.ts, under its own code', async () => {
    for (const folder of await providerFolders()) {
      const module: Record<string, unknown> = await import(`../../../../shared/dns/providers/${folder}/manifest.ts`);
      const exported = Object.values(module).filter(isManifest);

      expect(exported, `${folder}/manifest.ts exports one manifest`).toHaveLength(1);
      expect(exported[0]?.code).toBe(folder);
      expect(getProvider(folder)).toBe(exported[0]);
    }
  });

  it('gives every manifest a title, env names, the permissions it needs and a zod schema', () => {
    for (const code of dnsProviderCodes) {
      const manifest: ProviderManifest = dnsProviderManifests[code];
      expect(manifest.title, code).not.toBe('');
      expect(manifest.permissions.length, code).toBeGreaterThan(40);
      for (const name of manifest.credentialEnv) expect(name, code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(typeof manifest.configSchema.safeParse, code).toBe('function');
    }
  });

  it('rejects unknown codes with UnknownDnsProviderError listing the known ones', () => {
    for (const code of ['route-53', 'Route53', '', 'toString', '__proto__']) {
      expect(isDnsProviderCode(code)).toBe(false);
      expect(() => getProvider(code)).toThrow(
        expect.objectContaining({ name: 'UnknownDnsProviderError', providerCode: code, knownCodes: dnsProviderCodes }),
      );
      expect(() => createProvider(code, {})).toThrow(expect.objectContaining({ name: 'UnknownDnsProviderError' }));
    }
    expect(() => getProvider('route-53')).toThrow(`use one of ${dnsProviderCodes.join(', ')}`);
  });

  it('parses the config with the provider schema and builds a provider with the same code', () => {
    const samples: Record<string, unknown> = {
      'acme-dns': { apiUrl: 'https://auth.acme-dns.io', registrations: {} },
      manual: { authHook: '/usr/local/bin/dns-add', cleanupHook: '/usr/local/bin/dns-del' },
      cloudflare: {},
      rfc2136: { server: '192.0.2.53' },
      route53: { hostedZoneId: 'Z0123456789' },
    };
    for (const code of dnsProviderCodes) {
      expect(samples, `add a sample config for ${code}`).toHaveProperty([code]);
      expect(createProvider(code, samples[code]).code).toBe(code);
    }
  });

  it('rejects an invalid config with DnsProviderConfigError naming the provider and the field, not the value', () => {
    const error = (() => {
      try {
        createProvider('route53', { roleArn: 'super-secret-value' });
        return undefined;
      } catch (e) {
        return e as Error & { providerCode?: string; issues?: string[] };
      }
    })();

    expect(error).toMatchObject({ name: 'DnsProviderConfigError', providerCode: 'route53' });
    expect(error?.issues?.[0]).toMatch(/^roleArn: /);
    expect(error?.message).not.toContain('super-secret-value');
  });
});
