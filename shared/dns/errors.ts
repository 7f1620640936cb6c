/**
 * Typed errors of the DNS-01 layer. Every `name` is a string literal, never `constructor.name`
 * (ARCHITECTURE.md, "Error model"): Step Functions `Retry`/`Catch` match on it and bundlers
 * rename classes.
 *
 * Provider folders add their own errors on top of {@link DnsError}; the messages follow one shape:
 * what went wrong, the record and the zone it concerns, and what the operator should do.
 */
import type { PropagationMiss } from './propagation.js';

/** Context every DNS error may carry, plus the standard `cause`. */
export interface DnsErrorOptions {
  /** The TXT record name concerned (`_acme-challenge.example.com`). */
  readonly record?: string;
  /** The zone the record lives in (`example.com`), when known. */
  readonly zone?: string;
  /** What the operator should change, in one sentence. */
  readonly fix?: string;
  readonly cause?: unknown;
}

/**
 * Base class of every DNS error. The message names the record, the zone and the fix, so a log line
 * alone tells the operator what to do. Secrets (TSIG keys, API tokens) never go into any field.
 *
 * @example
 * ```ts
 * throw new DnsError('the server refused the update', {
 *   record: '_acme-challenge.example.com', zone: 'example.com', fix: 'grant the key TXT updates',
 * });
 * // message: "the server refused the update (record _acme-challenge.example.com, zone example.com). Fix: grant the key TXT updates"
 * ```
 */
export class DnsError extends Error {
  readonly record?: string;
  readonly zone?: string;
  readonly fix?: string;

  constructor(problem: string, options: DnsErrorOptions = {}) {
    super(formatDnsErrorMessage(problem, options), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DnsError';
    if (options.record !== undefined) this.record = options.record;
    if (options.zone !== undefined) this.zone = options.zone;
    if (options.fix !== undefined) this.fix = options.fix;
  }
}

function formatDnsErrorMessage(problem: string, { record, zone, fix }: DnsErrorOptions): string {
  const where = [record === undefined ? undefined : `record ${record}`, zone === undefined ? undefined : `zone ${zone}`]
    .filter((part): part is string => part !== undefined)
    .join(', ');
  return `${problem}${where === '' ? '' : ` (${where})`}${fix === undefined ? '' : `. Fix: ${fix}`}`;
}

/** A CNAME chain under `_acme-challenge.<name>` comes back to a name it already visited (RFC 8555 §8.4 delegation). */
export class DnsDelegationLoopError extends DnsError {
  /** The names visited, the repeated one last. */
  readonly chain: readonly string[];

  constructor(record: string, chain: readonly string[], options: { cause?: unknown } = {}) {
    super(`the CNAME chain at ${record} loops: ${[record, ...chain].join(' -> ')}`, {
      ...options,
      record,
      fix: 'point the _acme-challenge CNAME at a name that holds the TXT record itself, or set delegateTo for this name',
    });
    this.name = 'DnsDelegationLoopError';
    this.chain = chain;
  }
}

/** A CNAME chain under `_acme-challenge.<name>` is longer than the allowed depth. */
export class DnsDelegationDepthError extends DnsError {
  readonly chain: readonly string[];
  readonly maxDepth: number;

  constructor(record: string, chain: readonly string[], maxDepth: number, options: { cause?: unknown } = {}) {
    super(`the CNAME chain at ${record} is longer than ${maxDepth} links: ${[record, ...chain].join(' -> ')}`, {
      ...options,
      record,
      fix: 'shorten the CNAME chain (one CNAME to the validation zone is enough), or set delegateTo for this name',
    });
    this.name = 'DnsDelegationDepthError';
    this.chain = chain;
    this.maxDepth = maxDepth;
  }
}

/** The CNAME lookup for a challenge name failed for another reason than "no CNAME" (SERVFAIL, timeout, ...). */
export class DnsDelegationLookupError extends DnsError {
  constructor(record: string, options: { cause?: unknown; code?: string } = {}) {
    super(`looking up a CNAME at ${record} failed${options.code === undefined ? '' : ` (${options.code})`}`, {
      cause: options.cause,
      record,
      fix: 'check that the resolver can reach the zone\'s nameservers, or set delegateTo for this name to skip the lookup',
    });
    this.name = 'DnsDelegationLookupError';
  }
}

/** A DNS server did not answer within the timeout. */
export class DnsQueryTimeoutError extends DnsError {
  /** `host:port` of the server. */
  readonly server: string;
  readonly timeoutMs: number;

  constructor(server: string, timeoutMs: number, options: DnsErrorOptions = {}) {
    super(`no answer from DNS server ${server} within ${timeoutMs} ms`, {
      fix: `check that ${server} is reachable over UDP and TCP`,
      ...options,
    });
    this.name = 'DnsQueryTimeoutError';
    this.server = server;
    this.timeoutMs = timeoutMs;
  }
}

/** A DNS exchange failed at the socket level (connection refused, unreachable) or the answer was unreadable. */
export class DnsTransportError extends DnsError {
  readonly server: string;
  /** What failed, without the server (`ECONNREFUSED (...)`). */
  readonly problem: string;

