import { readFile } from 'node:fs/promises';
import { dnsProviderCodes, isDnsProviderCode, parseServerAddress, type DnsProviderCode } from '../shared/dns/index.js';
import { readCloudflareCredentials } from '../shared/dns/providers/cloudflare/index.js';
import { readRfc2136Credentials } from '../shared/dns/providers/rfc2136/index.js';
import type { OptionSpec } from './args.js';
import { UsageError } from './usage-error.js';

/** certbot's DNS plugin flags: `--dns-<code>` to choose, `--dns-<code>-credentials FILE` for its INI. */
const PROVIDER_FLAGS: OptionSpec = Object.fromEntries(
  dnsProviderCodes.flatMap((code) => [
    [`dns-${code}`, { type: 'boolean' }],
    [`dns-${code}-credentials`, { type: 'string' }],
  ]),
);

export const DNS_OPTIONS = {
  ...PROVIDER_FLAGS,
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

/** The one DNS provider the flags choose (`--dns CODE` or certbot's `--dns-<code>`), or a usage error. */
export function chooseDnsProvider(values: Record<string, unknown>): DnsProviderCode {
  const chosen = dnsProviderCodes.filter((code) => values[`dns-${code}`] === true);
  const named = typeof values.dns === 'string' ? [values.dns] : [];
  const all = [...new Set([...named, ...chosen])];
  if (all.length === 0) {
    throw new UsageError(`Choose a DNS provider for the dns-01 challenge: --dns <${dnsProviderCodes.join('|')}> (or certbot's --dns-<provider>).`);
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
