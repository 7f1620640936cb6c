import { Resolver } from 'node:dns/promises';
import type { CnameResolver } from './delegation.js';
import type { NameserverResolver } from './nameservers.js';

/** Options of {@link nodeResolver}. */
export interface NodeResolverOptions {
  /** Recursive resolvers to ask (`'1.1.1.1'`, `'[2606:4700::1111]:53'`); default: the system's. */
  readonly servers?: readonly string[];
  /** Per-attempt timeout in ms (c-ares `timeout`). @default 2000 */
  readonly timeoutMs?: number;
  /** Attempts per server (c-ares `tries`). @default 2 */
  readonly tries?: number;
}

/**
 * The default resolver of the DNS layer: a node:dns `Resolver` (c-ares, recursive lookups),
 * optionally pinned to given servers. Serves CNAME delegation ({@link CnameResolver}) and nameserver
 * discovery ({@link NameserverResolver}); "no data" rejects with `ENODATA`/`ENOTFOUND` as both expect.
 *
 * @example
 * ```ts
 * const resolver = nodeResolver({ servers: ['1.1.1.1'] });
 * await resolveDelegation('example.com', { resolver });
 * await checkPropagation(records, { resolver });
 * ```
 */
export function nodeResolver(options: NodeResolverOptions = {}): CnameResolver & NameserverResolver {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 2000, tries: options.tries ?? 2 });
  if (options.servers !== undefined && options.servers.length > 0) resolver.setServers([...options.servers]);
  return {
    resolveCname: (name) => resolver.resolveCname(name),
    resolveNs: (name) => resolver.resolveNs(name),
    resolve4: (name) => resolver.resolve4(name),
    resolve6: (name) => resolver.resolve6(name),
  };
}
