export { CloudflareDnsProvider, CLOUDFLARE_TOKEN_ENV, type CloudflareDnsProviderDeps } from './cloudflare.js';
export { cloudflareConfigSchema, type CloudflareConfig } from './config.js';
export { readCloudflareCredentials, type CloudflareCredentialsFileDeps } from './credentials.js';
export {
  CloudflareApiError,
  CloudflareAuthError,
  CloudflareCredentialsError,
  CloudflareCredentialsFileNotFoundError,
  CloudflareRateLimitedError,
  CloudflareZoneNotFoundError,
  CLOUDFLARE_TOKEN_SCOPE,
  type CloudflareApiMessage,
} from './errors.js';
export { cloudflareManifest } from './manifest.js';
