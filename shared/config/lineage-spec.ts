// A namespace import lets esbuild drop zod's locales from the Lambda bundle (about 360 KB).
import * as z from 'zod';
import { KEY_TYPES } from '../crypto/key-type.js';
import { normalizeDnsName } from '../dns/dns-name.js';
import { parseServerAddress } from '../dns/server-address.js';
import { CA_PRESETS, CA_PRESET_NAMES, isCaPresetName, type CaPreset } from './ca-presets.js';
import { normalizeDomains } from './domains.js';
import { endpointSchema, type Endpoint } from './endpoint.js';
import { durationSchema } from './duration.js';
import { ConfigError } from './errors.js';
import { DEFAULT_KEY_STORE, KEY_STORES, type KeyStoreKind } from './key-stores.js';
import { configErrorFrom } from './zod-issue.js';

/**
 * A lineage: one certificate kept up to date under one name (certbot's `renewal/<name>.conf`).
 * The stored form is always fully resolved: names normalised, the key type explicit, the CA's
 * directory URL spelled out. It never holds a secret: EAB credentials and DNS credentials are
 * references resolved at run time.
 */

/**
 * certbot lineage names: the first domain (without `*.`), or a name of the user's (`--cert-name`).
 * The name becomes a directory and file name (`live/<name>/`, `renewal/<name>.conf`), a secret name
 * and a tag, so `..` is refused too: no domain holds it, and without it no name can climb a path.
 */
export const LINEAGE_NAME = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The most characters a lineage name may have. */
export const MAX_LINEAGE_NAME_LENGTH = 128;

/**
 * Why `name` is not a lineage name ({@link LINEAGE_NAME}), as a phrase naming the fault and the fix,
 * or undefined when it is one.
 *
 * @example
 * lineageNameProblem('a..b') // 'it has two dots in a row; ...'
 */
export function lineageNameProblem(name: string): string | undefined {
  if (LINEAGE_NAME.test(name)) return undefined;
  if (name === '') return 'it is empty';
  if (name.length > MAX_LINEAGE_NAME_LENGTH) return `it is ${name.length} characters long, and a lineage name has at most ${MAX_LINEAGE_NAME_LENGTH}`;
  if (name.includes('..')) return 'it has two dots in a row; use letters, digits, ".", "_" and "-", with no ".." (the name becomes a directory name)';
  return 'use letters, digits, ".", "_" and "-", starting with a letter or digit';
}

export const keyTypeSchema = z.enum(KEY_TYPES);

/**
 * The field schemas a lineage is made of. Each is declared here once; the spec below, and the
 * construct props and config file (issuer-schema.ts), are built from them.
 */
