// A namespace import lets esbuild drop zod's locales from the Lambda bundle (about 360 KB).
import * as z from 'zod';
import { KEY_TYPES } from '../crypto/key-type.js';
import { CA_PRESETS, CA_PRESET_NAMES, isCaPresetName, type CaPreset } from './ca-presets.js';
import { normalizeDomains } from './domains.js';
import { durationSchema } from './duration.js';
import { ConfigError } from './errors.js';

/**
 * A lineage: one certificate kept up to date under one name (certbot's `renewal/<name>.conf`).
 * The stored form is always fully resolved: names normalised, the key type explicit, the CA's
 * directory URL spelled out. It never holds a secret: EAB credentials and DNS credentials are
 * references resolved at run time.
 */

/** certbot lineage names: the first domain (without `*.`), or a name of the user's (`--cert-name`). */
export const LINEAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const keyTypeSchema = z.enum(KEY_TYPES);

export const caSpecSchema = z
  .object({
    /** A preset name (`letsencrypt`, `jprs`, ...). */
    preset: z.string().optional(),
    /** Any RFC 8555 directory URL; filled in from the preset when absent. */
    directoryUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Where dry runs go; the preset's staging directory, else the CA itself. */
    stagingDirectoryUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Account contact e-mail addresses. */
    contact: z.array(z.string().email()).default([]),
    /**
     * Where the EAB credentials are kept: a Secrets Manager secret name/ARN in AWS, a file path
     * locally. Needed only to register the account; never the credentials themselves.
     */
    eabRef: z.string().min(1).optional(),
    /** The person agreed to the CA's terms of service (certbot's --agree-tos); sent at registration. @default false */
    termsOfServiceAgreed: z.boolean().default(false),
    /** The account key's type. @default 'ecdsa-p256' */
    accountKeyType: z.enum(['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096']).default('ecdsa-p256'),
    /** An ACME profile the CA lists in its directory. */
    profile: z.string().min(1).optional(),
    /** Issuer common name of the chain to prefer (certbot's `--preferred-chain`). */
    preferredChain: z.string().min(1).optional(),
  })
  .strict();

export const dnsSpecSchema = z
  .object({
    /** Provider code (`route53`, `rfc2136`, `cloudflare`, `acme-dns`). */
    provider: z.string().min(1),
    /** Provider settings that are not secret (zone id, server address, ...). */
    config: z.record(z.string(), z.unknown()).default({}),
    /** Where the provider's credentials are kept (a secret name, or a credentials file path). */
    credentialsRef: z.string().min(1).optional(),
    /** Per-name CNAME delegation targets: `example.com` → `_acme-challenge.example.com` is published at the target instead. */
    delegations: z.record(z.string(), z.string()).default({}),
    /** Nameservers the propagation check asks instead of the zone's authoritative servers (`host:port`). */
    resolvers: z.array(z.string()).default([]),
  })
  .strict();

export const lineageSpecInputSchema = z
  .object({
    name: z.string().regex(LINEAGE_NAME, 'use letters, digits, ".", "_" and "-", starting with a letter or digit').optional(),
    domains: z.array(z.string()).min(1),
    keyType: keyTypeSchema,
    ca: caSpecSchema,
    dns: dnsSpecSchema,
    /** Renew when less than this is left (`30 days`, `91 days`); longer than the lifetime means every run renews. */
    renewBeforeExpiry: durationSchema.optional(),
    /** Seconds between `Certificate Issued` and `Certificate Deployable`. @default the preset's, else 0 */
    deployDelay: z.number().int().min(0).max(86_400).optional(),
    /** Keep the private key across renewals. @default false */
    reuseKey: z.boolean().default(false),
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
}

function zodMessage(error: z.ZodError): { message: string; field: string } {
  const issue = error.issues[0];
  const field = issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') ?? '';
  return { message: `${field || 'lineage'}: ${issue?.message ?? 'invalid'}`, field };
}

/**
 * Validates and resolves a lineage spec: normalised names, the preset's directory URL, deploy delay
 * and renewal threshold filled in. Throws {@link ConfigError} naming the field and the fix.
 *
 * @example
 * resolveLineageSpec({ domains: ['example.jp'], keyType: 'rsa-2048', ca: { preset: 'jprs', eabRef: 'acmeflow/eab/jprs' },
 *   dns: { provider: 'route53' } }).deployDelaySeconds // → 600
 */
export function resolveLineageSpec(input: unknown): LineageSpec {
  const parsed = lineageSpecInputSchema.safeParse(input);
  if (!parsed.success) {
    const { message, field } = zodMessage(parsed.error);
    throw new ConfigError(message, { field });
  }
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
  const directoryUrl = spec.ca.directoryUrl ?? preset?.directoryUrl;
  if (!directoryUrl) throw new ConfigError('ca: give a preset (e.g. "letsencrypt", "jprs") or a directoryUrl.', { field: 'ca' });
  const stagingDirectoryUrl = spec.ca.stagingDirectoryUrl ?? (spec.ca.directoryUrl ? undefined : preset?.stagingDirectoryUrl);
  const renewBeforeExpirySeconds = spec.renewBeforeExpiry ?? preset?.defaultRenewBeforeExpirySeconds;
  const name = spec.name ?? (domains[0] as string).replace(/^\*\./, '');
  return {
    name,
    domains,
    keyType: spec.keyType,
    ca: { ...spec.ca, directoryUrl, ...(stagingDirectoryUrl ? { stagingDirectoryUrl } : {}) },
    dns: spec.dns,
    ...(renewBeforeExpirySeconds === undefined ? {} : { renewBeforeExpirySeconds }),
    deployDelaySeconds: spec.deployDelay ?? preset?.defaultDeployDelaySeconds ?? 0,
    reuseKey: spec.reuseKey,
  };
}
