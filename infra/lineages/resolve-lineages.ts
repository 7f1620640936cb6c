import {
  CA_PRESETS,
  DEFAULT_KEY_STORE,
  ConfigError,
  InvalidDomainError,
  isCaPresetName,
  parseIssuerLineages,
  resolveLineageSpec,
  type LineageSpec,
} from '../../shared/config/index.js';
import { getProvider, isDnsProviderCode } from '../../shared/dns/providers/registry.js';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { AcmeIssuerProps } from '../acme-issuer-props.js';
import { serialisableLineageProps, type SerialisableLineageProps } from './native-props.js';

/** The Route 53 access of one DNS provider configuration. */
export interface Route53Access {
  /** The `dnsProviders` entry it comes from. */
  readonly provider: string;
  /** Zones the functions change directly (empty when a role in another account does it). */
  readonly hostedZoneIds: readonly string[];
  /** `_acme-challenge.*` plus the CNAME delegation targets of the certificates using it (lower case, no trailing dot). */
  readonly recordNames: readonly string[];
  /** A zone is looked up by name (`ListHostedZonesByName`, which IAM authorizes only on `*`). */
  readonly zoneLookup: boolean;
}

/** Everything the construct derives from its certificate props: the stored specs and the IAM scope. */
export interface ResolvedLineages {
  /** Fully resolved specs, as `renewal/<name>.json` stores them (no secret in them). */
  readonly specs: readonly LineageSpec[];
  /** EAB secrets (names or ARNs) of the CA accounts in use. */
  readonly eabSecrets: readonly string[];
  /** DNS credential secrets (names or ARNs) of the providers in use. */
  readonly dnsCredentialSecrets: readonly string[];
  readonly route53: readonly Route53Access[];
  /** Roles the Route 53 provider assumes (zones in other accounts). */
  readonly assumedRoles: readonly string[];
  /** The `ISecret` behind an EAB or DNS credential reference given as one (granted on it and its key). */
  readonly secrets: ReadonlyMap<string, ISecret>;
}

const CHALLENGE_RECORDS = '_acme-challenge.*';

