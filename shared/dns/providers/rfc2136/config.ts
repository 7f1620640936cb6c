// A namespace import lets esbuild drop zod's locales from the Lambda bundle (about 360 KB).
import * as z from 'zod';
import { normalizeDnsName } from '../../dns-name.js';
import { Rfc2136ConfigError } from './errors.js';
import { decodeTsigSecret, parseTsigAlgorithm, TSIG_ALGORITHMS } from './tsig.js';

/** The TSIG key part of the configuration (BIND `key` statement: name, algorithm, secret). */
export const tsigKeySchema = z
  .object({
    /** Key name as on the server (`acmeflow.` or `acmeflow`). */
    name: z.string().min(1).max(255),
    /** `hmac-sha256` (tsig-keygen's default), `HMAC-SHA512`, ...; case and trailing dot do not matter. @default 'hmac-sha256' */
    algorithm: z.preprocess(
      (value) => (typeof value === 'string' ? (parseTsigAlgorithm(value) ?? value) : value),
      z.enum(TSIG_ALGORITHMS),
    ).default('hmac-sha256'),
    /** The base64 secret. Keep it out of stored specs: inject it at run time, or use `credentialsFile`. */
    secret: z.string().refine((secret) => decodeTsigSecret(secret) !== undefined, 'must be the base64 secret tsig-keygen prints'),
  })
  .strict();

/**
 * Configuration of the RFC 2136 provider (the `dns.config` object of a certificate spec).
 *
 * The TSIG key comes from, in order: `tsig` (inject it at run time; a spec stored in S3 must not carry
 * the secret), `credentialsFile` (certbot's `dns_rfc2136_*` INI, read on first use), or the
 * environment (`RFC2136_TSIG_KEY`, `RFC2136_TSIG_SECRET`, `RFC2136_TSIG_ALGORITHM`, lego's names).
 *
 * @example
 * ```ts
 * rfc2136ConfigSchema.parse({ server: '192.0.2.53', tsig: { name: 'acmeflow.', algorithm: 'HMAC-SHA512', secret } });
 * // { server: '192.0.2.53', port: 53, ttl: 60, timeoutMs: 5000, signQuery: false, tsig: { name: 'acmeflow.', algorithm: 'hmac-sha512', secret } }
 * ```
 */
export const rfc2136ConfigSchema = z
  .object({
    /** The primary server that accepts updates: an address or host name. Also read from the credentials file. */
    server: z.string().min(1).optional(),
    /** @default 53 */
    port: z.number().int().min(1).max(65535).optional(),
    /** The zone to update; found by an SOA query to the server when absent. */
    zone: z.string().min(1).transform(normalizeDnsName).optional(),
    tsig: tsigKeySchema.optional(),
    /** Path of a certbot RFC 2136 credentials INI file (`dns_rfc2136_server`, `_name`, `_secret`, `_algorithm`, `_port`). */
    credentialsFile: z.string().min(1).optional(),
    /** TTL of the TXT records, seconds (certbot uses 120, lego 120; short keeps stale values out of caches). @default 60 */
    ttl: z.number().int().min(0).max(86_400).default(60),
    /** Budget of one exchange with the server, ms. @default 5000 */
    timeoutMs: z.number().int().min(1).max(60_000).default(5000),
    /** Sign the SOA query that finds the zone too (certbot's `dns_rfc2136_sign_query`), for servers whose views match on keys. @default false */
    signQuery: z.boolean().default(false),
  })
  .strict();

/** The parsed configuration (defaults applied). */
export type Rfc2136Config = z.output<typeof rfc2136ConfigSchema>;
/** What callers write (defaults optional). */
export type Rfc2136ConfigInput = z.input<typeof rfc2136ConfigSchema>;

/**
 * Validate an RFC 2136 configuration, throwing {@link Rfc2136ConfigError} with one line per problem.
 * Values are never echoed in the error, so a mistyped secret does not end up in a log.
 *
 * @example
 * ```ts
 * const config = parseRfc2136Config(JSON.parse(text));
 * ```
 */
export function parseRfc2136Config(input: unknown, source?: string): Rfc2136Config {
  const result = rfc2136ConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.length === 0 ? '(config)' : issue.path.join('.')}: ${issue.message}`);
  throw new Rfc2136ConfigError(issues, source === undefined ? {} : { source });
}
