import type { ProviderManifest } from '../manifest.js';
import { AcmeDnsProvider, type AcmeDnsProviderDeps } from './acme-dns.js';
import { acmeDnsConfigSchema, type AcmeDnsConfig } from './config.js';

/**
 * The acme-dns provider's manifest.
 *
 * @example
 * ```ts
 * const provider = acmeDnsManifest.create(acmeDnsManifest.configSchema.parse({ apiUrl, registrations }));
 * ```
 */
export const acmeDnsManifest: ProviderManifest<AcmeDnsConfig, AcmeDnsProviderDeps> = {
  code: 'acme-dns',
  title: 'acme-dns',
  configSchema: acmeDnsConfigSchema,
  // The credentials are the per-domain registrations in the config (certbot-dns-acmedns / lego registration JSON).
  credentialEnv: [],
  permissions:
    'One acme-dns registration per domain (POST /register on the acme-dns server), its username and password allowed ' +
    'to update only its own subdomain, and a CNAME from _acme-challenge.<domain> to the registration\'s fulldomain. ' +
    'When the registration has an allowfrom list, it must include the address acmeflow calls from.',
  create: (config, deps) => new AcmeDnsProvider(config, deps),
};
