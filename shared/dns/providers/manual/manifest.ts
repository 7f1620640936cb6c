import type { ProviderManifest } from '../manifest.js';
import { manualConfigSchema, type ManualConfig } from './config.js';
import { ManualDnsProvider, type ManualDnsProviderDeps } from './manual.js';

/**
 * The manual provider's manifest: certbot's `--manual --preferred-challenges dns` with its hooks.
 * It runs commands of this machine, so it serves the command (`acmeflow`), not a deployed stack.
 *
 * @example
 * ```ts
 * const provider = manualManifest.create(manualManifest.configSchema.parse({ authHook: '/usr/local/bin/dns-add' }));
 * ```
 */
export const manualManifest: ProviderManifest<ManualConfig, ManualDnsProviderDeps> = {
  code: 'manual',
  title: 'certbot manual hooks',
  configSchema: manualConfigSchema,
  credentialEnv: [],
  permissions: 'Whatever the operator\u2019s --manual-auth-hook and --manual-cleanup-hook commands need to add and remove the TXT record; they run as the user running acmeflow.',
  create: (config, deps) => new ManualDnsProvider(config, deps),
};
