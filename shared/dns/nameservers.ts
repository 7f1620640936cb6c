import { normalizeDnsName } from './dns-name.js';
import { DnsError, DnsNameserverLookupError, DnsZoneNotFoundError } from './errors.js';
import { nodeResolver } from './node-resolver.js';
import type { DnsServerAddress } from './server-address.js';

/**
 * What nameserver discovery needs from a recursive resolver ({@link nodeResolver} by default).
 * Rules: reject with `code` `ENODATA` or `ENOTFOUND` when the name has no such records; any other
 * rejection is a lookup failure.
 */
export interface NameserverResolver {
  resolveNs(name: string): Promise<string[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

/** Options of {@link findAuthoritativeServers}. */
export interface FindAuthoritativeServersOptions {
  /** @default nodeResolver() */
  readonly resolver?: NameserverResolver;
  /** Port the authoritative servers listen on. @default 53 */
  readonly port?: number;
  /**
   * Also use the nameservers' IPv6 addresses. Off by default: Lambda functions, like many hosts,
   * have no IPv6 route out, and an unreachable address would only ever time out.
   * @default false
   */
  readonly ipv6?: boolean;
}

/** A zone and the addresses of its authoritative servers. */
export interface AuthoritativeServers {
  /** The zone apex, e.g. `example.com`. */
  readonly zone: string;
  /** NS host names of the zone (RFC 1035 §3.3.11). */
  readonly nameservers: readonly string[];
  /** Addresses of those hosts, deduplicated. */
  readonly servers: readonly DnsServerAddress[];
}

const NO_DATA_CODES = new Set(['ENODATA', 'ENOTFOUND']);

/**
 * Find the zone that holds `name` and the addresses of its authoritative servers: walk up the labels
 * of `name` asking for NS records (the first NS record set met is the zone cut, RFC 1034 §4.2.1),
 * then resolve the nameserver host names to addresses.
 *
 * Throws {@link DnsZoneNotFoundError} when no name up to the top-level label has NS records,
 * {@link DnsNameserverLookupError} when a lookup fails for another reason than "no data", and
 * {@link DnsError} when no nameserver has an address.
 *
 * @example
 * ```ts
 * await findAuthoritativeServers('_acme-challenge.www.example.com')
 * // { zone: 'example.com', nameservers: ['a.iana-servers.net', ...], servers: [{ host: '199.43.135.53', port: 53 }, ...] }
 * ```
 */
export async function findAuthoritativeServers(
  name: string,
  options: FindAuthoritativeServersOptions = {},
): Promise<AuthoritativeServers> {
  const resolver = options.resolver ?? nodeResolver();
  const port = options.port ?? 53;
  const record = normalizeDnsName(name);
  const labels = record.split('.');
  for (let index = 0; index < labels.length; index += 1) {
    const candidate = labels.slice(index).join('.');
    const nameservers = await lookup(() => resolver.resolveNs(candidate), candidate, record);
    if (nameservers === undefined || nameservers.length === 0) continue;
    const hosts = [...new Set(nameservers.map(normalizeDnsName))].sort();
    const addressLists = await Promise.all(
      hosts.map(async (host) => {
        const [v4, v6] = await Promise.all([
          lookup(() => resolver.resolve4(host), host, record, candidate),
          options.ipv6 === true ? lookup(() => resolver.resolve6(host), host, record, candidate) : undefined,
        ]);
        return [...(v4 ?? []), ...(v6 ?? [])];
      }),
    );
    const addresses = [...new Set(addressLists.flat())];
    if (addresses.length === 0) {
      throw new DnsError(`none of the nameservers of ${candidate} (${hosts.join(', ')}) has an address`, {
        record,
        zone: candidate,
        fix: 'add A records (glue) for the zone\'s nameservers, or pass the servers to ask explicitly',
      });
    }
    return { zone: candidate, nameservers: hosts, servers: addresses.map((host) => ({ host, port })) };
  }
  throw new DnsZoneNotFoundError(record);
}

async function lookup(
  query: () => Promise<string[]>,
  name: string,
  record: string,
  zone?: string,
): Promise<string[] | undefined> {
  try {
    return await query();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && NO_DATA_CODES.has(code)) return undefined;
    throw new DnsNameserverLookupError(name, {
      cause: error,
      record,
      ...(typeof code === 'string' ? { code } : {}),
      ...(zone === undefined ? {} : { zone }),
    });
  }
}
