export { assumeRoleCredentials, type AssumeRoleOptions, type AwsCredentialsProvider } from './assume-role.js';
export { route53ConfigSchema, type Route53Config } from './config.js';
export {
  Route53AccessDeniedError,
  Route53AmbiguousZoneError,
  Route53AssumeRoleError,
  Route53ChangeRejectedError,
  Route53ConfigError,
  Route53CredentialsError,
  Route53RequestError,
  Route53ThrottledError,
  Route53ZoneNotFoundError,
  type Route53Action,
} from './errors.js';
export { route53IamPolicy } from './iam-policy.js';
export { route53Manifest } from './manifest.js';
export { quoteTxtValue, route53NameToDnsName, unquoteTxtValue } from './presentation.js';
export { Route53DnsProvider, type Route53DnsProviderDeps } from './route53.js';
