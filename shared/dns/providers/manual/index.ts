export { manualConfigSchema, type ManualConfig } from './config.js';
export { ManualHookError } from './errors.js';
export { ManualDnsProvider, type ManualDnsProviderDeps, type ManualHookRunner } from './manual.js';
export { manualManifest } from './manifest.js';
