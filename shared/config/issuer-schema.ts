// A namespace import lets esbuild drop zod's locales from the Lambda bundle (about 360 KB).
import * as z from 'zod';
import { CA_PRESET_NAMES, type CaPresetName } from './ca-presets.js';
import { durationSchema } from './duration.js';
import { endpointSchema } from './endpoint.js';
import {
  accountKeyTypeSchema,
  contactSchema,
  delegationsSchema,
  deployDelaySchema,
  directoryUrlSchema,
  dnsConfigSchema,
  domainsInputSchema,
  keyStoreSchema,
  keyTypeSchema,
  lineageNameSchema,
  newOrderLimitSchema,
  preferredChainSchema,
  profileSchema,
} from './lineage-spec.js';
import { configErrorFrom } from './zod-issue.js';

/**
 * The lineages of an issuer as the construct's props and the config file give them: certificates
 * that name a CA account and a DNS provider. Built from the lineage spec's field schemas, so a field
 * (a duration, a key type, a deploy delay) is checked by one rule and rejected with one message
 * whether it comes from `new AcmeIssuer(...)`, `infra/config/*.json` or a renewal conf. The
 * construct's prop interfaces stay hand-written for their docs; a type test keeps them equal to
 * these schemas' input types.
 */

export const caAccountSchema = z
  .object({
    preset: z.enum(CA_PRESET_NAMES as [CaPresetName, ...CaPresetName[]]).optional(),
    directoryUrl: directoryUrlSchema.optional(),
    stagingDirectoryUrl: directoryUrlSchema.optional(),
    contact: contactSchema.readonly().optional(),
    /** A Secrets Manager secret name or ARN: the lineage's `ca.eabRef`. */
    eabSecret: z.string().min(1).optional(),
    termsOfServiceAgreed: z.boolean().optional(),
    accountKeyType: accountKeyTypeSchema.optional(),
    profile: profileSchema.optional(),
    preferredChain: preferredChainSchema.optional(),
    /** New orders per window for this account, over the CA preset's; carried in each lineage's `ca.newOrderLimit`. */
    newOrderLimit: newOrderLimitSchema.optional(),
  })
  .strict();

export const dnsProviderSchema = z
  .object({
    provider: z.string().min(1),
    config: dnsConfigSchema.readonly().optional(),
    /** A Secrets Manager secret name or ARN: the lineage's `dns.credentialsRef`. */
    credentialsSecret: z.string().min(1).optional(),
    hostedZoneIds: z.array(z.string().min(1)).readonly().optional(),
    resolvers: z.array(z.string().min(1)).readonly().optional(),
  })
  .strict();

export const certificateSchema = z
  .object({
    name: lineageNameSchema.optional(),
    domains: domainsInputSchema.readonly(),
    keyType: keyTypeSchema,
    /** A key of `caAccounts`. */
    ca: z.string(),
    /** A key of `dnsProviders`. */
    dns: z.string(),
    renewBeforeExpiry: durationSchema.optional(),
    deployDelaySeconds: deployDelaySchema.optional(),
    reuseKey: z.boolean().optional(),
    /** Where the certificate key lives: `keys/` in the bucket, or a secret. The issuer's `keyStore` when unset. */
    keyStore: keyStoreSchema.optional(),
    delegations: delegationsSchema.readonly().optional(),
    endpoints: z.array(endpointSchema).readonly().optional(),
    /** The preferred ACME profile; the CA account's `profile` when unset. */
    profile: profileSchema.optional(),
    /** The required ACME profile: no order when the CA does not list it. */
    requiredProfile: profileSchema.optional(),
  })
  .strict();

/** The part of the issuer's props (and config file) that describes lineages. */
export const issuerLineagesSchema = z.object({
  certificates: z.array(certificateSchema).readonly(),
  caAccounts: z.record(z.string(), caAccountSchema).readonly(),
  dnsProviders: z.record(z.string(), dnsProviderSchema).readonly(),
  /** Where certificate keys live unless a certificate says otherwise. @default 's3' */
  keyStore: keyStoreSchema.optional(),
});

export type IssuerLineagesInput = z.input<typeof issuerLineagesSchema>;
export type IssuerLineages = z.output<typeof issuerLineagesSchema>;

/**
 * Checks the lineage part of the issuer's props; durations come back as seconds.
 *
 * @throws ConfigError naming the field (`certificates[1].renewBeforeExpiry: "soon" is not a duration. ...`).
 *
 * @example
 * ```ts
 * const { certificates } = parseIssuerLineages({ certificates, caAccounts, dnsProviders });
 * ```
 */
export function parseIssuerLineages(input: unknown): IssuerLineages {
  const parsed = issuerLineagesSchema.safeParse(input);
  if (!parsed.success) throw configErrorFrom(parsed.error, 'issuer');
  return parsed.data;
}
