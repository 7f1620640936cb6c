import { readFile } from 'node:fs/promises';
import { dnsProviderCodes, isDnsProviderCode, parseServerAddress, type DnsProviderCode } from '../shared/dns/index.js';
import { readCloudflareCredentials } from '../shared/dns/providers/cloudflare/index.js';
import { readRfc2136Credentials } from '../shared/dns/providers/rfc2136/index.js';
import type { OptionSpec } from './args.js';
import { UsageError } from './usage-error.js';

/**
 * certbot's DNS plugin flags: `--dns-<code>` to choose, `--dns-<code>-credentials FILE` for its INI,
 * and `--dns-<code>-propagation-seconds N`, accepted and unused: acmeflow asks the authoritative
 * servers until the record is there instead of sleeping a fixed time.
 */
const PROVIDER_FLAGS: OptionSpec = Object.fromEntries(
  dnsProviderCodes
    .filter((code) => code !== 'manual')
    .flatMap((code) => [
      [`dns-${code}`, { type: 'boolean' }],
      [`dns-${code}-credentials`, { type: 'string' }],
      [`dns-${code}-propagation-seconds`, { type: 'string' }],
    ]),
);

/** certbot's plugin choice (`-a dns-rfc2136`, `--manual`) and the manual plugin's hooks. */
const CERTBOT_PLUGIN_OPTIONS = {
  authenticator: { type: 'string', short: 'a' },
  manual: { type: 'boolean' },
  'preferred-challenges': { type: 'string' },
  'manual-auth-hook': { type: 'string' },
  'manual-cleanup-hook': { type: 'string' },
} as const satisfies OptionSpec;

export const DNS_OPTIONS = {
  ...PROVIDER_FLAGS,
  ...CERTBOT_PLUGIN_OPTIONS,
  dns: { type: 'string' },
  'dns-resolver': { type: 'string', multiple: true },
  'dns-route53-hosted-zone-id': { type: 'string' },
  'dns-propagation-timeout': { type: 'string' },
} as const;

/**
 * `--dns-propagation-timeout SECONDS`: how long the issuance waits for the records to reach every
 * server (kept with the lineage). Whole seconds from 10 to 86400, checked before anything is sent.
 */
export function propagationTimeoutFromFlags(values: { 'dns-propagation-timeout'?: string | undefined }): number | undefined {
  const given = values['dns-propagation-timeout'];
  if (given === undefined) return undefined;
  const seconds = Number(given);
  if (!/^\d+$/.test(given.trim()) || seconds < 10 || seconds > 86_400) {
    throw new UsageError(`--dns-propagation-timeout ${given}: give whole seconds from 10 to 86400 (default 900).`);
  }
  return seconds;
}

/** certbot's plugin name (`dns-rfc2136`, `manual`) as a provider code; anything else is refused with what acmeflow does instead. */
function providerOfAuthenticator(authenticator: string): string {
  if (authenticator === 'manual') return 'manual';
  if (authenticator.startsWith('dns-')) return authenticator.slice('dns-'.length);
  throw new UsageError(
    `--authenticator ${authenticator}: acmeflow validates with dns-01 only. Use -a dns-<provider> (${dnsProviderCodes.filter((c) => c !== 'manual').join(', ')}) or --manual --preferred-challenges dns with --manual-auth-hook.`,
  );
}

/** The one DNS provider the flags choose (`--dns CODE`, certbot's `--dns-<code>`, `-a dns-<code>`, `--manual`), or a usage error. */
export function chooseDnsProvider(values: Record<string, unknown>): DnsProviderCode {
  const chosen = dnsProviderCodes.filter((code) => values[`dns-${code}`] === true);
  const named = typeof values.dns === 'string' ? [values.dns] : [];
  const plugin = typeof values.authenticator === 'string' ? [providerOfAuthenticator(values.authenticator)] : [];
  const manual = values.manual === true ? ['manual'] : [];
  const all = [...new Set([...named, ...chosen, ...plugin, ...manual])];
  const preferred = typeof values['preferred-challenges'] === 'string' ? values['preferred-challenges'].split(',').map((c) => c.trim().toLowerCase()) : undefined;
  if (preferred && !preferred.some((c) => c === 'dns' || c === 'dns-01')) {
    throw new UsageError(`--preferred-challenges ${values['preferred-challenges']}: acmeflow validates with dns-01 only; give --preferred-challenges dns.`);
  }
  if (all.length === 0) {
    throw new UsageError(`Choose a DNS provider for the dns-01 challenge: --dns <${dnsProviderCodes.join('|')}> (or certbot's --dns-<provider>, -a dns-<provider>, --manual).`);
  }
  if (all.length > 1) throw new UsageError(`Choose one DNS provider, not ${all.join(' and ')}.`);
  const provider = all[0] as string;
  if (!isDnsProviderCode(provider)) {
    throw new UsageError(`Unknown DNS provider "${provider}". Known providers: ${dnsProviderCodes.join(', ')}.`);
  }
  return provider;
}