export const lineageNameSchema = z.string().superRefine((name, ctx) => {
  const problem = lineageNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
/** Names as given; `resolveLineageSpec` normalises them once (`normalizeDomains`), and the spec is trusted after. */
export const domainsInputSchema = z.array(z.string()).min(1);
/** Any RFC 8555 directory URL. */
export const directoryUrlSchema = z.url({ protocol: /^https?$/ });
/** Account contact e-mail addresses (RFC 8555 §7.3). */
export const contactSchema = z.array(z.string().email());
export const ACCOUNT_KEY_TYPES = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;
export const accountKeyTypeSchema = z.enum(ACCOUNT_KEY_TYPES);
/** Seconds between `Certificate Issued` and `Certificate Deployable`; at most a day. */
export { DEFAULT_KEY_STORE, KEY_STORES, type KeyStoreKind };
export const keyStoreSchema = z.enum(KEY_STORES);

export const deployDelaySchema = z.number().int().min(0).max(86_400);
/** An ACME profile the CA lists in its directory. */
export const profileSchema = z.string().min(1);
/** certbot's account id (an MD5 of the account key in hex, as certbot names the account's directory). */
export const certbotAccountIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, 'a certbot account id is the name of its directory under accounts/ (hex digits)');
/** Issuer common name of the chain to prefer (certbot's `--preferred-chain`). */
export const preferredChainSchema = z.string().min(1);
/** How long the propagation check may wait, in whole seconds: at least 10, at most a day. */
export const propagationTimeoutSchema = z.number().int().min(10).max(86_400);
/** Provider settings that are not secret (zone id, server address, ...). */
export const dnsConfigSchema = z.record(z.string(), z.unknown());
/** Per-name CNAME delegation targets. */
export const delegationsSchema = z.record(z.string(), z.string());
/** Nameservers the propagation check asks instead of the zone's authoritative servers (`host:port`). */
export const resolversSchema = z.array(
  z.string().superRefine((text, ctx) => {
    try {
      parseServerAddress(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }),
);

/** A hook command: one line for `/bin/sh -c` (certbot keeps it as one value of the renewal conf). */
export const hookCommandSchema = z
  .string()
  .min(1)
  .refine((command) => !/[\r\n]/.test(command), { message: 'a hook command is one line (join commands with ; or &&, or call a script)' });

/**
 * certbot's `--pre-hook`, `--deploy-hook` and `--post-hook` of a lineage, kept for its renewals as
 * certbot keeps them (`pre_hook`, `renew_hook`, `post_hook` in the renewal conf). They run on the
 * machine that renews: locally only; in AWS the same moments are EventBridge events.
 */
export const hooksSchema = z
  .object({
    /** Run before the lineage is renewed (once per run for the same command). */
    preHook: hookCommandSchema.optional(),
    /** Run once the lineage's new certificate is deployable (after the deploy delay). */
    deployHook: hookCommandSchema.optional(),
    /** Run after a run that attempted the lineage (once per run for the same command). */
    postHook: hookCommandSchema.optional(),
  })
  .strict();

export type LineageHooks = z.output<typeof hooksSchema>;

/**
 * A CA account's new-order limit (RFC 8555 §6.6 leaves the amount to each CA): at most `orders` new
 * orders per `windowSeconds`, counted across every sweep of the issuer; `ariRenewalsExempt`: orders
 * that replace a certificate through ARI (RFC 9773 §5) are not counted (absent: as the CA preset says).
 */
export const newOrderLimitSchema = z
  .object({
    orders: z.number().int().min(1).max(1_000_000),
    windowSeconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 86_400),
    ariRenewalsExempt: z.boolean().optional(),
  })
  .strict()
  .readonly();

export const caSpecSchema = z
  .object({
    /** A preset name (`letsencrypt`, `jprs`, ...). */
    preset: z.string().optional(),
    /** Any RFC 8555 directory URL; filled in from the preset when absent. */
    directoryUrl: directoryUrlSchema.optional(),
    /** Where dry runs go; the preset's staging directory, else the CA itself. */
    stagingDirectoryUrl: directoryUrlSchema.optional(),
    /** Account contact e-mail addresses. */
    contact: contactSchema.default([]),
    /**
     * Where the EAB credentials are kept: a Secrets Manager secret name/ARN in AWS, a file path
     * locally. Needed only to register the account; never the credentials themselves.
     */
    eabRef: z.string().min(1).optional(),
    /** The person agreed to the CA's terms of service (certbot's --agree-tos); sent at registration. @default false */
    termsOfServiceAgreed: z.boolean().default(false),
    /** The account key's type. @default 'ecdsa-p256' */
    accountKeyType: accountKeyTypeSchema.default('ecdsa-p256'),
    /**
     * The preferred ACME profile (draft-ietf-acme-profiles; certbot's `--preferred-profile`): asked
     * for when the CA's directory lists it, else the order goes without one (the CA's default).
     */
    profile: profileSchema.optional(),
    /** The required ACME profile (certbot's `--required-profile`): no order when the CA does not list it. */
    requiredProfile: profileSchema.optional(),
    /** Issuer common name of the chain to prefer (certbot's `--preferred-chain`). */
    preferredChain: preferredChainSchema.optional(),
    /** The account's new-order limit, over the CA preset's. @default the preset's; none for other CAs */
    newOrderLimit: newOrderLimitSchema.optional(),
    /**
     * certbot's account for this lineage (the renewal conf's `account`, certbot's `--account`): the id
     * of `accounts/<server>/<id>/`. Only a lineage certbot made has one; the CA's one account otherwise.
     */
    certbotAccount: certbotAccountIdSchema.optional(),
  })
  .strict();

export const dnsSpecSchema = z
  .object({
    /** Provider code (`route53`, `rfc2136`, `cloudflare`, `acme-dns`). */
    provider: z.string().min(1),
    /** Provider settings that are not secret (zone id, server address, ...). */
    config: dnsConfigSchema.default({}),
    /** Where the provider's credentials are kept (a secret name, or a credentials file path). */
    credentialsRef: z.string().min(1).optional(),
    /** Per-name CNAME delegation targets: `example.com` → `_acme-challenge.example.com` is published at the target instead. */
    delegations: delegationsSchema.default({}),
    /** Nameservers the propagation check asks instead of the zone's authoritative servers (`host:port`). */
    resolvers: resolversSchema.default([]),
    /**
     * Seconds the issuance waits for the records to reach every server before it fails
     * (`--dns-propagation-timeout`). @default 900
     */
    propagationTimeoutSeconds: propagationTimeoutSchema.optional(),
  })
  .strict();

export const lineageSpecInputSchema = z
  .object({
    name: lineageNameSchema.optional(),
    domains: domainsInputSchema,
    keyType: keyTypeSchema,
    ca: caSpecSchema,
    dns: dnsSpecSchema,
    /** Renew when less than this is left (`30 days`, `91 days`); longer than the lifetime means every run renews. */
    renewBeforeExpiry: durationSchema.optional(),
    /** Seconds between `Certificate Issued` and `Certificate Deployable`. @default the preset's, else 0 */
    deployDelay: deployDelaySchema.optional(),
    /** Keep the private key across renewals. @default false */
    reuseKey: z.boolean().default(false),
    /** The hook commands renewals run on this machine (certbot's, saved with the lineage). */
    hooks: hooksSchema.optional(),
    /** Where the certificate is served (`'host[:port]'` or `{ host, port, sni }`): the probe compares what each presents with the current version. */
    endpoints: z.array(endpointSchema).optional(),
    /** Where the certificate key lives in AWS. @default the issuer's default (ACMEFLOW_KEY_STORE) */
    keyStore: keyStoreSchema.optional(),
  })
  .strict();

export type LineageSpecInput = z.input<typeof lineageSpecInputSchema>;

/** The resolved, stored form of a lineage spec. */
export interface LineageSpec {
  readonly name: string;
  readonly domains: readonly string[];
  readonly keyType: (typeof KEY_TYPES)[number];
  readonly ca: z.output<typeof caSpecSchema> & { readonly directoryUrl: string };
  readonly dns: z.output<typeof dnsSpecSchema>;
  /** Seconds, when the lineage or its preset sets a threshold. */
  readonly renewBeforeExpirySeconds?: number;
  readonly deployDelaySeconds: number;
  readonly reuseKey: boolean;
  /** Present when at least one hook is set. */
  readonly hooks?: LineageHooks;
  /** Where the certificate key lives in AWS; absent: the issuer's default. */
  readonly keyStore?: KeyStoreKind;
  /** Where the certificate is served; present when at least one is listed. */
  readonly endpoints?: readonly Endpoint[];
}

/** CNAME delegations in the DNS layer's spelling (lower-case A-labels, no trailing dot), keys and targets alike. */
function normalizeDelegations(delegations: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [from, to] of Object.entries(delegations)) {
    try {
      out[normalizeDnsName(from)] = normalizeDnsName(to);
    } catch (error) {
      throw new ConfigError(`dns.delegations: ${(error as Error).message}`, { field: 'dns.delegations', cause: error });
    }
  }
  return out;
}

/**
 * Validates and resolves a lineage spec: normalised names (the only place they are normalised: the
 * CLI, the construct, the config file and a renewal conf all come through here, and code after it
 * trusts the spec), delegations in the DNS layer's spelling, the preset's directory URL, deploy delay
 * and renewal threshold filled in. Throws {@link ConfigError} naming the field and the fix.
 *
 * @example
 * resolveLineageSpec({ domains: ['example.jp'], keyType: 'rsa-2048', ca: { preset: 'jprs', eabRef: 'acmeflow/eab/jprs' },
 *   dns: { provider: 'route53' } }).deployDelaySeconds // → 600
 */
export function resolveLineageSpec(input: unknown): LineageSpec {
  const parsed = lineageSpecInputSchema.safeParse(input);
  if (!parsed.success) throw configErrorFrom(parsed.error, 'lineage');
  const spec = parsed.data;
  const domains = normalizeDomains(spec.domains);
  let preset: CaPreset | undefined;
  if (spec.ca.preset !== undefined) {
    if (!isCaPresetName(spec.ca.preset)) {
      throw new ConfigError(`ca.preset: unknown CA "${spec.ca.preset}". Known presets: ${CA_PRESET_NAMES.join(', ')}; or give ca.directoryUrl.`, {
        field: 'ca.preset',
      });
    }
    preset = CA_PRESETS[spec.ca.preset];
  }
  if (spec.ca.profile !== undefined && spec.ca.requiredProfile !== undefined) {
    throw new ConfigError(
      `ca: a preferred profile ("${spec.ca.profile}") and a required one ("${spec.ca.requiredProfile}") were both given; give one (--preferred-profile or --required-profile; profile or requiredProfile).`,
      { field: 'ca.requiredProfile' },
    );
  }
  const directoryUrl = spec.ca.directoryUrl ?? preset?.directoryUrl;
  if (!directoryUrl) throw new ConfigError('ca: give a preset (e.g. "letsencrypt", "jprs") or a directoryUrl.', { field: 'ca' });
  const stagingDirectoryUrl = spec.ca.stagingDirectoryUrl ?? (spec.ca.directoryUrl ? undefined : preset?.stagingDirectoryUrl);
  const renewBeforeExpirySeconds = spec.renewBeforeExpiry ?? preset?.defaultRenewBeforeExpirySeconds;
  const name = spec.name ?? (domains[0] as string).replace(/^\*\./, '');
  // A normalised name only fails the lineage-name rule by its length (a domain may have 253 characters).
  if (!LINEAGE_NAME.test(name)) {
    throw new ConfigError(
      `name: the lineage is named after the first domain, "${name.slice(0, 40)}…", which is ${name.length} characters long; a lineage name has at most ${MAX_LINEAGE_NAME_LENGTH}. Give the lineage a shorter name (--cert-name NAME on the command line, "name" in a configuration).`,
      { field: 'name' },
    );
  }
  const hooks: LineageHooks = Object.fromEntries(Object.entries(spec.hooks ?? {}).filter(([, command]) => command !== undefined));
  return {
    name,
    domains,
    keyType: spec.keyType,
    ca: { ...spec.ca, directoryUrl, ...(stagingDirectoryUrl ? { stagingDirectoryUrl } : {}) },
    dns: { ...spec.dns, delegations: normalizeDelegations(spec.dns.delegations) },
    ...(renewBeforeExpirySeconds === undefined ? {} : { renewBeforeExpirySeconds }),
    deployDelaySeconds: spec.deployDelay ?? preset?.defaultDeployDelaySeconds ?? 0,
    reuseKey: spec.reuseKey,
    ...(Object.keys(hooks).length > 0 ? { hooks } : {}),
    ...(spec.keyStore === undefined ? {} : { keyStore: spec.keyStore }),
    ...(spec.endpoints && spec.endpoints.length > 0 ? { endpoints: spec.endpoints } : {}),
  };
}
