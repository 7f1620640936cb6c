import { describeRecordName, DnsNotAuthoritativeError, DnsServersUnreachableError, type CnameChains } from './errors.js';
import type { PropagationMiss, PropagationReport } from './propagation.js';

/**
 * How long every server may stay silent before the wait is given up. One silent check proves
 * little (a lost UDP packet, a server restarting); a minute of silence from all of them is not a
 * propagation delay, and the CA's resolvers would get no answer either.
 */
export const UNREACHABLE_GIVE_UP_SECONDS = 60;

/** The server refused, referred elsewhere, or no zone holds the name: not authoritative, for certain. */
function notAuthoritative(miss: PropagationMiss): boolean {
  if (miss.reason === 'refused') return true;
  if (miss.reason !== 'error') return false;
  return (miss.detail ?? '').startsWith('referral') || (miss.server === 'discovery' && /no zone found/.test(miss.detail ?? ''));
}

/** No answer: a timeout, or the exchange itself failed (connection refused, reset). Not a DNS answer of any kind. */
function silent(miss: PropagationMiss): boolean {
  return miss.reason === 'timeout' || (miss.reason === 'error' && miss.server !== 'discovery' && (miss.detail ?? '').startsWith('DNS exchange with'));
}

/** Every server checked failed in the same way (none has the name's values, none answered otherwise). */
function allServers(report: Pick<PropagationReport, 'missing' | 'checkedServers'>, test: (miss: PropagationMiss) => boolean): boolean {
  const { missing } = report;
  if (missing.length === 0 || !missing.every(test)) return false;
  const failed = new Set(missing.map((miss) => miss.server));
  return report.checkedServers.every((server) => failed.has(server));
}

/**
 * The failure a propagation check proves for certain, so the wait can end at once with its cause
 * instead of running to the timeout: every server asked refuses or refers elsewhere (or no zone
 * holds the name) → {@link DnsNotAuthoritativeError}; no server has answered for
 * {@link UNREACHABLE_GIVE_UP_SECONDS} → {@link DnsServersUnreachableError}. Undefined otherwise
 * (values absent: propagation may still come). Pure.
 *
 * @example
 * const error = certainPropagationFailure(report, elapsedSeconds, chains);
 * if (error) throw error;
 */
export function certainPropagationFailure(
  report: Pick<PropagationReport, 'missing' | 'checkedServers'>,
  elapsedSeconds: number,
  chains: CnameChains = {},
): DnsNotAuthoritativeError | DnsServersUnreachableError | undefined {
  if (allServers(report, notAuthoritative)) return new DnsNotAuthoritativeError(report.missing, { chains });
  if (elapsedSeconds >= UNREACHABLE_GIVE_UP_SECONDS && allServers(report, silent)) return new DnsServersUnreachableError(report.missing, elapsedSeconds, { chains });
  return undefined;
}

/**
 * What a wait is still waiting for, in one line: each name (with its CNAME chain) and the servers
 * that lack it, at most `limit` names.
 *
 * @example
 * describeMissing([{ name: '_acme-challenge.a.test', value: 'v', server: '192.0.2.1:53', reason: 'absent' }])
 * // → '_acme-challenge.a.test on 192.0.2.1:53'
 */
export function describeMissing(missing: readonly PropagationMiss[], chains: CnameChains = {}, limit = 3): string {
  const servers = new Map<string, Set<string>>();
  for (const miss of missing) {
    const set = servers.get(miss.name) ?? new Set<string>();
    set.add(miss.reason === 'absent' ? miss.server : `${miss.server} (${miss.reason})`);
    servers.set(miss.name, set);
  }
  const parts = [...servers].slice(0, limit).map(([name, on]) => `${describeRecordName(name, chains)} on ${[...on].join(', ')}`);
  const more = servers.size > limit ? `, and ${servers.size - limit} more` : '';
  return `${parts.join('; ')}${more}`;
}
