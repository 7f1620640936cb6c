// A namespace import lets esbuild drop zod's locales from the Lambda bundle (about 360 KB).
import * as z from 'zod';

/**
 * Configuration of the Route 53 provider (the `dns.config` object of a certificate spec).
 *
 * @example
 * ```ts
 * route53ConfigSchema.parse({ roleArn: 'arn:aws:iam::111122223333:role/acmeflow-dns', externalId: 'acmeflow' });
 * // { privateZone: false, maxAttempts: 5, roleArn: '...', externalId: 'acmeflow' }
 * ```
 */
export const route53ConfigSchema = z
  .object({
    /** Use this hosted zone instead of looking one up by name (`Z0123...` or `/hostedzone/Z0123...`). */
    hostedZoneId: z
      .string()
      .regex(/^(\/hostedzone\/)?[A-Z0-9]{1,32}$/, 'a hosted zone id like Z0123456789ABCDEFGHIJ')
      .transform((id) => id.replace(/^\/hostedzone\//, ''))
      .optional(),
    /** Look up private hosted zones instead of public ones. Public CAs cannot see private zones: for split-horizon setups only. */
    privateZone: z.boolean().default(false),
    /** A role to assume (cross-account zones): its policy is the manifest's `iamPolicy()`. */
    roleArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'an IAM role ARN like arn:aws:iam::111122223333:role/acmeflow-dns')
      .optional(),
    /** The external id the role's trust policy requires (`sts:ExternalId`). */
    externalId: z.string().min(2).max(1224).optional(),
    /** The region the Route 53 client signs for; Route 53 is global, but other partitions need their region (`cn-northwest-1`). @default 'us-east-1' */
    region: z.string().min(1).optional(),
    /** Attempts of one API call while Route 53 throttles (`Throttling`, `PriorRequestNotComplete`) or fails (5xx). */
    maxAttempts: z.number().int().min(1).max(10).default(5),
  })
  .strict()
  .refine((config) => config.externalId === undefined || config.roleArn !== undefined, {
    message: 'externalId is only used together with roleArn',
    path: ['externalId'],
  });

/** The parsed configuration (defaults applied). */
export type Route53Config = z.output<typeof route53ConfigSchema>;