  constructor(server: string, problem: string, options: DnsErrorOptions = {}) {
    super(`DNS exchange with ${server} failed: ${problem}`, {
      fix: `check that ${server} runs a DNS server reachable over UDP and TCP`,
      ...options,
    });
    this.name = 'DnsTransportError';
    this.server = server;
    this.problem = problem;
  }
}

/**
 * The CNAME chains followed from `_acme-challenge` names, keyed by the name the value is published
 * at (the chain's end): an error about that name names the chain, since the operator set up the
 * name the CA asks, not the end of it.
 */
export type CnameChains = Readonly<Record<string, readonly string[]>>;

/** `_acme-challenge.a.test (CNAME -> x.b.test)` for a delegated name; the name alone otherwise. */
export function describeRecordName(name: string, chains: CnameChains = {}): string {
  const chain = chains[name];
  return chain && chain.length > 1 ? `${chain[0]} (CNAME -> ${chain.slice(1).join(' -> ')})` : name;
}

/**
 * The challenge records did not reach every authoritative server in the allowed time. Thrown by the
 * workflow once its propagation attempts are used up; the checker itself only reports.
 */
export class DnsPropagationTimeoutError extends DnsError {
  /** What was still missing at the last check, per server (plain JSON). */
  readonly missing: readonly PropagationMiss[];

  constructor(missing: readonly PropagationMiss[], options: { zone?: string; cause?: unknown; timeoutSeconds?: number; chains?: CnameChains } = {}) {
    const names = [...new Set(missing.map((entry) => entry.name))];
    const servers = [...new Set(missing.map((entry) => entry.server))];
    const after = options.timeoutSeconds === undefined ? '' : ` after ${options.timeoutSeconds} s`;
    super(`TXT values still missing on ${servers.join(', ') || 'the authoritative servers'}${after}`, {
      ...(options.zone === undefined ? {} : { zone: options.zone }),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      record: names.map((name) => describeRecordName(name, options.chains)).join(', '),
      fix:
        'check that the provider publishes to the zone the nameservers serve (delegation, split-horizon), or wait longer: ' +
        '--dns-propagation-timeout SECONDS (dns.propagationTimeoutSeconds of the lineage)',
    });
    this.name = 'DnsPropagationTimeoutError';
    this.missing = missing;
  }
}

/**
 * The servers asked for a challenge record are not authoritative for it: they refuse the query, or
 * refer elsewhere, or no zone holds the name. Certain at the first check; waiting cannot fix it.
 */
export class DnsNotAuthoritativeError extends DnsError {
  readonly missing: readonly PropagationMiss[];

  constructor(missing: readonly PropagationMiss[], options: { chains?: CnameChains } = {}) {
    const names = [...new Set(missing.map((entry) => entry.name))];
    const servers = [...new Set(missing.map((entry) => `${entry.server} (${entry.detail ?? entry.reason})`))];
    super(`no server asked is authoritative for the challenge record: ${servers.join(', ')}`, {
      record: names.map((name) => describeRecordName(name, options.chains)).join(', '),
      fix:
        'publish the record in a zone these servers serve (with a CNAME at _acme-challenge, the zone of its target), ' +
        "or check the servers: --dns-resolver / dns.resolvers, else the zone's NS records",
    });
    this.name = 'DnsNotAuthoritativeError';
    this.missing = missing;
  }
}

/** No server asked for a challenge record has answered at all for a while: unreachable, or not a DNS server. */
export class DnsServersUnreachableError extends DnsError {
  readonly missing: readonly PropagationMiss[];

  constructor(missing: readonly PropagationMiss[], seconds: number, options: { chains?: CnameChains } = {}) {
    const names = [...new Set(missing.map((entry) => entry.name))];
    const servers = [...new Set(missing.map((entry) => entry.server))];
    super(`no answer from any server asked (${servers.join(', ')}) for ${Math.round(seconds)} s`, {
      record: names.map((name) => describeRecordName(name, options.chains)).join(', '),
      fix: "check that the zone's nameservers (or --dns-resolver / dns.resolvers) are up and reachable from here on port 53, UDP and TCP",
    });
    this.name = 'DnsServersUnreachableError';
    this.missing = missing;
  }
}

/** No enclosing zone was found for a name: no NS record set at the name or any of its parents. */
export class DnsZoneNotFoundError extends DnsError {
  constructor(record: string, options: { cause?: unknown; fix?: string } = {}) {
    super(`no zone found for ${record}: neither it nor any parent has NS records`, {
      cause: options.cause,
      record,
      fix: options.fix ?? 'check that the domain is registered and delegated; for private or lab DNS pass the servers to ask explicitly',
    });
    this.name = 'DnsZoneNotFoundError';
  }
}

/** Finding a zone's authoritative nameservers failed (the resolver answered SERVFAIL, timed out, ...). */
export class DnsNameserverLookupError extends DnsError {
  /** The node:dns error code (`ESERVFAIL`, `ETIMEOUT`, ...), when there is one. */
  readonly code?: string;

  constructor(name: string, options: { cause?: unknown; code?: string; record?: string; zone?: string } = {}) {
    super(`looking up the nameservers of ${name} failed${options.code === undefined ? '' : ` (${options.code})`}`, {
      cause: options.cause,
      record: options.record ?? name,
      ...(options.zone === undefined ? {} : { zone: options.zone }),
      fix: 'check that the resolver used for discovery can reach the zone\'s parents, or pass the servers to ask explicitly',
    });
    this.name = 'DnsNameserverLookupError';
    if (options.code !== undefined) this.code = options.code;
  }
}