/**
 * `--dns-resolver HOST[:PORT]` (repeatable), each checked by the parser the propagation check uses,
 * so a server that is no address is a usage error before an order is placed and a record written.
 */
export function resolversFromFlags(values: { 'dns-resolver'?: readonly string[] | undefined }): string[] | undefined {
  const given = values['dns-resolver'];
  if (given === undefined) return undefined;
  for (const text of given) {
    try {
      parseServerAddress(text);
    } catch (err) {
      throw new UsageError(
        `--dns-resolver ${text}: ${(err as Error).message}. Give an IP address or host name, with :PORT when it is not 53 (e.g. 192.0.2.53, 192.0.2.53:5353 or [2001:db8::53]:53), once per server.`,
      );
    }
  }
  return [...given];
}

export interface DnsChoice {
  readonly provider: string;
  readonly credentialsRef?: string;
  readonly config: Record<string, unknown>;
}

/**
 * Reads the DNS choice from flags and checks its credentials file now — missing, unreadable or
 * broken is a usage error; readable by others is a warning, as certbot gives.
 */
export async function dnsFromFlags(values: Record<string, unknown>, warn: (message: string) => void): Promise<DnsChoice> {
  const provider = chooseDnsProvider(values);
  if (provider === 'manual') return manualFromFlags(values);
  const credentialsRef = values[`dns-${provider}-credentials`] as string | undefined;
  const config: Record<string, unknown> = {};
  if (provider === 'route53' && typeof values['dns-route53-hosted-zone-id'] === 'string') config.hostedZoneId = values['dns-route53-hosted-zone-id'];
  if ((provider === 'rfc2136' || provider === 'cloudflare' || provider === 'acme-dns') && !credentialsRef) {
    throw new UsageError(`The ${provider} provider needs its credentials file: --dns-${provider}-credentials FILE.`);
  }
  if (credentialsRef) {
    try {
      if (provider === 'rfc2136') await readRfc2136Credentials(credentialsRef, { warn });
      else if (provider === 'cloudflare') await readCloudflareCredentials(credentialsRef, { warn });
      else if (provider === 'acme-dns') JSON.parse(await readFile(credentialsRef, 'utf8'));
      else await readFile(credentialsRef, 'utf8');
    } catch (err) {
      throw new UsageError(`--dns-${provider}-credentials ${credentialsRef}: ${(err as Error).message}`);
    }
  }
  return { provider, ...(credentialsRef ? { credentialsRef } : {}), config };
}

/**
 * certbot's `--manual --preferred-challenges dns --manual-auth-hook CMD [--manual-cleanup-hook CMD]`.
 * Without an auth hook certbot would ask a person to create the record by hand; acmeflow needs the hook.
 */
function manualFromFlags(values: Record<string, unknown>): DnsChoice {
  const authHook = values['manual-auth-hook'];
  const cleanupHook = values['manual-cleanup-hook'];
  if (typeof authHook !== 'string' || authHook.trim() === '') {
    throw new UsageError('--manual needs --manual-auth-hook CMD (the command that publishes CERTBOT_VALIDATION at _acme-challenge.$CERTBOT_DOMAIN), and --preferred-challenges dns.');
  }
  if (values['preferred-challenges'] === undefined) {
    throw new UsageError('--manual: add --preferred-challenges dns (certbot\u2019s manual plugin would try http-01 first; acmeflow validates with dns-01 only).');
  }
  return { provider: 'manual', config: { authHook, ...(typeof cleanupHook === 'string' && cleanupHook !== '' ? { cleanupHook } : {}) } };
}
