// A namespace import lets esbuild drop zod's locales from the Lambda bundle (about 360 KB).
import * as z from 'zod';

/**
 * One acme-dns registration, as `POST /register` returns it and as certbot's acme-dns plugin and
 * lego store it (`server_url` is lego's addition; other fields such as `allowfrom` pass through).
 */
export const acmeDnsRegistrationSchema = z.looseObject({
  username: z.string().min(1),
  password: z.string().min(1),
  /** The UUID label acme-dns serves the TXT values at. */
  subdomain: z.string().min(1),
  /** `<subdomain>.<acme-dns zone>`: the target of the `_acme-challenge` CNAME. */
  fulldomain: z.string().min(1),
  /** The acme-dns API the registration belongs to; the config's `apiUrl` when absent. */
  server_url: z.url().optional(),
});

/** A parsed registration. */
export type AcmeDnsRegistration = z.output<typeof acmeDnsRegistrationSchema>;

/**
 * Configuration of the acme-dns provider: the registrations keyed by domain, exactly as in the
 * registration JSON file certbot-dns-acmedns and lego keep (`{ "example.com": { username, ... } }`).
 * A key may also be the `_acme-challenge` name itself, or a wildcard (`*.example.com`).
 *
 * @example
 * ```ts
 * acmeDnsConfigSchema.parse({
 *   apiUrl: 'https://auth.acme-dns.io',
 *   registrations: { 'example.com': { username: 'u', password: 'p', subdomain: 'd420c923-...', fulldomain: 'd420c923-....auth.acme-dns.io' } },
 * });
 * ```
 */
export const acmeDnsConfigSchema = z
  .object({
    /** The acme-dns API for registrations without `server_url`. */
    apiUrl: z.url().optional(),
    registrations: z.record(z.string().min(1), acmeDnsRegistrationSchema),
  })
  .strict()
  .refine((config) => config.apiUrl !== undefined || Object.values(config.registrations).every((r) => r.server_url !== undefined), {
    message: 'set apiUrl, or server_url in every registration',
    path: ['apiUrl'],
  });

/** The parsed configuration. */
export type AcmeDnsConfig = z.output<typeof acmeDnsConfigSchema>;
