import type { ProviderManifest } from '../manifest.js';
import { CloudflareDnsProvider, CLOUDFLARE_TOKEN_ENV, type CloudflareDnsProviderDeps } from './cloudflare.js';
import { cloudflareConfigSchema, type CloudflareConfig } from './config.js';
import { CLOUDFLARE_TOKEN_SCOPE } from './errors.js';

/**
 * The Cloudflare provider's manifest.
 *
 * @example
 * ```ts
 * const provider = cloudflareManifest.create(cloudflareManifest.configSchema.parse({}), { apiToken: token });
 * ```
 */
export const cloudflareManifest: ProviderManifest<CloudflareConfig, CloudflareDnsProviderDeps> = {
  code: 'cloudflare',
  title: 'Cloudflare',
  configSchema: cloudflareConfigSchema,
  credentialEnv: [...CLOUDFLARE_TOKEN_ENV],
  permissions:
    `A Cloudflare API token (not the global API key) with the permission ${CLOUDFLARE_TOKEN_SCOPE} (Zone → DNS → Edit), ` +
    'its zone resources limited to the zones to validate; the same token lists those zones (GET /zones?name=). ' +
    'Give it through credentialsFile (certbot\'s "dns_cloudflare_api_token = ..." INI, mode 0600), the injected apiToken, ' +
    `or ${CLOUDFLARE_TOKEN_ENV.join(' / ')}.`,
  create: (config, deps) => new CloudflareDnsProvider(config, deps),
};
