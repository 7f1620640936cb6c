import type { LineageSpec } from '../../../shared/config/lineage-spec.js';
import { checkPropagation } from '../../../shared/dns/propagation.js';
import type { DnsProvider } from '../../../shared/dns/provider.js';
import { createProvider, DnsProviderConfigError, type DnsProviderDeps } from '../../../shared/dns/providers/registry.js';
import { DnsCredentialsError } from '../errors.js';
import type { AdapterBuilder } from './adapter.js';
import { readSecretJson, secretsManagerClient } from './secrets-manager.js';

/** What each provider's credentials secret holds (its SecretString, JSON). */
const DNS_SECRET_SHAPES: Readonly<Record<string, { readonly required?: string; readonly expected: string }>> = {
  rfc2136: { required: 'tsig', expected: '{"tsig":{"name":"<key name>","algorithm":"hmac-sha256","secret":"<base64 secret>"}}' },
  cloudflare: { required: 'apiToken', expected: '{"apiToken":"<Cloudflare API token with Zone:DNS:Edit>"}' },
  'acme-dns': {
    required: 'registrations',
    expected: '{"registrations":{"example.com":{"username":"…","password":"…","subdomain":"…","fulldomain":"…"}}}',
  },
  route53: { expected: '{"roleArn":"arn:aws:iam::<account>:role/<role>","externalId":"…"} (fields of the route53 config)' },
};

/**
 * `dns`: the lineage's DNS provider through the registry (its credentials secret read at run time)
 * and the authoritative propagation check.
 *
 * Providers without a secret are kept for the container's life (Route 53 keeps its zone lookups);
 * providers with one are built per call, so a rotated secret is picked up at once. Fields of the
 * secret other than `apiToken` are merged into the provider config; `apiToken` goes to the provider directly.
 */
export const dnsProviders: AdapterBuilder = {
  adapter: 'dns',
  build: async (ctx) => {
    // An STS client of our own only when a test points STS somewhere; otherwise the route53 provider
    // builds one when a lineage has a roleArn, so the STS client loads only then.
    const sts = ctx.clientConfig.sts ? new (await import('@aws-sdk/client-sts')).STSClient({ region: ctx.aws.region, ...ctx.clientConfig.sts }) : undefined;
    const providerDeps: DnsProviderDeps = {
      ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
      ...(ctx.clientConfig.route53 ? { clientConfig: ctx.clientConfig.route53 } : {}),
      ...(sts ? { sts } : {}),
      env: ctx.env,
      random: ctx.random,
      warn: (message: string) => ctx.log.warn(message),
    };
    const plainProviders = new Map<string, DnsProvider>();
    const dnsProvider = async (dns: LineageSpec['dns']): Promise<DnsProvider> => {
      // certbot's manual hooks are commands of the machine that runs acmeflow; a Lambda must not run them.
      if (dns.provider === 'manual') {
        throw new DnsProviderConfigError('manual', ['the manual provider runs commands of the machine running the acmeflow command; in the stack, use route53, rfc2136, cloudflare or acme-dns']);
      }
      if (!dns.credentialsRef) {
        const key = JSON.stringify([dns.provider, dns.config]);
        let provider = plainProviders.get(key);
        if (!provider) {
          provider = createProvider(dns.provider, dns.config, providerDeps);
          plainProviders.set(key, provider);
        }
        return provider;
      }
      const ref = dns.credentialsRef;
      const shape = DNS_SECRET_SHAPES[dns.provider] ?? { expected: '{ <fields of the provider config> }' };
      const read = await readSecretJson(secretsManagerClient(ctx), ref);
      if (!read.ok) throw new DnsCredentialsError(dns.provider, ref, read.problem, shape.expected, { cause: read.cause });
      const secret = read.value;
      if (shape.required !== undefined && secret[shape.required] === undefined) {
        throw new DnsCredentialsError(dns.provider, ref, `has no "${shape.required}" field`, shape.expected);
      }
      const { apiToken, ...configPart } = secret;
      if (apiToken !== undefined && typeof apiToken !== 'string') {
        throw new DnsCredentialsError(dns.provider, ref, 'has an "apiToken" that is not a string', shape.expected);
      }
      return createProvider(dns.provider, { ...dns.config, ...configPart }, { ...providerDeps, ...(apiToken ? { apiToken } : {}) });
    };
    return { dnsProvider, checkPropagation: (records, options) => checkPropagation(records, options) };
  },
};