function checkProviderConfig(name: string, dns: SerialisableLineageProps['dnsProviders'][string]): Record<string, unknown> {
  if (!isDnsProviderCode(dns.provider)) {
    throw new ConfigError(`dnsProviders.${name}.provider: unknown DNS provider "${dns.provider}".`, { field: `dnsProviders.${name}.provider` });
  }
  const parsed = getProvider(dns.provider).configSchema.safeParse(dns.config ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`dnsProviders.${name}.config.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, {
      field: `dnsProviders.${name}.config`,
    });
  }
  return parsed.data as Record<string, unknown>;
}

/**
 * Resolves the certificate props into stored lineage specs and the exact IAM scope they need. The
 * props go through the same schema as the config file (`issuerLineagesSchema`) and then, per
 * certificate, through `resolveLineageSpec`, which normalises the names once. Every
 * mistake fails here, at synth time, naming the field: a value the schema refuses, an unknown CA account or DNS provider, a CA
 * that requires EAB without a secret, a Route 53 provider whose zones are unknown (its policy would
 * otherwise have to cover every zone), two certificates with one lineage name.
 *
 * @example
 * ```ts
 * const { specs, route53 } = resolveLineages(props);
 * specs[0].deployDelaySeconds; // 600 for a jprs certificate
 * ```
 */
export function resolveLineages(given: Pick<AcmeIssuerProps, 'certificates' | 'caAccounts' | 'dnsProviders' | 'keyStore'>): ResolvedLineages {
  // CDK objects (ISecret, IHostedZone) become names and ids here; the schema checks the rest.
  const serialisable = serialisableLineageProps(given);
  // Durations come back as seconds; everything else as given.
  const props = parseIssuerLineages({
    certificates: given.certificates,
    caAccounts: serialisable.caAccounts,
    dnsProviders: serialisable.dnsProviders,
    ...(given.keyStore === undefined ? {} : { keyStore: given.keyStore }),
  });
  const specs: LineageSpec[] = [];
  const names = new Set<string>();
  const usedCas = new Set<string>();
  const delegationTargets = new Map<string, Set<string>>();

  props.certificates.forEach((cert, i) => {
    const ca = props.caAccounts[cert.ca];
    if (!Object.hasOwn(props.caAccounts, cert.ca) || !ca) {
      throw new ConfigError(`certificates[${i}].ca: no CA account "${cert.ca}"; known: ${Object.keys(props.caAccounts).join(', ') || 'none'}.`, {
        field: `certificates[${i}].ca`,
      });
    }
    const dns = props.dnsProviders[cert.dns];
    if (!Object.hasOwn(props.dnsProviders, cert.dns) || !dns) {
      throw new ConfigError(`certificates[${i}].dns: no DNS provider "${cert.dns}"; known: ${Object.keys(props.dnsProviders).join(', ') || 'none'}.`, {
        field: `certificates[${i}].dns`,
      });
    }
    let spec: LineageSpec;
    try {
      spec = resolveLineageSpec({
        ...(cert.name === undefined ? {} : { name: cert.name }),
        domains: [...cert.domains],
        keyType: cert.keyType,
        ca: {
          ...(ca.preset === undefined ? {} : { preset: ca.preset }),
          ...(ca.directoryUrl === undefined ? {} : { directoryUrl: ca.directoryUrl }),
          ...(ca.stagingDirectoryUrl === undefined ? {} : { stagingDirectoryUrl: ca.stagingDirectoryUrl }),
          contact: [...(ca.contact ?? [])],
          ...(ca.eabSecret === undefined ? {} : { eabRef: ca.eabSecret }),
          termsOfServiceAgreed: ca.termsOfServiceAgreed ?? false,
          ...(ca.accountKeyType === undefined ? {} : { accountKeyType: ca.accountKeyType }),
          // The certificate's own choice wins; a required profile replaces the account's preferred one.
          ...profileChoice(cert.profile, cert.requiredProfile, ca.profile),
          ...(ca.preferredChain === undefined ? {} : { preferredChain: ca.preferredChain }),
          ...(ca.newOrderLimit === undefined ? {} : { newOrderLimit: ca.newOrderLimit }),
        },
        dns: {
          provider: dns.provider,
          config: { ...(dns.config ?? {}) },
          ...(dns.credentialsSecret === undefined ? {} : { credentialsRef: dns.credentialsSecret }),
          delegations: { ...(cert.delegations ?? {}) },
          resolvers: [...(dns.resolvers ?? [])],
        },
        ...(cert.renewBeforeExpiry === undefined ? {} : { renewBeforeExpiry: cert.renewBeforeExpiry }),
        ...(cert.deployDelaySeconds === undefined ? {} : { deployDelay: cert.deployDelaySeconds }),
        ...(cert.reuseKey === undefined ? {} : { reuseKey: cert.reuseKey }),
        ...(cert.endpoints === undefined ? {} : { endpoints: cert.endpoints }),
        // Resolved here, so the stored spec says where its key is whatever the issuer's default becomes.
        keyStore: cert.keyStore ?? props.keyStore ?? DEFAULT_KEY_STORE,
      });
    } catch (error) {
      if (error instanceof ConfigError) {
        const field = error.field ?? (error instanceof InvalidDomainError ? 'domains' : undefined);
        const message = field === undefined ? `: ${error.message}` : error.message.startsWith(field) ? `.${error.message}` : `.${field}: ${error.message}`;
        throw new ConfigError(`certificates[${i}]${message}`, { field: `certificates[${i}]${field === undefined ? '' : `.${field}`}`, cause: error });
      }
      throw error;
    }
    if (names.has(spec.name)) {
      throw new ConfigError(`certificates[${i}]: a second certificate named "${spec.name}"; give one of them another name.`, { field: `certificates[${i}].name` });
    }
    names.add(spec.name);
    usedCas.add(cert.ca);
    const targets = delegationTargets.get(cert.dns) ?? new Set<string>();
    for (const target of Object.values(spec.dns.delegations)) targets.add(target);
    delegationTargets.set(cert.dns, targets);
    specs.push(spec);
  });

  const eabSecrets = new Set<string>();
  for (const caName of usedCas) {
    const ca = props.caAccounts[caName];
    if (!ca) continue;
    const preset = ca.preset !== undefined && isCaPresetName(ca.preset) ? CA_PRESETS[ca.preset] : undefined;
    if (preset?.externalAccountRequired && ca.eabSecret === undefined) {
      throw new ConfigError(`caAccounts.${caName}.eabSecret: the ${preset.name} CA requires External Account Binding; name the secret holding its KID and HMAC key.`, {
        field: `caAccounts.${caName}.eabSecret`,
      });
    }
    if (ca.eabSecret !== undefined) eabSecrets.add(ca.eabSecret);
  }

  const dnsCredentialSecrets = new Set<string>();
  const route53: Route53Access[] = [];
  const assumedRoles = new Set<string>();
  for (const [providerName, targets] of delegationTargets) {
    const dns = props.dnsProviders[providerName];
    if (!dns) continue;
    const config = checkProviderConfig(providerName, dns);
    if (dns.credentialsSecret !== undefined) dnsCredentialSecrets.add(dns.credentialsSecret);
    if (dns.provider !== 'route53') {
      if (dns.hostedZoneIds !== undefined) {
        throw new ConfigError(`dnsProviders.${providerName}.hostedZoneIds: only the route53 provider takes hosted zones.`, { field: `dnsProviders.${providerName}.hostedZoneIds` });
      }
      continue;
    }
    const roleArn = typeof config.roleArn === 'string' ? config.roleArn : undefined;
    const configZone = typeof config.hostedZoneId === 'string' ? config.hostedZoneId : undefined;
    if (roleArn !== undefined) {
      // The role in the zone's account carries the Route 53 policy (the manifest's iamPolicy()).
      assumedRoles.add(roleArn);
      continue;
    }
    const zones = [...new Set([...(dns.hostedZoneIds ?? []), ...(configZone ? [configZone] : [])].map((id) => id.replace(/^\/hostedzone\//, '')))];
    if (zones.length === 0) {
      throw new ConfigError(
        `dnsProviders.${providerName}: give config.hostedZoneId or hostedZoneIds, so the functions may change those zones only (never hostedzone/*).`,
        { field: `dnsProviders.${providerName}.hostedZoneIds` },
      );
    }
    route53.push({
      provider: providerName,
      hostedZoneIds: zones.sort(),
      recordNames: [CHALLENGE_RECORDS, ...[...targets].filter((t) => !t.startsWith('_acme-challenge.')).sort()],
      zoneLookup: configZone === undefined,
    });
  }

  return {
    specs,
    eabSecrets: [...eabSecrets].sort(),
    dnsCredentialSecrets: [...dnsCredentialSecrets].sort(),
    route53,
    assumedRoles: [...assumedRoles].sort(),
    secrets: serialisable.secrets,
  };
}

/** The lineage's profile fields: the certificate's own, else the CA account's preferred profile. */
function profileChoice(profile: string | undefined, requiredProfile: string | undefined, accountProfile: string | undefined): { profile?: string; requiredProfile?: string } {
  if (requiredProfile !== undefined) return { requiredProfile, ...(profile === undefined ? {} : { profile }) };
  const preferred = profile ?? accountProfile;
  return preferred === undefined ? {} : { profile: preferred };
}
