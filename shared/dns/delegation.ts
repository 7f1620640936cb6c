import { ACME_CHALLENGE_LABEL, challengeDomain, type ChallengeRecord, type DnsIdentifier } from './challenge-record.js';
import { normalizeDnsName } from './dns-name.js';
import { DnsDelegationDepthError, DnsDelegationLookupError, DnsDelegationLoopError } from './errors.js';
import { nodeResolver } from './node-resolver.js';

/**
 * What CNAME delegation needs from DNS: the CNAME target(s) at a name. Rules: reject with an error
 * whose `code` is `ENODATA` or `ENOTFOUND` (node:dns codes) when there is no CNAME; any other
 * rejection is a lookup failure.
 */
export interface CnameResolver {
  resolveCname(name: string): Promise<string[]>;
}

/** An operator's explicit delegation for one domain: write the TXT value at `delegateTo`, look nothing up. */
export interface DelegationOverride {
  /** The name that holds the TXT record, e.g. `d420c923.auth.acme-dns.io`. */
  readonly delegateTo: string;
}

/** Options of {@link resolveDelegation}. */
export interface ResolveDelegationOptions {
  /** Where CNAMEs are looked up. @default nodeResolver() (the system's recursive resolvers) */
  readonly resolver?: CnameResolver;
  /**
   * Explicit delegations keyed by domain (`example.com`; `*.example.com` and
   * `_acme-challenge.example.com` are accepted as keys too). An override wins over DNS.
   */
  readonly overrides?: Readonly<Record<string, DelegationOverride>>;
  /** Maximum CNAME links followed. @default 8 */
  readonly maxDepth?: number;
}

/** Where the TXT record for a domain's dns-01 challenge has to be written. Plain JSON. */
export interface Delegation {
  /** `_acme-challenge.<domain>`, the name the CA queries. */
  readonly name: string;
  /** The end of the chain: the name the provider writes to; equals `name` when not delegated. */
  readonly effectiveName: string;
  /** The CNAME targets followed, in order (`[]` when not delegated; `[delegateTo]` for an override). */
  readonly chain: readonly string[];
}

// A server that refuses the question (an authoritative server given as a resolver, asked about a
// name outside its zones) knows no CNAME there; the propagation check then says, at once, that it
// is not authoritative, which names the real problem better than a failed CNAME lookup.
const NO_CNAME_CODES = new Set(['ENODATA', 'ENOTFOUND', 'EREFUSED']);

/**
 * Resolve CNAME delegation of a domain's `_acme-challenge` name. RFC 8555 §8.4 has the CA follow
 * CNAMEs like any resolver, so an operator can point `_acme-challenge.example.com` at a name in a
 * zone the issuer can write (acme-dns, a dedicated validation zone); the TXT record must then be
 * written at the end of the chain.
 *
 * Chains are followed up to `maxDepth` links; a name seen twice is a loop. Both throw typed errors
 * ({@link DnsDelegationLoopError}, {@link DnsDelegationDepthError}); a failed lookup (not "no such
 * CNAME") throws {@link DnsDelegationLookupError}.
 *
 * @example
 * ```ts
 * await resolveDelegation('*.example.com', { resolver })
 * // { name: '_acme-challenge.example.com', effectiveName: 'x.auth.acme-dns.io', chain: ['x.auth.acme-dns.io'] }
 * ```
 */
export async function resolveDelegation(identifier: DnsIdentifier, options: ResolveDelegationOptions = {}): Promise<Delegation> {
  const domain = challengeDomain(identifier);
  const name = `${ACME_CHALLENGE_LABEL}.${domain}`;
  const override = findOverride(domain, options.overrides);
  if (override !== undefined) {
    const effectiveName = normalizeDnsName(override.delegateTo);
    return { name, effectiveName, chain: effectiveName === name ? [] : [effectiveName] };
  }

  const resolver = options.resolver ?? nodeResolver();
  const maxDepth = options.maxDepth ?? 8;
  const chain: string[] = [];
  const seen = new Set([name]);
  let current = name;
  for (;;) {
    const target = await lookupCname(resolver, current, name);
    if (target === undefined) return { name, effectiveName: current, chain };
    chain.push(target);
    if (seen.has(target)) throw new DnsDelegationLoopError(name, chain);
    if (chain.length > maxDepth) throw new DnsDelegationDepthError(name, chain, maxDepth);
    seen.add(target);
    current = target;
  }
}

/**
 * Fill `effectiveName` of challenge records from their delegation, resolving each distinct name once;
 * `chain` is the CNAME targets followed (for messages that name the chain).
 *
 * @example
 * ```ts
 * const records = await delegateRecords([challengeRecord('example.com', keyAuthz)], { resolver });
 * ```
 */
export async function delegateRecords(
  records: readonly ChallengeRecord[],
  options: ResolveDelegationOptions = {},
): Promise<(ChallengeRecord & { readonly chain: readonly string[] })[]> {
  const byName = new Map<string, Promise<Delegation>>();
  for (const record of records) {
    if (!byName.has(record.name)) {
      byName.set(record.name, resolveDelegation(record.name.slice(ACME_CHALLENGE_LABEL.length + 1), options));
    }
  }
  return Promise.all(
    records.map(async (record) => {
      const delegation = await byName.get(record.name)!;
      return { ...record, effectiveName: delegation.effectiveName, chain: delegation.chain };
    }),
  );
}

function findOverride(domain: string, overrides: ResolveDelegationOptions['overrides']): DelegationOverride | undefined {
  if (overrides === undefined) return undefined;
  const wanted = new Set([domain, `*.${domain}`, `${ACME_CHALLENGE_LABEL}.${domain}`]);
  for (const [key, value] of Object.entries(overrides)) {
    if (wanted.has(normalizeDnsName(key))) return value;
  }
  return undefined;
}

async function lookupCname(resolver: CnameResolver, name: string, record: string): Promise<string | undefined> {
  let targets: string[];
  try {
    targets = await resolver.resolveCname(name);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && NO_CNAME_CODES.has(code)) return undefined;
    throw new DnsDelegationLookupError(record, { cause: error, ...(typeof code === 'string' ? { code } : {}) });
  }
  // A name holds at most one CNAME (RFC 1034 §3.6.2); an empty answer means none.
  const target = targets[0];
  return target === undefined ? undefined : normalizeDnsName(target);
}
