/**
 * The registry of DNS provider manifests: the one place that knows every provider
 * folder. A test reads `shared/dns/providers/` and checks that each folder is registered here.
 */
import { DnsError } from '../errors.js';
import type { DnsProvider } from '../provider.js';
import { acmeDnsManifest } from './acme-dns/manifest.js';
import { cloudflareManifest } from './cloudflare/manifest.js';
import { manualManifest } from './manual/manifest.js';
import type { ProviderManifest } from './manifest.js';
import { rfc2136Manifest } from './rfc2136/manifest.js';
import { route53Manifest } from './route53/manifest.js';

/**
 * Every provider manifest, by code (= folder name).
 *
 * @example
 * ```ts
 * dnsProviderManifests.route53.iamPolicy?.({ hostedZoneIds: ['Z0123456789ABCDEFGHIJ'] });
 * ```
 */
export const dnsProviderManifests = {
  'acme-dns': acmeDnsManifest,
  cloudflare: cloudflareManifest,
  manual: manualManifest,
  rfc2136: rfc2136Manifest,
  route53: route53Manifest,
} as const satisfies Readonly<Record<string, ProviderManifest>>;

/** A registered provider code: `acme-dns`, `cloudflare`, `manual`, `rfc2136`, `route53`. */
export type DnsProviderCode = keyof typeof dnsProviderManifests;

/** Every registered code, sorted. */
export const dnsProviderCodes: readonly DnsProviderCode[] = (Object.keys(dnsProviderManifests) as DnsProviderCode[]).sort();

type DepsOf<C extends DnsProviderCode> = NonNullable<Parameters<(typeof dnsProviderManifests)[C]['create']>[1]>;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/**
 * The dependencies of every provider at once (all optional), for callers that pick the provider at
 * run time: a handler builds one bag (`{ client, fetch, apiToken, ... }`) and each provider takes its part.
 */
export type DnsProviderDeps = UnionToIntersection<DepsOf<DnsProviderCode>>;

/** The provider code is not registered. */
export class UnknownDnsProviderError extends DnsError {
  readonly providerCode: string;
  readonly knownCodes: readonly string[];

  constructor(providerCode: string) {
    super(`unknown DNS provider ${JSON.stringify(providerCode)}`, {
      fix: `use one of ${dnsProviderCodes.join(', ')}`,
    });
    this.name = 'UnknownDnsProviderError';
    this.providerCode = providerCode;
    this.knownCodes = dnsProviderCodes;
  }
}

/** The configuration does not fit the provider's schema. Issues name paths and rules, never values (they may be secrets). */
export class DnsProviderConfigError extends DnsError {
  readonly providerCode: string;
  readonly issues: readonly string[];

  constructor(providerCode: string, issues: readonly string[], options: { cause?: unknown } = {}) {
    super(`invalid ${providerCode} DNS provider configuration: ${issues.join('; ')}`, {
      cause: options.cause,
      fix: `correct the dns.config of the certificate spec; the ${providerCode} provider's configSchema lists every field`,
    });
    this.name = 'DnsProviderConfigError';
    this.providerCode = providerCode;
    this.issues = issues;
  }
}

/** Whether `code` is a registered provider code (own keys only: `toString` is not a provider). */
export function isDnsProviderCode(code: string): code is DnsProviderCode {
  return Object.hasOwn(dnsProviderManifests, code);
}

/**
 * The manifest of a provider, or {@link UnknownDnsProviderError} listing the known codes.
 *
 * @example
 * ```ts
 * getProvider('cloudflare').permissions; // 'A Cloudflare API token ... Zone:DNS:Edit ...'
 * ```
 */
export function getProvider<C extends DnsProviderCode>(code: C): (typeof dnsProviderManifests)[C];
export function getProvider(code: string): ProviderManifest;
export function getProvider(code: string): ProviderManifest {
  if (!isDnsProviderCode(code)) throw new UnknownDnsProviderError(code);
  return dnsProviderManifests[code];
}

/**
 * Build a provider: look the code up, parse `config` with its schema (defaults applied; an invalid
 * config is {@link DnsProviderConfigError}), and create it with the injected dependencies.
 *
 * @example
 * ```ts
 * const dns = createProvider(spec.dns.provider, spec.dns.config, { fetch, warn: logger.warn });
 * const ref = await dns.upsertTxt({ name: '_acme-challenge.example.com', values: [value] });
 * ```
 */
export function createProvider<C extends DnsProviderCode>(code: C, config: unknown, deps?: DepsOf<C>): DnsProvider;
export function createProvider(code: string, config: unknown, deps?: DnsProviderDeps): DnsProvider;
export function createProvider(code: string, config: unknown, deps: object = {}): DnsProvider {
  const manifest = getProvider(code);
  const parsed = manifest.configSchema.safeParse(config ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.length === 0 ? '(config)' : issue.path.join('.')}: ${issue.message}`);
    throw new DnsProviderConfigError(code, issues, { cause: parsed.error });
  }
  return manifest.create(parsed.data, deps);
}
