export { AcmeDnsProvider, type AcmeDnsProviderDeps } from './acme-dns.js';
export { acmeDnsConfigSchema, acmeDnsRegistrationSchema, type AcmeDnsConfig, type AcmeDnsRegistration } from './config.js';
export { AcmeDnsAuthError, AcmeDnsRegistrationNotFoundError, AcmeDnsRequestError, AcmeDnsTooManyValuesError } from './errors.js';
export { acmeDnsManifest } from './manifest.js';
