import type { ProviderManifest } from '../manifest.js';
import { route53ConfigSchema, type Route53Config } from './config.js';
import { route53IamPolicy } from './iam-policy.js';
import { lazyRoute53Provider } from './lazy-provider.js';
import type { Route53DnsProviderDeps } from './route53.js';

/**
 * The Route 53 provider's manifest.
 *
 * @example
 * ```ts
 * const provider = route53Manifest.create(route53Manifest.configSchema.parse({ hostedZoneId: 'Z0123456789ABCDEFGHIJ' }));
 * const policy = route53Manifest.iamPolicy?.({ hostedZoneIds: ['Z0123456789ABCDEFGHIJ'] });
 * ```
 */
export const route53Manifest: ProviderManifest<Route53Config, Route53DnsProviderDeps> = {
  code: 'route53',
  title: 'Amazon Route 53',
  configSchema: route53ConfigSchema,
  // The AWS SDK's default credential chain; in Lambda the execution role supplies them.
  credentialEnv: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE'],
  permissions:
    'route53:ChangeResourceRecordSets on the hosted zones (arn:aws:route53:::hostedzone/<id>), limited by the conditions ' +
    'route53:ChangeResourceRecordSetsNormalizedRecordNames ForAllValues:StringLike "_acme-challenge.*", ' +
    'route53:ChangeResourceRecordSetsRecordTypes ForAllValues:StringEquals "TXT" and ' +
    'route53:ChangeResourceRecordSetsActions ForAllValues:StringEquals "UPSERT", "DELETE"; ' +
    'route53:ListResourceRecordSets on the same zones; route53:GetChange on arn:aws:route53:::change/*; ' +
    'route53:ListHostedZones and route53:ListHostedZonesByName on "*" (the API accepts no narrower resource). ' +
    'With roleArn, the role carries these and the caller needs sts:AssumeRole on it.',
  iamPolicy: route53IamPolicy,
  // Built on first use: the AWS SDK loads only in processes that publish to Route 53.
  create: (config, deps) => lazyRoute53Provider(config, deps),
};
