import { dnsProviderCodes } from '../../shared/dns/index.js';
import { chooseDnsProvider, type DnsChoice } from '../dns-flags.js';
import { UsageError } from '../usage-error.js';
import { secretRefFromFlag } from './cloud-flags.js';

/**
 * What each provider's credentials secret holds (its SecretString), as the stack's functions read
 * it (functions/README.md). rfc2136 may also carry `server`/`port`: every field but `apiToken` is
 * merged into the provider's config.
 */
export const DNS_SECRET_SHAPES: Readonly<Record<string, string>> = {
  rfc2136: '{"server":"<primary server>","tsig":{"name":"<key name>","algorithm":"hmac-sha256","secret":"<base64 secret>"}}',
  cloudflare: '{"apiToken":"<Cloudflare API token with Zone:DNS:Edit>"}',
  'acme-dns': '{"registrations":{"example.com":{"username":"…","password":"…","subdomain":"…","fulldomain":"…"}}}',
  route53: '{"roleArn":"arn:aws:iam::<account>:role/<role>","externalId":"…"} (only to update a zone in another account)',
};

/** Providers that cannot work without credentials. */
const NEEDS_CREDENTIALS = new Set(['rfc2136', 'cloudflare', 'acme-dns']);

function secretFix(provider: string): string {
  return (
    `Put the ${provider} credentials in a Secrets Manager secret in the stack\u2019s region, as JSON ${DNS_SECRET_SHAPES[provider] ?? '{ <fields of the provider config> }'}, ` +
    'then give --dns-credentials-secret NAME: it sets the lineage\u2019s dns.credentialsRef, and the stack reads the secret when it updates DNS.'
  );
}

/**
 * The DNS choice in cloud mode: the same provider flags as on this machine, but credentials are a
 * Secrets Manager reference (`--dns-credentials-secret`); a local credentials file is refused,
 * since the stack cannot read this machine's files and secrets never pass through the command.
 *
 * @example
 * ```ts
 * cloudDnsFromFlags({ dns: 'rfc2136', 'dns-credentials-secret': 'acmeflow/dns/bind' });
 * // { provider: 'rfc2136', credentialsRef: 'acmeflow/dns/bind', config: {} }
 * ```
 */
export function cloudDnsFromFlags(values: Record<string, unknown>): DnsChoice {
  const provider = chooseDnsProvider(values);
  if (provider === 'manual') {
    throw new UsageError('--manual: not in cloud mode (--stack); the hooks are commands of this machine, which the stack cannot run. Choose a DNS provider the stack calls itself (--dns route53, rfc2136, cloudflare or acme-dns).');
  }
  for (const code of dnsProviderCodes) {
    const file = values[`dns-${code}-credentials`];
    if (typeof file === 'string') {
      throw new UsageError(
        `--dns-${code}-credentials ${file}: not in cloud mode (--stack); local credential files are not read, as the stack cannot see this machine\u2019s files and secrets never pass through this command. ${secretFix(code)}`,
      );
    }
  }
  const credentialsRef = secretRefFromFlag('dns-credentials-secret', values['dns-credentials-secret'] as string | undefined);
  if (NEEDS_CREDENTIALS.has(provider) && !credentialsRef) throw new UsageError(`The ${provider} provider needs credentials. ${secretFix(provider)}`);
  const config: Record<string, unknown> = {};
  if (provider === 'route53' && typeof values['dns-route53-hosted-zone-id'] === 'string') config.hostedZoneId = values['dns-route53-hosted-zone-id'];
  return { provider, ...(credentialsRef ? { credentialsRef } : {}), config };
}
