// A namespace import lets esbuild drop zod's locales from the Lambda bundle (about 360 KB).
import * as z from 'zod';

/**
 * Configuration of the Cloudflare provider. It holds no secret: the API token comes from the
 * injected `apiToken` (e.g. read from Secrets Manager by the Lambda), from `credentialsFile` (certbot's
 * INI file), or from the environment (`CLOUDFLARE_DNS_API_TOKEN`, `CF_DNS_API_TOKEN`), in that order.
 *
 * @example
 * ```ts
 * cloudflareConfigSchema.parse({ credentialsFile: '/etc/letsencrypt/cloudflare.ini' });
 * ```
 */
export const cloudflareConfigSchema = z
  .object({
    /** The zone to write in (32 hex digits); looked up by name when absent. */
    zoneId: z.string().regex(/^[0-9a-f]{32}$/, 'a Cloudflare zone id: 32 hexadecimal digits').optional(),
    /** Path of a certbot-dns-cloudflare credentials file with `dns_cloudflare_api_token = ...`. */
    credentialsFile: z.string().min(1).optional(),
  })
  .strict();

/** The parsed configuration. */
export type CloudflareConfig = z.output<typeof cloudflareConfigSchema>;
